'use client';
// The imbalance score over time for one dimension (recharts: a small series, at most a few
// hundred points), with the cluster's events as vertical markers.
import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TooltipContentProps } from 'recharts';
import { SCORE_BAD, SCORE_WARN } from '@/lib/client/color';
import { formatClock, formatScore } from '@/lib/client/format';
import { timeTicks } from '@/lib/client/heatmap';
import { eventsInRange, eventsNear, scoreSeries, type ScorePoint } from '@/lib/client/series';
import { useTheme } from '@/lib/client/theme';
import { DIMENSIONS } from '@/lib/dimensions';
import type { ClusterEvent, DimensionId, Frame } from '@/lib/types';
import { EVENT_KIND } from './styles';

export interface TimelineProps {
  frames: readonly Frame[];
  events: readonly ClusterEvent[];
  dim: DimensionId;
  from: number;
  to: number;
  pollIntervalMs: number;
  /** Also draw the score against equal shares (dashed): useful when weights are configured. */
  showEqual?: boolean;
  height?: number;
  /** Makes the event markers (icons above the chart) clickable. */
  onEventClick?: (e: ClusterEvent) => void;
}

const LINE = { light: '#0369a1', dark: '#38bdf8' } as const;
const EQUAL = { light: '#64748b', dark: '#94a3b8' } as const;
const GRID = { light: '#e2e8f0', dark: '#1e293b' } as const;
const AXIS = { light: '#64748b', dark: '#94a3b8' } as const;

export function Timeline({ frames, events, dim, from, to, pollIntervalMs, showEqual = false, height = 180, onEventClick }: TimelineProps) {
  const theme = useTheme();
  const spec = DIMENSIONS[dim];
  const data = useMemo(() => scoreSeries(frames, dim, from, to, pollIntervalMs, 600), [frames, dim, from, to, pollIntervalMs]);
  const evs = useMemo(() => eventsInRange(events, from, to), [events, from, to]);
  const ticks = useMemo(() => timeTicks(from, to, 8), [from, to]);
  const radius = Math.max(pollIntervalMs * 1.5, (to - from) / 150);
  const hasScore = data.some((p) => p.score !== null);

  return (
    <div data-testid="timeline" data-points={data.length} data-events={evs.length} className="relative">
      {!spec.scored ? (
        <p className="py-4 text-center text-sm text-slate-500 dark:text-slate-400">
          {spec.label} has no share score: it is compared with the peers’ median (see the heatmap).
        </p>
      ) : (
        <>
          <div style={{ height }} className="w-full">
            <ResponsiveContainer width="100%" height="100%" minWidth={0} initialDimension={{ width: 800, height }}>
              <LineChart data={data} margin={{ top: 18, right: 16, bottom: 0, left: 0 }}>
                <CartesianGrid stroke={GRID[theme]} vertical={false} />
                <XAxis
                  dataKey="t"
                  type="number"
                  scale="time"
                  domain={[from, to]}
                  allowDataOverflow
                  ticks={ticks.ticks}
                  tickFormatter={(t: number) => formatClock(t, ticks.step < 60_000)}
                  stroke={AXIS[theme]}
                  fontSize={12}
                />
                <YAxis domain={[0, 1]} ticks={[0, SCORE_WARN, SCORE_BAD, 1]} width={40} stroke={AXIS[theme]} fontSize={12} allowDataOverflow />
                <ReferenceLine y={SCORE_WARN} stroke="#d97706" strokeOpacity={0.5} strokeDasharray="2 4" />
                <ReferenceLine y={SCORE_BAD} stroke="#dc2626" strokeOpacity={0.5} strokeDasharray="2 4" />
                {evs.map((e, i) => (
                  <ReferenceLine
                    key={`${e.t}-${e.kind}-${i}`}
                    x={e.t}
                    stroke={EVENT_KIND[e.kind].stroke}
                    strokeWidth={2}
                    strokeDasharray="3 3"
                    label={
                      onEventClick && e.member
                        ? (p: { viewBox?: { x?: number; y?: number } }) => <EventMarker x={p.viewBox?.x ?? 0} y={p.viewBox?.y ?? 0} event={e} onClick={onEventClick} />
                        : { value: EVENT_KIND[e.kind].icon, position: 'top', fill: EVENT_KIND[e.kind].stroke, fontSize: 13 }
                    }
                  />
                ))}
                {showEqual && (
                  <Line
                    type="linear"
                    dataKey="scoreEqual"
                    name="vs equal shares"
                    stroke={EQUAL[theme]}
                    strokeWidth={1.5}
                    strokeDasharray="5 4"
                    dot={false}
                    isAnimationActive={false}
                    connectNulls={false}
                  />
                )}
                <Line
                  type="linear"
                  dataKey="score"
                  name="vs expected"
                  stroke={LINE[theme]}
                  strokeWidth={2}
                  dot={false}
                  isAnimationActive={false}
                  connectNulls={false}
                />
                <Tooltip
                  isAnimationActive={false}
                  content={(props: TooltipContentProps) => (
                    <TimelineTooltip {...props} events={events} radius={radius} showEqual={showEqual} />
                  )}
                />
              </LineChart>
            </ResponsiveContainer>
          </div>
          {!hasScore && (
            <p className="pointer-events-none absolute inset-0 flex items-center justify-center text-sm text-slate-500 dark:text-slate-400">
              No score in this range yet (too little load, or not enough members with data)
            </p>
          )}
        </>
      )}
      <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-300">
        {spec.scored && (
          <>
            <span className="inline-flex items-center gap-1.5">
              <span className="inline-block h-0.5 w-5 bg-sky-700 dark:bg-sky-400" /> score vs expected
            </span>
            {showEqual && (
              <span className="inline-flex items-center gap-1.5">
                <span className="inline-block w-5 border-t-2 border-dashed border-slate-500 dark:border-slate-400" /> vs equal shares
              </span>
            )}
            <span>dotted: {SCORE_WARN} uneven · {SCORE_BAD} skewed</span>
          </>
        )}
        {evs.length > 0 &&
          [...new Set(evs.map((e) => e.kind))].map((k) => (
            <span key={k} className={`inline-flex items-center gap-1 ${EVENT_KIND[k].text}`}>
              <span aria-hidden>{EVENT_KIND[k].icon}</span> {EVENT_KIND[k].label}
            </span>
          ))}
      </div>
    </div>
  );
}

/** An event's icon above the chart, as a button that opens the member page at that time. */
function EventMarker({ x, y, event: e, onClick }: { x: number; y: number; event: ClusterEvent; onClick: (e: ClusterEvent) => void }) {
  return (
    <text
      x={x}
      y={y - 5}
      textAnchor="middle"
      fill={EVENT_KIND[e.kind].stroke}
      fontSize={15}
      role="button"
      tabIndex={0}
      aria-label={`${EVENT_KIND[e.kind].label}: ${e.detail} (open the member)`}
      data-testid="timeline-event-marker"
      data-kind={e.kind}
      data-t={e.t}
      style={{ cursor: 'pointer' }}
      onClick={() => onClick(e)}
      onKeyDown={(k) => {
        if (k.key === 'Enter' || k.key === ' ') onClick(e);
      }}
    >
      <title>{`${EVENT_KIND[e.kind].label}: ${e.detail}`}</title>
      {EVENT_KIND[e.kind].icon}
    </text>
  );
}

function TimelineTooltip({
  active,
  payload,
  events,
  radius,
  showEqual,
}: TooltipContentProps & { events: readonly ClusterEvent[]; radius: number; showEqual: boolean }) {
  if (!active || !payload?.length) return null;
  const p = payload[0].payload as ScorePoint;
  const near = eventsNear(events, p.t, radius);
  return (
    <div className="max-w-xs rounded-lg border border-slate-200 bg-white/95 p-2.5 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-800/95">
      <div className="font-semibold tabular-nums">{formatClock(p.t)}</div>
      <div className="tabular-nums">
        score <b>{formatScore(p.score)}</b>
        {showEqual && <span className="text-slate-500 dark:text-slate-400"> · vs equal {formatScore(p.scoreEqual)}</span>}
      </div>
      {near.length > 0 && (
        <ul className="mt-1.5 space-y-0.5 border-t border-slate-200 pt-1.5 dark:border-slate-700">
          {near.map((e, i) => (
            <li key={i} className={EVENT_KIND[e.kind].text}>
              <span aria-hidden>{EVENT_KIND[e.kind].icon}</span> {formatClock(e.t)} {e.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
