'use client';
// The wall's cluster slide: the same pieces as the cluster page at wall size: the headline
// (name, status, imbalance score), the headline finding with how long it has lasted, the member ×
// time heatmap and the score timeline, from the history the wall keeps out of the fleet stream.
import dynamic from 'next/dynamic';
import { useEffect, useMemo, useRef, useState } from 'react';
import { type Palette, type Theme, scoreLevel } from '@/lib/client/color';
import { api } from '@/lib/client/api';
import type { ClusterHistory, FleetHistory } from '@/lib/client/fleet/history';
import { SEED_POINTS, type SeedCache, needsSeed } from '@/lib/client/fleet/seed';
import { mergeFrames } from '@/lib/client/frames';
import type { Hold } from '@/lib/client/fleet/rotation';
import type { ClusterSlideLayout } from '@/lib/client/fleet/wallLayout';
import { heatmapMarks, type MarkFinding } from '@/lib/client/findingMarks';
import { layoutHeatmap } from '@/lib/client/heatmap';
import { DIMENSIONS } from '@/lib/dimensions';
import type { FleetCluster } from '@/lib/fleet/types';
import { formatAge, formatClock, formatScore } from '@/lib/format';
import type { DimensionId } from '@/lib/types';
import { drawHeatmap } from '../heatmapCanvas';
import { prepareCanvas } from '../fleet/drawCells';
import { CLUSTER_STATUS, SCORE_TEXT, SEVERITY } from '../styles';
import { clusterTone } from './WallFleet';
import { TONE_ICON, toneColor } from './tones';

// recharts is not on the wall's first paint: the timeline loads when a cluster slide first shows.
const Timeline = dynamic(() => import('../Timeline').then((m) => m.Timeline), { ssr: false, loading: () => null });

const NO_FINDINGS: never[] = [];

/** The slide's time window: at most this, and at least MIN_WINDOW_MS (less history: it fills in). */
const WINDOW_MS = 15 * 60_000;
const MIN_WINDOW_MS = 2 * 60_000;

/**
 * The focused cluster's frames: the wall's own history (from the fleet stream) and, for a polled
 * cluster while that is short, older frames from /history (asked once a minute at most).
 */
function useClusterHistory(p: {
  cluster: FleetCluster;
  history: FleetHistory;
  seeds: SeedCache;
  seq: number;
  dim: DimensionId;
  now: number | null;
  serverNow: number;
  tickMs: number;
}): { history: ClusterHistory | null; from: number; to: number } {
  const { cluster, history, seeds, seq, dim, now, serverNow, tickMs } = p;
  // biome-ignore lint/correctness/useExhaustiveDependencies: seq is the trigger (a new state means new columns in the mutable rings)
  const live = useMemo(() => history.frames(cluster.name, dim), [history, cluster.name, dim, seq]);
  const [seedVersion, setSeedVersion] = useState(0);
  const tried = useRef(new Map<string, number>());
  const inflight = useRef<AbortController | null>(null);
  useEffect(() => () => inflight.current?.abort(), []);
  const liveOldest = live?.frames[0]?.t ?? null;
  const members = cluster.members.length;
  const windowFrom = serverNow - Math.min(WINDOW_MS, history.capacity * tickMs);
  const seedable = cluster.source === 'direct' ? cluster.name : null;
  useEffect(() => {
    if (seedable === null || now === null || inflight.current) return;
    if (!needsSeed(liveOldest, windowFrom, tickMs) || seeds.get(seedable)) return;
    const last = tried.current.get(seedable);
    if (last !== undefined && now - last < 60_000) return;
    if (tried.current.size > 64) tried.current.clear();
    tried.current.set(seedable, now);
    const ctrl = new AbortController();
    inflight.current = ctrl;
    void api
      .history(
        seedable,
        { from: Math.floor(windowFrom), to: Math.ceil(liveOldest ?? windowFrom + WINDOW_MS), maxPoints: SEED_POINTS },
        { signal: ctrl.signal, timeoutMs: 10_000 },
      )
      .then((r) => {
        inflight.current = null;
        // Frames are indexed like the cluster's members: only used while the members are the same ones.
        if (!r.ok || r.data.frames.length === 0 || r.data.frames[0].up.length !== members) return;
        seeds.set(seedable, r.data.frames);
        setSeedVersion((v) => v + 1);
      });
  }, [seedable, liveOldest, windowFrom, tickMs, now, seeds, members]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: seedVersion is the trigger (the cache is mutable)
  const merged = useMemo(() => {
    const older = live ? seeds.get(cluster.name) : undefined;
    if (!live || !older || older[0].up.length !== live.members.length) return live;
    return { members: live.members, frames: mergeFrames(older, live.frames) };
  }, [live, seeds, cluster.name, seedVersion]);

  // The window covers the history there is, within [2 min, 15 min].
  const oldest = merged?.frames[0]?.t ?? null;
  const span = oldest !== null ? serverNow - oldest + 2 * tickMs : 0;
  const windowMs = Math.min(WINDOW_MS, history.capacity * tickMs, Math.max(MIN_WINDOW_MS, span));
  return { history: merged, from: serverNow - windowMs, to: serverNow };
}

export function WallCluster({
  cluster: c,
  history: fleetHistory,
  seeds,
  seq,
  now,
  hold,
  layout: l,
  width,
  tickMs,
  serverNow,
  dim,
  theme,
  palette,
}: {
  cluster: FleetCluster;
  history: FleetHistory;
  seeds: SeedCache;
  seq: number;
  now: number | null;
  hold: Hold | null;
  layout: ClusterSlideLayout;
  width: number;
  tickMs: number;
  serverNow: number;
  dim: DimensionId;
  theme: Theme;
  palette: Palette;
}) {
  const { history, from, to } = useClusterHistory({
    cluster: c,
    history: fleetHistory,
    seeds,
    seq,
    dim,
    now,
    serverNow,
    tickMs,
  });
  const tone = clusterTone(c);
  const st = CLUSTER_STATUS[c.status];
  const worst = c.worst;
  const up = c.members.filter((m) => m.status !== 'down').length;
  const since = hold?.since ?? worst?.since ?? null;
  const lasted = since !== null ? serverNow - since : null;
  const findings = useMemo<MarkFinding[]>(() => (worst ? [worst] : NO_FINDINGS), [worst]);
  const lv = scoreLevel(c.score);
  const labels = Object.entries(c.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join('  ');

  return (
    <div
      data-testid="wall-cluster"
      data-cluster={c.name}
      data-held={hold ? 'true' : 'false'}
      className="flex h-full flex-col"
      style={{ gap: l.gap }}
    >
      {/* headline */}
      <div className="flex items-center justify-between gap-6" style={{ height: l.headerHeight }}>
        <div className="min-w-0">
          <div className="flex items-center gap-4">
            <span
              className={`inline-flex shrink-0 items-center gap-2 rounded-lg px-3 py-1 font-bold ring-1 ring-inset ${st.badge}`}
              style={{ fontSize: Math.round(l.nameFontPx * 0.5) }}
            >
              <span aria-hidden>{st.icon}</span>
              {st.label}
            </span>
            <h2
              className="truncate font-bold leading-tight"
              style={{ fontSize: l.nameFontPx }}
              data-testid="wall-cluster-name"
              title={c.name}
            >
              {c.name}
            </h2>
          </div>
          <div
            className="mt-1 truncate text-slate-500 dark:text-slate-400"
            style={{ fontSize: Math.round(l.nameFontPx * 0.42) }}
          >
            {c.source === 'direct' ? 'polled directly' : 'from Prometheus'} · {up}/{c.members.length} members up
            {c.leader ? ` · ♛ ${c.leader}` : ' · no leader'}
            {labels ? ` · ${labels}` : ''}
          </div>
        </div>
        <div className="shrink-0 text-right">
          <div
            className={`font-bold tabular-nums leading-none ${SCORE_TEXT[lv]}`}
            style={{ fontSize: l.scoreFontPx }}
            data-testid="wall-cluster-score"
            data-score={c.score ?? ''}
          >
            {formatScore(c.score)}
          </div>
          <div
            className="font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400"
            style={{ fontSize: Math.round(l.scoreFontPx * 0.2) }}
          >
            request imbalance
          </div>
        </div>
      </div>

      {/* the headline finding */}
      <div
        className="flex items-center gap-5 overflow-hidden rounded-xl border-l-[12px] bg-white px-5 shadow-sm dark:bg-slate-900"
        style={{
          height: l.findingHeight,
          borderLeftColor: toneColor(worst ? sevTone(worst.severity) : tone, theme, palette),
        }}
        data-testid="wall-finding"
        data-severity={worst?.severity ?? ''}
      >
        {worst ? (
          <>
            <div className="min-w-0 flex-1">
              <div className="truncate font-bold" style={{ fontSize: l.findingFontPx }}>
                <span aria-hidden style={{ color: toneColor(sevTone(worst.severity), theme, palette) }}>
                  {TONE_ICON[sevTone(worst.severity)]}{' '}
                </span>
                {worst.title}
              </div>
              <div
                className="truncate text-slate-500 dark:text-slate-400"
                style={{ fontSize: Math.round(l.findingFontPx * 0.6) }}
              >
                {SEVERITY[worst.severity].label}
                {worst.members.length ? ` · ${worst.members.join(', ')}` : ''}
                {c.findings.critical + c.findings.warning + c.findings.info > 1
                  ? ` · ${c.findings.critical + c.findings.warning + c.findings.info - 1} more finding(s)`
                  : ''}
                {hold ? ' · held on screen while critical' : ''}
              </div>
            </div>
            {lasted !== null && (
              <div className="shrink-0 text-right" data-testid="wall-finding-age">
                <div className="font-bold tabular-nums" style={{ fontSize: l.findingFontPx * 1.1 }}>
                  {formatAge(lasted)}
                </div>
                <div
                  className="text-slate-500 dark:text-slate-400"
                  style={{ fontSize: Math.round(l.findingFontPx * 0.5) }}
                >
                  since it started
                </div>
              </div>
            )}
          </>
        ) : (
          <div className="font-semibold text-slate-600 dark:text-slate-300" style={{ fontSize: l.findingFontPx }}>
            {st.icon} {st.label}: no open warning or critical finding
          </div>
        )}
      </div>

      {/* member × time heatmap */}
      <WallHeatmap
        history={history}
        layout={l}
        width={width}
        from={from}
        to={to}
        tickMs={tickMs}
        dim={dim}
        theme={theme}
        palette={palette}
        findings={findings}
      />

      {/* score timeline */}
      <div style={{ height: l.timelineHeight }} className="min-h-0 overflow-hidden">
        {history && history.frames.length > 1 && DIMENSIONS[dim].scored ? (
          <Timeline
            frames={history.frames}
            events={NO_FINDINGS}
            dim={dim}
            from={from}
            to={to}
            pollIntervalMs={tickMs}
            height={l.timelineHeight}
            findings={findings}
            fontSize={Math.max(12, Math.round(l.labelFontPx * 0.8))}
          />
        ) : null}
      </div>
    </div>
  );
}

function sevTone(s: 'info' | 'warning' | 'critical') {
  return s === 'critical' ? 'critical' : s === 'warning' ? 'warning' : 'ok';
}

function WallHeatmap({
  history,
  layout: l,
  width,
  from,
  to,
  tickMs,
  dim,
  theme,
  palette,
  findings,
}: {
  history: ClusterHistory | null;
  layout: ClusterSlideLayout;
  width: number;
  from: number;
  to: number;
  tickMs: number;
  dim: DimensionId;
  theme: Theme;
  palette: Palette;
  findings: readonly MarkFinding[];
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const members = history?.members ?? [];
  const rows = members.length;
  const canvasW = Math.max(1, width - l.heatmapLabelWidth);
  const rowH = l.heatmapRowHeight;
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !history) return;
    const id = requestAnimationFrame(() => {
      const dpr = window.devicePixelRatio || 1;
      const ctx = prepareCanvas(canvas, canvasW, rows * rowH, dpr);
      if (!ctx) return;
      const layout = layoutHeatmap({
        frames: history.frames,
        rows,
        dim,
        mode: 'relative',
        from,
        to,
        width: Math.round(canvasW * dpr),
        pollIntervalMs: tickMs,
      });
      const marks = heatmapMarks(findings, members, from, to, Math.round(canvasW * dpr));
      drawHeatmap(canvas, layout, rowH, dpr, theme, 'relative', marks, palette);
      canvas.dataset.columns = String(layout.columns.length);
    });
    return () => cancelAnimationFrame(id);
  }, [history, members, rows, rowH, canvasW, dim, from, to, tickMs, theme, palette, findings]);

  return (
    <div className="flex" style={{ height: l.heatmapHeight }} data-testid="wall-heatmap">
      <div className="shrink-0 pr-3" style={{ width: l.heatmapLabelWidth }}>
        {members.map((m) => (
          <div
            key={m.endpoint}
            className={`flex items-center justify-end gap-2 truncate font-semibold ${m.status === 'down' ? 'text-slate-400 line-through dark:text-slate-500' : ''}`}
            style={{ height: rowH, fontSize: l.labelFontPx }}
          >
            {m.isLeader && m.status !== 'down' && <span className="text-violet-600 dark:text-violet-300">♛</span>}
            {m.status === 'down' && <span className="text-red-600 no-underline dark:text-red-400">✕</span>}
            <span className="truncate">{m.name}</span>
          </div>
        ))}
      </div>
      {history && history.frames.length > 0 ? (
        <div className="relative" style={{ width: canvasW, height: rows * rowH }}>
          <canvas ref={ref} data-testid="wall-heatmap-canvas" style={{ width: canvasW, height: rows * rowH }} />
          {(history.frames[0].t - from) / (to - from) > 0.25 && (
            <div
              className="absolute inset-y-0 left-0 flex items-center justify-center px-4 text-center text-slate-400 dark:text-slate-500"
              style={{
                width: ((history.frames[0].t - from) / (to - from)) * canvasW,
                fontSize: Math.round(l.labelFontPx * 0.8),
              }}
            >
              no history before {formatClock(history.frames[0].t)}: the wall keeps what it has seen since it opened
            </div>
          )}
        </div>
      ) : (
        <div
          className="flex flex-1 items-center justify-center text-slate-500 dark:text-slate-400"
          style={{ fontSize: l.labelFontPx }}
        >
          collecting history…
        </div>
      )}
    </div>
  );
}
