'use client';
// The live cluster page: one SSE stream, the view state in the URL (router.replace, no reload
// and no new stream), and older history fetched once per range when the window reaches past
// what the live state holds.
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '@/lib/client/api';
import { missingRange } from '@/lib/client/frames';
import { useNow, useViewInUrl } from '@/lib/client/hooks';
import { useClusterStream } from '@/lib/client/useClusterStream';
import { RANGE_MS, type ViewParams } from '@/lib/client/viewParams';
import type { ClusterEvent, ClusterState, Frame } from '@/lib/types';
import { memberHrefAt } from './member/model';
import { ClusterView } from './ClusterView';
import type { HistoryStatus } from './SourcesLine';

const HISTORY_POINTS = 1200;
/** While the window reaches past memory, refetch the older part this often (live frames age out). */
const HISTORY_REFRESH_MS = 30_000;

export function ClusterLive({
  name,
  initialState,
  initialView,
}: {
  name: string;
  initialState: ClusterState;
  initialView: ViewParams;
}) {
  const stream = useClusterStream(name, initialState);
  const state = stream.state ?? initialState;
  const router = useRouter();
  const [view, onViewChange] = useViewInUrl(initialView);
  const [selected, setSelected] = useState<{ endpoint: string; t: number } | null>(null);
  const [older, setOlder] = useState<Frame[]>([]);
  const [history, setHistory] = useState<HistoryStatus | null>(null);
  const [refresh, setRefresh] = useState(0);
  const now = useNow(1000);

  // Server clock minus browser clock, from the newest message: the window's right edge is the
  // server's "now", so a skewed browser clock neither hides new columns nor adds a blank strip.
  const skewRef = useRef(0);
  if (stream.lastMessageAt !== null && state.updatedAt !== null && stream.connection === 'live') {
    skewRef.current = state.updatedAt - stream.lastMessageAt;
  }
  const end = now !== null ? Math.max(now + skewRef.current, state.updatedAt ?? 0) : state.updatedAt;

  // A click on a cell (or on an event marker) opens that member's drill-down around that time.
  const membersRef = useRef(state.members);
  membersRef.current = state.members;
  const openMember = useCallback(
    (endpoint: string, t: number) => {
      const m = membersRef.current.find((x) => x.endpoint === endpoint || x.name === endpoint);
      router.push(memberHrefAt(name, m?.name ?? endpoint, t));
    },
    [router, name],
  );
  const onCellClick = useCallback(
    (endpoint: string, t: number) => {
      setSelected({ endpoint, t });
      openMember(endpoint, t);
    },
    [openMember],
  );
  const onEventClick = useCallback((e: ClusterEvent) => e.member && openMember(e.member, e.t), [openMember]);

  // A restarted server starts counting polls again (and its memory is empty): fetch history anew.
  const [epoch, setEpoch] = useState(0);
  const prevSeq = useRef(state.seq);
  useEffect(() => {
    if (state.seq < prevSeq.current) setEpoch((e) => e + 1);
    prevSeq.current = state.seq;
  }, [state.seq]);

  // Older history: once per range (and cluster), then every HISTORY_REFRESH_MS while needed.
  const haveFull = stream.connection === 'live' || state.frames.length > 0;
  const oldestLive = state.frames.length ? state.frames[0].t : null;
  const oldestRef = useRef(oldestLive);
  oldestRef.current = oldestLive;
  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh and epoch are triggers: a change re-fetches history
  useEffect(() => {
    if (!haveFull) return;
    const windowTo = Date.now() + skewRef.current;
    const need = missingRange(windowTo - RANGE_MS[view.range], windowTo, oldestRef.current, state.pollIntervalMs);
    if (!need) {
      setOlder([]);
      setHistory(null);
      return;
    }
    const ctrl = new AbortController();
    setHistory((h) => ({
      loading: !h || h.frames === 0,
      source: h?.source ?? null,
      error: null,
      frames: h?.frames ?? 0,
    }));
    void api.history(name, { ...need, maxPoints: HISTORY_POINTS }, { signal: ctrl.signal }).then((r) => {
      if (r.ok) {
        setOlder(r.data.frames);
        setHistory({ loading: false, source: r.data.source, error: r.data.error, frames: r.data.frames.length });
      } else if (r.error.kind !== 'aborted') {
        const error = r.error.message;
        setHistory((h) => ({ loading: false, source: h?.source ?? null, error, frames: h?.frames ?? 0 }));
      }
    });
    const timer = setTimeout(() => setRefresh((n) => n + 1), HISTORY_REFRESH_MS);
    return () => {
      ctrl.abort();
      clearTimeout(timer);
    };
  }, [name, view.range, haveFull, refresh, epoch, state.pollIntervalMs]);

  return (
    <ClusterView
      state={state}
      view={view}
      onViewChange={onViewChange}
      live={{ connection: stream.connection, lastMessageAt: stream.lastMessageAt, error: stream.error }}
      end={end}
      olderFrames={older}
      history={history}
      selected={selected}
      onCellClick={onCellClick}
      onEventClick={onEventClick}
    />
  );
}
