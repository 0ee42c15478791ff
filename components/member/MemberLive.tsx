'use client';
// The live member page: fetches the window's frames (/history: memory or Prometheus), the
// cluster state (findings, events, members) and the logs (/members/{m}/logs), and keeps the
// window and the log query in the URL so the link can be pasted into a chat. A window that
// reaches the present refreshes itself.
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '@/lib/client/api';
import type { ClusterState, Finding, Frame } from '@/lib/types';
import type { LogPanelData, LogQueryState } from './LogPanel';
import { MemberView } from './MemberView';

const LIVE_REFRESH_MS = 5_000;
const PAGE_LINES = 200;

export interface MemberLiveProps {
  cluster: string;
  endpoint: string;
  /** How the URL names the member (its name, or the encoded endpoint). */
  memberParam: string;
  from: number;
  to: number;
  initialState: ClusterState;
  initialQuery: LogQueryState;
}

/** The logs API's query for a window, the panel's filters and (for older pages) a cursor. */
function logsQuery(w: { from: number; to: number }, q: LogQueryState, cursor?: string) {
  return {
    from: Math.floor(w.from),
    to: Math.ceil(w.to),
    limit: PAGE_LINES,
    source: q.source,
    cursor,
    q: q.q || undefined,
    level: q.level || undefined,
    signals: q.signals ? 1 : undefined,
  };
}

export function MemberLive({
  cluster,
  endpoint,
  memberParam,
  from: from0,
  to: to0,
  initialState,
  initialQuery,
}: MemberLiveProps) {
  const router = useRouter();
  const [win, setWin] = useState({ from: from0, to: to0 });
  const [query, setQuery] = useState<LogQueryState>(initialQuery);
  const [state, setState] = useState<ClusterState>(initialState);
  const [frames, setFrames] = useState<Frame[]>([]);
  const [framesInfo, setFramesInfo] = useState<{
    loading: boolean;
    source: 'memory' | 'prometheus' | null;
    error: string | null;
  }>({ loading: true, source: null, error: null });
  const [logs, setLogs] = useState<LogPanelData | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [logsLoading, setLogsLoading] = useState(true);
  const [logsError, setLogsError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  // Findings of the window: open ones, and those that cleared (the server keeps them for the
  // history window with `until`; ones seen closing while the page is open are kept too).
  const [seen, setSeen] = useState<Map<string, { f: Finding; last: number }>>(() =>
    withFindings(new Map(), initialState, Date.now()),
  );
  const paged = useRef(false);

  // The window reaches the present: keep it fresh.
  const live = win.to >= Date.now() - 2 * state.pollIntervalMs;
  useEffect(() => {
    if (!live) return;
    const id = setInterval(() => setTick((n) => n + 1), LIVE_REFRESH_MS);
    return () => clearInterval(id);
  }, [live]);

  // URL = window + log query.
  const syncUrl = useCallback(
    (w: { from: number; to: number }, q: LogQueryState) => {
      const qs = new URLSearchParams({ from: String(Math.floor(w.from)), to: String(Math.ceil(w.to)) });
      if (q.q) qs.set('q', q.q);
      if (q.level) qs.set('level', q.level);
      if (q.source !== 'both') qs.set('source', q.source);
      if (q.signals) qs.set('signals', '1');
      router.replace(`/clusters/${encodeURIComponent(cluster)}/members/${encodeURIComponent(memberParam)}?${qs}`, {
        scroll: false,
      });
    },
    [router, cluster, memberParam],
  );

  // Latest window and query, for the refresh timer.
  const cur = useRef({ win, query });
  cur.current = { win, query };
  const busy = useRef({ frames: false, logs: false, state: false });
  // Only the newest request of each kind may set the state (an older refresh can answer late).
  const seq = useRef({ frames: 0, logs: 0 });

  const loadFrames = useCallback(
    async (w: { from: number; to: number }, signal?: AbortSignal) => {
      busy.current.frames = true;
      const mine = ++seq.current.frames;
      setFramesInfo((f) => ({ ...f, loading: true }));
      // Never ask for the future: Prometheus would answer with stale values carried forward.
      const to = Math.min(w.to, Date.now());
      const h = await api.history(
        cluster,
        { from: Math.floor(w.from), to: Math.ceil(Math.max(to, w.from + 1)), maxPoints: 600 },
        { signal },
      );
      busy.current.frames = false;
      if (mine !== seq.current.frames) return;
      if (h.ok) {
        setFrames(h.data.frames);
        setFramesInfo({ loading: false, source: h.data.source, error: h.data.error });
      } else if (h.error.kind !== 'aborted') {
        setFramesInfo({ loading: false, source: null, error: h.error.message });
      }
    },
    [cluster],
  );

  const loadLogs = useCallback(
    async (w: { from: number; to: number }, q: LogQueryState, signal?: AbortSignal) => {
      busy.current.logs = true;
      const mine = ++seq.current.logs;
      setLogsLoading(true);
      const r = await api.memberLogs(cluster, endpoint, logsQuery(w, q), { signal });
      busy.current.logs = false;
      if (paged.current || mine !== seq.current.logs) return; // paged further back, or a newer query
      if (!r.ok) {
        if (r.error.kind === 'aborted') return;
        setLogsError(r.error.message);
        setLogsLoading(false);
        return;
      }
      const p = r.data;
      setCursor(p.nextCursor);
      setLogs({
        lines: p.lines,
        errors: p.errors,
        notes: p.notes,
        signalCounts: p.signalCounts,
        scannedBytes: p.scannedBytes,
        truncated: p.truncated,
        hasMore: p.nextCursor !== null,
      });
      setLogsError(null);
      setLogsLoading(false);
    },
    [cluster, endpoint],
  );

  // Frames whenever the window changes; logs whenever the window or the query changes.
  useEffect(() => {
    const ctrl = new AbortController();
    void loadFrames(win, ctrl.signal);
    return () => ctrl.abort();
  }, [loadFrames, win]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the query fields, not the object identity, decide a reload
  useEffect(() => {
    const ctrl = new AbortController();
    paged.current = false;
    void loadLogs(win, query, ctrl.signal);
    return () => ctrl.abort();
  }, [loadLogs, win, query.q, query.level, query.source, query.signals]);

  // Live refresh: the cluster state, the frames and the first page of logs, each only when its
  // previous request has answered (a slow server is not asked again and again).
  useEffect(() => {
    if (tick === 0) return;
    if (!busy.current.state) {
      busy.current.state = true;
      void api.cluster(cluster).then((r) => {
        busy.current.state = false;
        if (!r.ok) return; // the next tick asks again; the page keeps what it has
        const s = r.data;
        setState((prev) => ({ ...s, frames: prev.frames }));
        setSeen((prev) => withFindings(prev, s, s.updatedAt ?? Date.now()));
      });
    }
    if (!busy.current.frames) void loadFrames(cur.current.win);
    if (!busy.current.logs && !paged.current) void loadLogs(cur.current.win, cur.current.query);
  }, [tick, cluster, loadFrames, loadLogs]);

  const onMore = useCallback(() => {
    if (!cursor) return;
    const ctrl = new AbortController();
    paged.current = true;
    setLogsLoading(true);
    void api.memberLogs(cluster, endpoint, logsQuery(win, query, cursor), { signal: ctrl.signal }).then((r) => {
      setLogsLoading(false);
      if (!r.ok) {
        if (r.error.kind !== 'aborted') setLogsError(r.error.message);
        return;
      }
      const p = r.data;
      setCursor(p.nextCursor);
      setLogs((prev) => ({
        lines: [...(prev?.lines ?? []), ...p.lines],
        errors: p.errors.length ? p.errors : (prev?.errors ?? []),
        notes: prev?.notes,
        signalCounts: prev?.signalCounts ?? [],
        scannedBytes: (prev?.scannedBytes ?? 0) + p.scannedBytes,
        truncated: p.truncated,
        hasMore: p.nextCursor !== null,
      }));
    });
  }, [cluster, endpoint, cursor, win, query]);

  const onQueryChange = useCallback(
    (q: LogQueryState) => {
      setQuery(q);
      syncUrl(win, q);
    },
    [syncUrl, win],
  );
  const onWindowChange = useCallback(
    (from: number, to: number) => {
      const w = { from: Math.round(from), to: Math.round(to) };
      setWin(w);
      syncUrl(w, query);
    },
    [syncUrl, query],
  );

  return (
    <MemberView
      cluster={{ name: cluster, members: state.members, pollIntervalMs: state.pollIntervalMs, events: state.events }}
      member={endpoint}
      frames={frames}
      from={win.from}
      to={win.to}
      findings={[...seen.values()].map((x) => x.f)}
      resolved={
        new Map([...seen].filter(([id]) => !state.findings.some((f) => f.id === id)).map(([id, x]) => [id, x.last]))
      }
      framesInfo={framesInfo}
      onWindowChange={onWindowChange}
      backHref={`/clusters/${encodeURIComponent(cluster)}`}
      logs={{
        data: logs,
        from: win.from,
        to: win.to,
        query,
        onQueryChange,
        onMore,
        loading: logsLoading,
        error: logsError,
      }}
    />
  );
}

/** Adds a state's resolved then open findings (open wins for the same id) to what was seen. */
function withFindings(
  prev: Map<string, { f: Finding; last: number }>,
  s: Pick<ClusterState, 'findings' | 'resolvedFindings'>,
  now: number,
): Map<string, { f: Finding; last: number }> {
  const next = new Map(prev);
  for (const f of s.resolvedFindings ?? [])
    if (!next.has(f.id) || next.get(f.id)!.last <= (f.until ?? now)) next.set(f.id, { f, last: f.until ?? now });
  for (const f of s.findings) next.set(f.id, { f, last: now });
  return next;
}
