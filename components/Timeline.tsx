'use client';
// The imbalance score over time for one dimension (recharts: a small series, at most a few
// hundred points), with the cluster's events as vertical markers.
import { useMemo } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { TooltipContentProps } from 'recharts';
import { SCORE_BAD, SCORE_WARN } from '@/lib/client/scoreLevel';
import {
  findingsAt,
  timelineMarks,
  worstSegments,
  type MarkFinding,
  type TimelineMark,
} from '@/lib/client/findingMarks';
import { formatClock, formatScore } from '@/lib/format';
import { eventsInRange, eventsNear, scoreSeries, type ScorePoint } from '@/lib/client/series';
import { useTheme } from '@/lib/client/theme';
import { DIMENSIONS } from '@/lib/dimensions';
import type { ClusterEvent, DimensionId, Frame } from '@/lib/types';
import { EVENT_KIND, SEVERITY, SEVERITY_COLOR } from './styles';
import { AXIS, GRID, useTimeAxis } from './chartAxes';

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
  /** Active findings: a severity-coloured band from each one's start to the right edge, with a flag. */
  findings?: readonly MarkFinding[];
  /** Axis text size (px): the wall reads it from across a room. */
  fontSize?: number;
}

const LINE = { light: '#0369a1', dark: '#38bdf8' } as const;
const EQUAL = { light: '#64748b', dark: '#94a3b8' } as const;

export function Timeline({
  frames,
  events,
  dim,
  from,
  to,
  pollIntervalMs,
  showEqual = false,
  height = 180,
  onEventClick,
  findings = NO_FINDINGS,
  fontSize = 12,
}: TimelineProps) {
  const theme = useTheme();
  const spec = DIMENSIONS[dim];
  const data = useMemo(
    () => scoreSeries(frames, dim, from, to, pollIntervalMs, 600),
    [frames, dim, from, to, pollIntervalMs],
  );
  const evs = useMemo(() => eventsInRange(events, from, to), [events, from, to]);
  const marks = useMemo(() => timelineMarks(findings, from, to), [findings, from, to]);
  const tint = useMemo(() => worstSegments(marks), [marks]);
  const timeAxis = useTimeAxis(from, to, 8, theme, fontSize);
  const radius = Math.max(pollIntervalMs * 1.5, (to - from) / 150);
  const hasScore = data.some((p) => p.score !== null);

  return (
    <div
      data-testid="timeline"
      data-points={data.length}
      data-events={evs.length}
      data-findings={marks.length}
      className="relative"
    >
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
                <XAxis {...timeAxis} height={Math.round(fontSize * 2.5)} />
                <YAxis
                  domain={[0, 1]}
                  ticks={[0, SCORE_WARN, SCORE_BAD, 1]}
                  width={Math.round(fontSize * 3.4)}
                  stroke={AXIS[theme]}
                  fontSize={fontSize}
                  allowDataOverflow
                />
                <ReferenceLine y={SCORE_WARN} stroke="#d97706" strokeOpacity={0.5} strokeDasharray="2 4" />
                <ReferenceLine y={SCORE_BAD} stroke="#dc2626" strokeOpacity={0.5} strokeDasharray="2 4" />
                {/* Findings: the plot tinted by the worst finding active at each time, a line and a flag at each start. */}
                {tint.map((seg) => (
                  <ReferenceArea
                    key={`fa-${seg.x1}-${seg.severity}`}
                    x1={seg.x1}
                    x2={seg.x2}
                    y1={0}
                    y2={1}
                    fill={SEVERITY_COLOR[seg.severity][theme]}
                    fillOpacity={theme === 'dark' ? 0.16 : 0.1}
                    stroke="none"
                    ifOverflow="hidden"
                  />
                ))}
                {marks.map((m, i) => (
                  <ReferenceLine
                    key={`fl-${m.id}`}
                    x={m.x1}
                    stroke={SEVERITY_COLOR[m.severity][theme]}
                    strokeWidth={m.clipped ? 1 : 2}
                    strokeDasharray={m.clipped ? '2 3' : undefined}
                    label={(p: { viewBox?: { x?: number; y?: number } }) => (
                      <FindingFlag
                        x={p.viewBox?.x ?? 0}
                        y={(p.viewBox?.y ?? 0) + 3 + (i % 4) * 19}
                        mark={m}
                        theme={theme}
                      />
                    )}
                  />
                ))}
                {evs.map((e, i) => (
                  <ReferenceLine
                    key={`${e.t}-${e.kind}-${i}`}
                    x={e.t}
                    stroke={EVENT_KIND[e.kind].stroke}
                    strokeWidth={2}
                    strokeDasharray="3 3"
                    label={
                      onEventClick && e.member
                        ? (p: { viewBox?: { x?: number; y?: number } }) => (
                            <EventMarker x={p.viewBox?.x ?? 0} y={p.viewBox?.y ?? 0} event={e} onClick={onEventClick} />
                          )
                        : {
                            value: EVENT_KIND[e.kind].icon,
                            position: 'top',
                            fill: EVENT_KIND[e.kind].stroke,
                            fontSize: 13,
                          }
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
                    <TimelineTooltip
                      {...props}
                      events={events}
                      radius={radius}
                      showEqual={showEqual}
                      findings={findings}
                    />
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
                <span className="inline-block w-5 border-t-2 border-dashed border-slate-500 dark:border-slate-400" /> vs
                equal shares
              </span>
            )}
            <span>
              dotted: {SCORE_WARN} uneven · {SCORE_BAD} skewed
            </span>
          </>
        )}
        {marks.length > 0 &&
          [...new Set(marks.map((m) => m.severity))].map((s) => (
            <span
              key={s}
              className={`inline-flex items-center gap-1.5 ${SEVERITY_COLOR[s].text}`}
              data-testid="timeline-finding-legend"
            >
              <span
                aria-hidden
                className="inline-block h-3 w-4 rounded-sm border-l-2"
                style={{ borderColor: SEVERITY_COLOR[s][theme], background: `${SEVERITY_COLOR[s][theme]}33` }}
              />
              {SEVERITY[s].label} finding, from its start
            </span>
          ))}
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

const NO_FINDINGS: readonly MarkFinding[] = [];

/** A finding's start: a small severity flag inside the plot, its title as the hover text. */
function FindingFlag({ x, y, mark: m, theme }: { x: number; y: number; mark: TimelineMark; theme: 'light' | 'dark' }) {
  const color = SEVERITY_COLOR[m.severity][theme];
  const text = `${SEVERITY[m.severity].label}: ${m.title} (since ${formatClock(m.since)}${m.clipped ? ', before this window' : ''})`;
  return (
    // biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: an SVG group drawn as a picture, not a control
    <g
      data-testid="timeline-finding-marker"
      data-kind={m.kind}
      data-severity={m.severity}
      data-finding-id={m.id}
      data-since={m.since}
      role="img"
      aria-label={text}
    >
      <title>{text}</title>
      <rect x={x + 2} y={y} width={17} height={16} rx={3} fill={color} />
      <text
        x={x + 10.5}
        y={y + 12}
        textAnchor="middle"
        fontSize={11}
        fontWeight={700}
        fill={theme === 'dark' ? '#0f172a' : '#ffffff'}
      >
        {SEVERITY[m.severity].icon}
      </text>
    </g>
  );
}

/** An event's icon above the chart, as a button that opens the member page at that time. */
function EventMarker({
  x,
  y,
  event: e,
  onClick,
}: {
  x: number;
  y: number;
  event: ClusterEvent;
  onClick: (e: ClusterEvent) => void;
}) {
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
  findings,
}: TooltipContentProps & {
  events: readonly ClusterEvent[];
  radius: number;
  showEqual: boolean;
  findings: readonly MarkFinding[];
}) {
  if (!active || !payload?.length) return null;
  const p = payload[0].payload as ScorePoint;
  const near = eventsNear(events, p.t, radius);
  const open = findingsAt(findings, p.t);
  return (
    <div className="max-w-xs rounded-lg border border-slate-200 bg-white/95 p-2.5 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-800/95">
      <div className="font-semibold tabular-nums">{formatClock(p.t)}</div>
      <div className="tabular-nums">
        score <b>{formatScore(p.score)}</b>
        {showEqual && (
          <span className="text-slate-500 dark:text-slate-400"> · vs equal {formatScore(p.scoreEqual)}</span>
        )}
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
      {open.length > 0 && (
        <ul
          className="mt-1.5 space-y-0.5 border-t border-slate-200 pt-1.5 dark:border-slate-700"
          data-testid="timeline-tooltip-findings"
        >
          {open.map((f) => (
            <li key={f.id} className={SEVERITY_COLOR[f.severity].text}>
              <span aria-hidden>{SEVERITY[f.severity].icon}</span> {f.title}{' '}
              <span className="text-slate-500 dark:text-slate-400">since {formatClock(f.since)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
