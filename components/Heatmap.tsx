'use client';
// Member × time heatmap on a <canvas>: one Path2D per colour bucket (like Grafana's heatmap
// panel), device-pixel exact, redrawn from a pure layout on every change. Hover, selection and
// the tooltip are DOM overlays, so hovering never repaints the canvas.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { DIMENSIONS } from '@/lib/dimensions';
import type { Palette } from '@/lib/client/color';
import { findingsAt, heatmapMarks, worstPerRow, type MarkFinding } from '@/lib/client/findingMarks';
import { formatClock, formatPercent, formatRatio, formatValue } from '@/lib/format';
import { leaderIndex } from '@/lib/analysis/live';
import { nominalStep } from '@/lib/client/frames';
import {
  CELL_DOWN,
  CELL_NODATA,
  columnAt,
  columnOfTime,
  layoutHeatmap,
  peerMedian,
  timeTicks,
  type HeatmapLayout,
} from '@/lib/client/heatmap';
import { useTheme } from '@/lib/client/theme';
import type { HeatmapMode } from '@/lib/client/viewParams';
import type { DimensionId, Frame, MemberState } from '@/lib/types';
import { HeatmapLegend } from './HeatmapLegend';
import { drawHeatmap } from './heatmapCanvas';
import { SEVERITY, SEVERITY_COLOR } from './styles';

export interface HeatmapProps {
  /** Time-sorted frames; only those in [from, to] are drawn. Arrays indexed like `members`. */
  frames: readonly Frame[];
  members: ReadonlyArray<Pick<MemberState, 'endpoint' | 'name' | 'isLeader' | 'status'>>;
  dim: DimensionId;
  mode: HeatmapMode;
  from: number;
  to: number;
  pollIntervalMs: number;
  /** Outlined cell (e.g. the one clicked). */
  selected?: { endpoint: string; t: number } | null;
  onCellClick?: (memberEndpoint: string, t: number) => void;
  /** Active findings: a severity bar along the top of each affected member's row, from its start to now. */
  findings?: readonly MarkFinding[];
  /** Colour scale of the relative mode (`cb`: colour-blind safe). */
  palette?: Palette;
}

const NO_FINDINGS: readonly MarkFinding[] = [];
/** Row-label pill: the number of findings on the member, coloured by the worst. */
const ROW_PILL = {
  info: 'bg-sky-600 text-white dark:bg-sky-400 dark:text-slate-900',
  warning: 'bg-amber-500 text-slate-900 dark:bg-amber-400',
  critical: 'bg-red-600 text-white dark:bg-red-400 dark:text-slate-900',
} as const;

const LABEL_W = 'w-36 2xl:w-44';

/** Row height (CSS px): fewer members get taller rows, and wall-size screens taller still. */
function rowHeight(n: number, wide: boolean): number {
  if (n <= 3) return wide ? 60 : 44;
  if (n <= 5) return wide ? 46 : 36;
  return wide ? 34 : 28;
}

interface Hover {
  col: number;
  row: number;
  x: number;
  y: number;
}

export function Heatmap({
  frames,
  members,
  dim,
  mode,
  from,
  to,
  pollIntervalMs,
  selected,
  onCellClick,
  findings = NO_FINDINGS,
  palette = 'default',
}: HeatmapProps) {
  const theme = useTheme();
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState<{ w: number; dpr: number }>({ w: 0, dpr: 1 });
  const [hover, setHover] = useState<Hover | null>(null);
  const rows = members.length;
  const rowH = rowHeight(rows, size.w >= 1500);
  const height = rows * rowH;
  const spec = DIMENSIONS[dim];

  // Width and devicePixelRatio (zooming or moving to another screen changes it).
  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const measure = () => setSize({ w: el.clientWidth, dpr: window.devicePixelRatio || 1 });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    let mq: MediaQueryList | null = null;
    const watchDpr = () => {
      mq?.removeEventListener('change', onDpr);
      mq = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
      mq.addEventListener('change', onDpr);
    };
    function onDpr() {
      measure();
      watchDpr();
    }
    watchDpr();
    return () => {
      ro.disconnect();
      mq?.removeEventListener('change', onDpr);
    };
  }, []);

  const widthD = Math.round(size.w * size.dpr);
  const layout = useMemo(
    () => layoutHeatmap({ frames, rows, dim, mode, from, to, width: widthD, pollIntervalMs }),
    [frames, rows, dim, mode, from, to, widthD, pollIntervalMs],
  );

  const marks = useMemo(() => heatmapMarks(findings, members, from, to, widthD), [findings, members, from, to, widthD]);
  const rowFindings = useMemo(() => worstPerRow(findings, members), [findings, members]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || widthD === 0) return;
    const hD = Math.round(height * size.dpr);
    if (canvas.width !== widthD) canvas.width = widthD;
    if (canvas.height !== hD) canvas.height = hD;
    const id = requestAnimationFrame(() => drawHeatmap(canvas, layout, rowH, size.dpr, theme, mode, marks, palette));
    return () => cancelAnimationFrame(id);
  }, [layout, widthD, height, rowH, size.dpr, theme, mode, marks, palette]);

  const cellFromEvent = useCallback(
    (e: React.PointerEvent | React.MouseEvent): Hover | null => {
      const rect = (e.currentTarget as HTMLElement).getBoundingClientRect();
      const x = e.clientX - rect.left;
      const y = e.clientY - rect.top;
      const col = columnAt(layout, Math.floor(x * size.dpr));
      const row = Math.floor(y / rowH);
      if (col < 0 || row < 0 || row >= rows) return null;
      return { col, row, x, y };
    },
    [layout, size.dpr, rowH, rows],
  );

  // Keep the hovered cell in range when the layout shifts under a still mouse.
  const hv = hover && hover.col < layout.columns.length ? hover : null;
  const ticks = useMemo(
    () => (size.w > 0 ? timeTicks(from, to, Math.max(2, Math.floor(size.w / 90))) : { step: 0, ticks: [] }),
    [from, to, size.w],
  );
  const selCol = selected ? columnOfTime(layout, frames, selected.t) : -1;
  const selRow = selected ? members.findIndex((m) => m.endpoint === selected.endpoint) : -1;
  const currentLeader = leaderIndex(members);
  const cssX = (xd: number) => xd / size.dpr;

  return (
    <div>
      <div className="flex">
        {/* Row labels */}
        <div className={`${LABEL_W} shrink-0 pr-2`} aria-hidden>
          {members.map((m, i) => (
            <div
              key={m.endpoint}
              style={{ height: rowH }}
              className={`flex items-center justify-end gap-1.5 truncate text-right text-sm font-semibold 2xl:text-base ${
                m.status === 'down' ? 'text-slate-400 line-through dark:text-slate-500' : ''
              }`}
              title={`${m.name} (${m.endpoint})`}
            >
              {i === currentLeader && (
                <span className="text-violet-600 dark:text-violet-300" title="current leader">
                  ♛
                </span>
              )}
              {m.status === 'down' && <span className="text-red-600 no-underline dark:text-red-400">✕</span>}
              {rowFindings[i]?.length > 0 && (
                <span
                  className={`inline-flex h-4 min-w-4 items-center justify-center rounded-full px-1 text-[10px] leading-none font-bold no-underline ${ROW_PILL[rowFindings[i][0].severity]}`}
                  data-testid="heatmap-row-finding"
                  data-severity={rowFindings[i][0].severity}
                  data-count={rowFindings[i].length}
                  title={rowFindings[i].map((f) => `${SEVERITY[f.severity].label}: ${f.title}`).join('\n')}
                >
                  {rowFindings[i].length}
                </span>
              )}
              <span className="truncate">{m.name}</span>
            </div>
          ))}
        </div>
        {/* Canvas + overlays */}
        <div className="relative min-w-0 flex-1" ref={wrapRef} style={{ height }}>
          <canvas
            ref={canvasRef}
            data-testid="heatmap-canvas"
            data-dim={dim}
            data-mode={mode}
            data-rows={rows}
            data-columns={layout.columns.length}
            data-value-cells={layout.counts.value}
            data-down-cells={layout.counts.down}
            data-leader-changes={layout.leaderChanges.length}
            data-finding-marks={marks.length}
            role="img"
            aria-label={`Heatmap: ${spec.label} per member over time, ${mode === 'relative' ? 'relative to expected' : 'absolute values'}`}
            className={`absolute inset-0 h-full w-full ${onCellClick ? 'cursor-pointer' : 'cursor-crosshair'} rounded-sm`}
            onPointerMove={(e) => setHover(cellFromEvent(e))}
            onPointerLeave={() => setHover(null)}
            onClick={(e) => {
              const c = cellFromEvent(e);
              if (!c || !onCellClick) return;
              const f = layout.frameOf[c.col * rows + c.row];
              if (f >= 0) onCellClick(members[c.row].endpoint, frames[f].t);
            }}
          />
          {layout.columns.length === 0 && size.w > 0 && (
            <div className="pointer-events-none absolute inset-0 flex items-center justify-center text-sm text-slate-500 dark:text-slate-400">
              No data in this time range yet
            </div>
          )}
          {selCol >= 0 && selRow >= 0 && (
            <div
              data-testid="heatmap-selection"
              className="pointer-events-none absolute rounded-[2px] ring-2 ring-sky-500 ring-offset-1 ring-offset-white dark:ring-sky-300 dark:ring-offset-slate-900"
              style={{
                left: cssX(layout.columns[selCol].x0),
                width: Math.max(3, cssX(layout.columns[selCol].x1 - layout.columns[selCol].x0)),
                top: selRow * rowH,
                height: rowH - 1,
              }}
            />
          )}
          {hv && (
            <>
              <div
                className="pointer-events-none absolute border-2 border-slate-900 dark:border-white"
                style={{
                  left: cssX(layout.columns[hv.col].x0) - 1,
                  width: Math.max(3, cssX(layout.columns[hv.col].x1 - layout.columns[hv.col].x0)) + 2,
                  top: hv.row * rowH - 1,
                  height: rowH + 1,
                }}
              />
              <HeatmapTooltip
                hover={hv}
                layout={layout}
                frames={frames}
                members={members}
                dim={dim}
                mode={mode}
                pollIntervalMs={pollIntervalMs}
                width={size.w}
                findings={findings}
              />
            </>
          )}
        </div>
      </div>
      {/* Time axis */}
      <div className="flex">
        <div className={`${LABEL_W} shrink-0`} />
        <div className="relative h-6 min-w-0 flex-1 text-xs text-slate-500 dark:text-slate-400">
          {ticks.ticks.map((t) => {
            const left = ((t - from) / (to - from)) * 100;
            // Labels that would hang past either end are left out.
            if ((left / 100) * size.w < 30 || (1 - left / 100) * size.w < 30) return null;
            return (
              <span key={t} className="absolute top-1 -translate-x-1/2 tabular-nums" style={{ left: `${left}%` }}>
                <span className="absolute -top-1 left-1/2 h-1 w-px bg-slate-400" />
                {formatClock(t, ticks.step < 60_000)}
              </span>
            );
          })}
        </div>
      </div>
      <HeatmapLegend
        mode={mode}
        dim={dim}
        absMax={layout.absMax}
        absClipped={layout.absClipped}
        theme={theme}
        palette={palette}
      />
      {marks.length > 0 && (
        <p
          className="mt-1 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-300"
          data-testid="heatmap-finding-legend"
        >
          {[...new Set(marks.map((m) => m.severity))].map((s) => (
            <span key={s} className="inline-flex items-center gap-1.5">
              <span
                aria-hidden
                className="inline-block h-1 w-5 rounded-sm"
                style={{ background: SEVERITY_COLOR[s][theme] }}
              />
              {SEVERITY[s].label}
            </span>
          ))}
          <span>
            bar along the top of a row: a finding on that member, from its start to now (number by the name: how many)
          </span>
        </p>
      )}
    </div>
  );
}

function HeatmapTooltip({
  hover,
  layout,
  frames,
  members,
  dim,
  mode,
  pollIntervalMs,
  width,
  findings,
}: {
  findings: readonly MarkFinding[];
  hover: Hover;
  layout: HeatmapLayout;
  frames: readonly Frame[];
  members: HeatmapProps['members'];
  dim: DimensionId;
  mode: HeatmapMode;
  pollIntervalMs: number;
  width: number;
}) {
  const spec = DIMENSIONS[dim];
  const k = hover.col * layout.rows + hover.row;
  const kind = layout.kind[k];
  const fi = layout.frameOf[k];
  const col = layout.columns[hover.col];
  const f = fi >= 0 ? frames[fi] : frames[col.last];
  const m = members[hover.row];
  const merged = col.last - col.first + 1;
  const share = f.shares[dim][hover.row];
  const expected = f.expected[dim][hover.row];
  const value = f.values[dim][hover.row];
  const isLeader = f.leader === hover.row;
  const latency = spec.kind === 'latency';
  const med = latency ? peerMedian(f, dim) : null;
  const ratio = layout.ratio[k];
  const step = nominalStep(frames, fi >= 0 ? fi : col.last, pollIntervalMs);
  const left = hover.x + 16 + 288 > width ? Math.max(0, hover.x - 16 - 288) : hover.x + 16;
  const open = findingsAt(findings, f.t, m.endpoint).concat(
    findingsAt(findings, f.t, m.name).filter((x) => !x.members.includes(m.endpoint)),
  );

  return (
    <div
      data-testid="heatmap-tooltip"
      role="tooltip"
      className="pointer-events-none absolute z-20 w-72 rounded-lg border border-slate-200 bg-white/95 p-3 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-800/95"
      style={{ left, top: Math.max(0, hover.y - 10) }}
    >
      <div className="flex items-baseline justify-between gap-2">
        <span className="truncate font-bold">
          {isLeader && <span className="text-violet-600 dark:text-violet-300">♛ </span>}
          {m.name}
        </span>
        <span className="tabular-nums text-slate-500 dark:text-slate-400">{formatClock(f.t)}</span>
      </div>
      <div className="truncate text-xs text-slate-500 dark:text-slate-400">{m.endpoint}</div>
      <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5">
        {kind === CELL_DOWN ? (
          <>
            <dt className="text-slate-500 dark:text-slate-400">status</dt>
            <dd className="font-semibold text-red-700 dark:text-red-400">✕ down (no answer)</dd>
          </>
        ) : (
          <>
            <dt className="text-slate-500 dark:text-slate-400">{spec.label}</dt>
            <dd className="font-semibold tabular-nums">{formatValue(value, spec.unit)}</dd>
            {latency ? (
              <>
                <dt className="text-slate-500 dark:text-slate-400">peers’ median</dt>
                <dd className="tabular-nums">{formatValue(med, spec.unit)}</dd>
              </>
            ) : (
              <>
                <dt className="text-slate-500 dark:text-slate-400">share</dt>
                <dd className="tabular-nums">
                  {formatPercent(share)}{' '}
                  <span className="text-slate-500 dark:text-slate-400">vs {formatPercent(expected)} expected</span>
                </dd>
              </>
            )}
            {!Number.isNaN(ratio) && (
              <>
                <dt className="text-slate-500 dark:text-slate-400">{latency ? 'vs median' : 'vs expected'}</dt>
                <dd
                  className={`font-semibold tabular-nums ${ratio >= 1.1 ? 'text-red-700 dark:text-red-400' : ratio <= 0.9 ? 'text-blue-700 dark:text-blue-300' : ''}`}
                >
                  {formatRatio(ratio)} {ratio >= 1.1 ? '▲ above' : ratio <= 0.9 ? '▼ below' : '≈ as expected'}
                </dd>
              </>
            )}
            {kind === CELL_NODATA && (
              <>
                <dt className="text-slate-500 dark:text-slate-400">note</dt>
                <dd>
                  {spec.leaderHeavy && isLeader ? 'leader: not part of the share (scored among followers)' : 'no data'}
                </dd>
              </>
            )}
          </>
        )}
      </dl>
      {open.length > 0 && (
        <ul
          className="mt-2 space-y-0.5 border-t border-slate-200 pt-1.5 dark:border-slate-700"
          data-testid="heatmap-tooltip-findings"
        >
          {open.map((x) => (
            <li key={x.id} className={SEVERITY_COLOR[x.severity].text}>
              <span aria-hidden>{SEVERITY[x.severity].icon}</span> {x.title}
            </li>
          ))}
        </ul>
      )}
      <div className="mt-2 text-xs text-slate-500 dark:text-slate-400">
        {f.origin === 'prometheus' ? `from Prometheus (${Math.round(step / 1000)} s step)` : 'live poll'}
        {merged > 1 && mode === 'relative' && ` · most extreme of ${merged} columns in this pixel`}
        {merged > 1 && mode === 'absolute' && ` · highest of ${merged} columns in this pixel`}
      </div>
    </div>
  );
}
