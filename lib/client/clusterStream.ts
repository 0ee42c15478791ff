// One cluster's stream in the browser: the full state on connect, a delta per poll, and the
// server's `heartbeat` events, which say it is alive while a poll is slow. EventSource hands
// scripts only named events (never `onmessage` for them, never comment lines), so every kind
// the server sends has its own listener, and each one counts as a sign of life.
// Framework-free with its clock, timers and EventSource injected (the React hook wraps it), so
// that live/stale/offline is unit-tested.
import { staleAfterMs } from '../stream/freshness';
import type { ClusterDelta, ClusterState } from '../types';
import { backoffDelay, type StreamDeps } from './reconnect';
import { adoptState, applyDelta } from './store';

export type Connection = 'connecting' | 'live' | 'stale' | 'offline';

export interface ClusterStreamView {
  state: ClusterState | null;
  connection: Connection;
  /** Last time any event (state, delta or heartbeat) arrived. */
  lastMessageAt: number | null;
  error: string | null;
}

/** How often the stale check runs. */
export const STALE_CHECK_MS = 1000;

/**
 * Opens the stream at `url`. EventSource reconnects by itself after a network error; when the
 * server closed it for good (an HTTP error), it is reopened with backoff. A gap in delta
 * sequence numbers reopens it to get the full state. `onChange` gets every new view.
 */
export function openClusterStream(
  url: string,
  initial: ClusterState | null,
  deps: StreamDeps,
  onChange: (v: ClusterStreamView) => void,
): { close(): void } {
  let view: ClusterStreamView = { state: initial, connection: 'connecting', lastMessageAt: null, error: null };
  const set = (patch: Partial<ClusterStreamView>) => {
    view = { ...view, ...patch };
    onChange(view);
  };
  let es: ReturnType<StreamDeps['createEventSource']> | null = null;
  let retry: unknown = null;
  let attempt = 0;
  let closed = false;

  const open = () => {
    if (closed) return;
    if (view.connection !== 'live') set({ connection: 'connecting' });
    const src = deps.createEventSource(url);
    es = src;
    src.addEventListener('state', (ev) => {
      if (es !== src) return;
      const s = adoptState(view.state, JSON.parse(ev.data) as ClusterState);
      attempt = 0;
      set({ state: s, connection: 'live', error: null, lastMessageAt: deps.now() });
    });
    src.addEventListener('delta', (ev) => {
      if (es !== src) return;
      const cur = view.state;
      if (!cur) return set({ lastMessageAt: deps.now() });
      const r = applyDelta(cur, JSON.parse(ev.data) as ClusterDelta);
      if (r.kind === 'applied') set({ state: r.state, connection: 'live', lastMessageAt: deps.now() });
      else if (r.kind === 'resync') {
        src.close();
        open();
      } else set({ lastMessageAt: deps.now() });
    });
    src.addEventListener('heartbeat', () => {
      if (es !== src) return;
      // The server is alive and the connection carries: a stale view is live again.
      set({ lastMessageAt: deps.now(), connection: view.connection === 'stale' ? 'live' : view.connection });
    });
    src.onerror = () => {
      if (es !== src) return;
      if (src.readyState === EVENT_SOURCE_CLOSED) {
        es = null;
        const wait = backoffDelay(attempt++, deps.random);
        retry = deps.setTimeout(() => {
          retry = null;
          open();
        }, wait);
        set({ connection: 'offline', error: 'the stream closed; reconnecting' });
      } else {
        set({ connection: 'offline', error: 'connection lost; reconnecting' });
      }
    };
  };

  const staleCheck = deps.setInterval(() => {
    const s = view.state;
    if (!s || view.lastMessageAt === null || view.connection !== 'live') return;
    if (deps.now() - view.lastMessageAt > staleAfterMs(s.pollIntervalMs)) set({ connection: 'stale' });
  }, STALE_CHECK_MS);

  open();

  return {
    close() {
      closed = true;
      es?.close();
      es = null;
      if (retry !== null) deps.clearTimeout(retry);
      deps.clearInterval(staleCheck);
    },
  };
}

/** EventSource.CLOSED, without touching the browser global (tests run in Node). */
export const EVENT_SOURCE_CLOSED = 2;
