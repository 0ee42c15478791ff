'use client';
// Member × time heatmap on a <canvas>: one Path2D per colour bucket (like Grafana's heatmap
// panel), device-pixel exact, redrawn from a pure layout on every change. Hover, selection and
// the tooltip are DOM overlays, so hovering never repaints the canvas.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { DIMENSIONS } from '@/lib/dimensions';
import { type Palette, type Theme, absolutePalette, relativePalette } from '@/lib/client/color';
import { findingsAt, heatmapMarks, worstPerRow, type HeatmapMark, type MarkFinding } from '@/lib/client/findingMarks';
import { formatClock, formatPercent, formatRatio, formatValue } from '@/lib/format';
import { leaderIndex } from '@/lib/analysis/live';
import { nominalStep } from '@/lib/client/frames';
import {
  CELL_DOWN,
  CELL_NODATA,
  CELL_VALUE,
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
const SEVERITY_DRAW_ORDER = ['info', 'warning', 'critical'] as const;

const LABEL_W = 'w-36 2xl:w-44';

/** Row height (CSS px): fewer members get taller rows, and wall-size screens taller still. */
function rowHeight(n: number, wide: boolean): number {
  if (n <= 3) return wide ? 60 : 44;
  if (n <= 5) return wide ? 46 : 36;
  return wide ? 34 : 28;
}

export const THEME_COLORS: Record<
  Theme,
  { leader: string; nodata: string; hatchBg: string; hatch: string; change: string; markBacking: string }
> = {
  light: {
    leader: '#0f172a',
    nodata: 'rgba(148,163,184,0.22)',
    hatchBg: '#e2e8f0',
    hatch: '#94a3b8',
    change: '#7c3aed',
    markBacking: '#ffffff',
  },
  dark: {
    leader: '#f8fafc',
    nodata: 'rgba(100,116,139,0.25)',
    hatchBg: '#1e293b',
    hatch: '#64748b',
    change: '#a78bfa',
    markBacking: '#0f172a',
  },
};

/** The down-member hatch (a tiling pattern in the theme's greys). */
export function hatchPattern(ctx: CanvasRenderingContext2D, theme: Theme, dpr: number): CanvasPattern | string {
  const c = THEME_COLORS[theme];
  const size = Math.max(6, Math.round(6 * dpr));
  const off = document.createElement('canvas');
  off.width = size;
  off.height = size;
  const o = off.getContext('2d');
  if (!o) return c.hatchBg;
  o.fillStyle = c.hatchBg;
  o.fillRect(0, 0, size, size);
  o.strokeStyle = c.hatch;
  o.lineWidth = Math.max(1, dpr);
  o.beginPath();
  // 45° stripes that tile seamlessly
  o.moveTo(0, size);
  o.lineTo(size, 0);
  o.moveTo(-size / 2, size / 2);
  o.lineTo(size / 2, -size / 2);
  o.moveTo(size / 2, size + size / 2);
  o.lineTo(size + size / 2, size / 2);
  o.stroke();
  return ctx.createPattern(off, 'repeat') ?? c.hatchBg;
}

/**
 * Findings on the canvas: one Path2D per severity (a bar along the top of the row, one lane per
 * finding, and a tick down the row at its start), over a backing in the page colour so the bar
 * stands out on any cell colour.
 */
function drawFindingMarks(
  ctx: CanvasRenderingContext2D,
  marks: readonly HeatmapMark[],
  rh: number,
  gap: number,
  dpr: number,
  theme: Theme,
) {
  if (marks.length === 0) return;
  const barH = Math.max(3, Math.round(4 * dpr));
  const tickW = Math.max(2, Math.round(2 * dpr));
  const pad = Math.max(1, Math.round(dpr));
  const backing = new Path2D();
  const bySeverity = new Map<string, Path2D>();
  for (const m of marks) {
    const y = m.row * rh + m.lane * (barH + pad);
    const p = bySeverity.get(m.severity) ?? new Path2D();
    bySeverity.set(m.severity, p);
    p.rect(m.x0, y, m.x1 - m.x0, barH);
    // A thin line in the page colour under the bar keeps it apart from same-coloured cells.
    backing.rect(m.x0, y + barH, m.x1 - m.x0, pad);
    // Warnings and critical findings also get a tick down the row at their start.
    if (!m.clipped && m.severity !== 'info') p.rect(m.x0, y, tickW, rh - gap - y + m.row * rh);
  }
  ctx.fillStyle = THEME_COLORS[theme].markBacking;
  ctx.fill(backing);
  for (const s of SEVERITY_DRAW_ORDER) {
    const p = bySeverity.get(s);
    if (!p) continue;
    ctx.fillStyle = SEVERITY_COLOR[s][theme];
    ctx.fill(p);
  }
}

/** Draws a member × time layout: one Path2D per colour bucket, then down/no-data, leader, changes, findings. */
export function drawHeatmap(
  canvas: HTMLCanvasElement,
  layout: HeatmapLayout,
  rowH: number,
  dpr: number,
  theme: Theme,
  mode: HeatmapMode,
  marks: readonly HeatmapMark[],
  palette: Palette = 'default',
) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const rows = layout.rows;
  const rh = Math.round(rowH * dpr);
  const gap = Math.max(1, Math.round(dpr));
  const colors = mode === 'relative' ? relativePalette(theme, palette) : absolutePalette();
  const paths: Array<Path2D | null> = colors.map(() => null);
  const down = new Path2D();
  const nodata = new Path2D();
  const leader = new Path2D();
  let anyDown = false;
  let anyNodata = false;
  const barH = Math.max(2, Math.round(3 * dpr));

  layout.columns.forEach((c, ci) => {
    const w = c.x1 - c.x0;
    for (let r = 0; r < rows; r++) {
      const k = ci * rows + r;
      const y = r * rh;
      const kind = layout.kind[k];
      if (kind === CELL_VALUE) {
        const b = layout.bucket[k];
        (paths[b] ??= new Path2D()).rect(c.x0, y, w, rh - gap);
      } else if (kind === CELL_DOWN) {
        down.rect(c.x0, y, w, rh - gap);
        anyDown = true;
      } else if (kind === CELL_NODATA) {
        nodata.rect(c.x0, y, w, rh - gap);
        anyNodata = true;
      }
    }
    const l = layout.leader[ci];
    if (l >= 0 && l < rows) leader.rect(c.x0, l * rh + rh - gap - barH, w, barH);
  });

  paths.forEach((p, b) => {
    if (!p) return;
    ctx.fillStyle = colors[b];
    ctx.fill(p);
  });
  const tc = THEME_COLORS[theme];
  if (anyNodata) {
    ctx.fillStyle = tc.nodata;
    ctx.fill(nodata);
  }
  if (anyDown) {
    ctx.fillStyle = hatchPattern(ctx, theme, dpr);
    ctx.fill(down);
  }
  // The leader: a bar along the bottom of its cell, following it from row to row.
  ctx.fillStyle = tc.leader;
  ctx.globalAlpha = 0.85;
  ctx.fill(leader);
  ctx.globalAlpha = 1;
  // Leader changes: a dashed vertical line across all rows.
  if (layout.leaderChanges.length) {
    ctx.strokeStyle = tc.change;
    ctx.lineWidth = Math.max(2, Math.round(2 * dpr));
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    ctx.beginPath();
    for (const x of layout.leaderChanges) {
      ctx.moveTo(x + 0.5, 0);
      ctx.lineTo(x + 0.5, rows * rh);
    }
    ctx.stroke();
    ctx.setLineDash([]);
  }
  drawFindingMarks(ctx, marks, rh, gap, dpr, theme);
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
