'use client';
import { useEffect, useRef, useState } from 'react';
import type { ClusterDelta, ClusterState } from '../types';
import { adoptState, applyDelta, staleAfterMs } from './store';

export type Connection = 'connecting' | 'live' | 'stale' | 'offline';

export interface StreamView {
  state: ClusterState | null;
  connection: Connection;
  /** Last time any message (state, delta or keep-alive) arrived. */
  lastMessageAt: number | null;
  error: string | null;
}

/**
 * One EventSource per page for a cluster. EventSource reconnects by itself after a network
 * error; when the server closed it for good (HTTP error), we reopen with backoff. A gap in
 * delta sequence numbers reopens the stream to get the full state.
 */
export function useClusterStream(name: string, initial: ClusterState | null = null): StreamView {
  const [state, setState] = useState<ClusterState | null>(initial);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [lastMessageAt, setLastMessageAt] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const stateRef = useRef<ClusterState | null>(initial);
  const lastRef = useRef<number>(0);

  useEffect(() => {
    let es: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;
    let backoff = 1000;
    let disposed = false;

    const touch = () => {
      lastRef.current = Date.now();
      setLastMessageAt(lastRef.current);
    };

    const open = () => {
      if (disposed) return;
      setConnection((c) => (c === 'live' ? c : 'connecting'));
      es = new EventSource(`/api/clusters/${encodeURIComponent(name)}/stream`);
      es.addEventListener('state', (ev) => {
        const s = adoptState(stateRef.current, JSON.parse((ev as MessageEvent<string>).data) as ClusterState);
        stateRef.current = s;
        setState(s);
        setConnection('live');
        setError(null);
        backoff = 1000;
        touch();
      });
      es.addEventListener('delta', (ev) => {
        const d = JSON.parse((ev as MessageEvent<string>).data) as ClusterDelta;
        const cur = stateRef.current;
        touch();
        if (!cur) return;
        const r = applyDelta(cur, d);
        if (r.kind === 'applied') {
          stateRef.current = r.state;
          setState(r.state);
          setConnection('live');
        } else if (r.kind === 'resync') {
          es?.close();
          open();
        }
      });
      es.onmessage = touch;
      es.onerror = () => {
        setConnection('offline');
        if (es && es.readyState === EventSource.CLOSED) {
          setError('the stream closed; reconnecting');
          es = null;
          retryTimer = setTimeout(open, backoff);
          backoff = Math.min(30_000, backoff * 2);
        } else {
          setError('connection lost; reconnecting');
        }
      };
    };
    open();

    const staleTimer = setInterval(() => {
      const s = stateRef.current;
      if (!s || !lastRef.current) return;
      if (Date.now() - lastRef.current > staleAfterMs(s.pollIntervalMs)) {
        setConnection((c) => (c === 'live' ? 'stale' : c));
      }
    }, 1000);

    return () => {
      disposed = true;
      es?.close();
      if (retryTimer) clearTimeout(retryTimer);
      clearInterval(staleTimer);
    };
  }, [name]);

  return { state, connection, lastMessageAt, error };
}
