'use client';
// The fleet heatmap: a row per cluster (worst first), a cell per member coloured by its share
// against expected. Virtualised: only the rows in view exist in the DOM, and their cells are one
// canvas (one Path2D per colour bucket), so 500 clusters cost what a screenful costs. Keyboard:
// arrows move between rows and cells, Page Up/Down, Home/End, Enter opens the cluster page.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Palette, Theme } from '@/lib/client/color';
import { pagePath } from '@/lib/client/apiPath';
import { cellAt, layoutFleetCells, maxMembers, memberCell, moveCursor, visibleRows } from '@/lib/client/fleet/grid';
import { formatAge, formatPercent, formatRatio, formatScore } from '@/lib/format';
import { CELL_DOWN, CELL_NODATA } from '@/lib/client/cells';
import { DIMENSIONS } from '@/lib/dimensions';
import type { FleetCluster } from '@/lib/fleet/types';
import type { DimensionId } from '@/lib/types';
import { ScoreNumber } from '../ScoreNumber';
import { CLUSTER_STATUS, MEMBER_STATUS, SEVERITY, SEVERITY_COLOR } from '../styles';
import { drawFleetCells, prepareCanvas } from './drawCells';

export const ROW_H = 34;
const CELL_W = 24;
const CELL_GAP = 3;
const CELL_PAD_Y = 5;
const NAME_W = 264;
const SOURCE_W = 104;
const CELLS_X = NAME_W + SOURCE_W;
const SCORE_W = 112;
/** Right of the cells: "up/total" members. */
const COUNT_W = 52;
/** Cell outlines per theme (slate-300 / slate-700, faint). */
const OUTLINE = { light: 'rgba(148,163,184,0.55)', dark: 'rgba(71,85,105,0.55)' } as const;
const OVERSCAN = 8;

// Neutral (no hue of the heatmap or the status colours): a filled badge for polled, an outlined one for Prometheus.
const SOURCE_BADGE = {
  direct: 'bg-slate-700 text-white ring-slate-700 dark:bg-slate-300 dark:text-slate-900 dark:ring-slate-300',
  prometheus: 'bg-transparent text-slate-700 ring-slate-400 dark:text-slate-300 dark:ring-slate-500',
} as const;
const SOURCE_TEXT = { direct: 'direct', prometheus: 'Prometheus' } as const;
const SOURCE_TITLE = {
  direct: 'polled directly: every signal and detector',
  prometheus: 'read from Prometheus: metrics only; detectors that need direct data are not checked',
} as const;

interface Props {
  clusters: readonly FleetCluster[];
  dim: DimensionId;
  palette: Palette;
  theme: Theme;
  /** Server time now (for "updated N s ago" per cluster). */
  serverNow: number | null;
  tickMs: number;
  onOpen: (name: string) => void;
  /** Fleet seq of the data, and when it arrived (browser ms): the canvas tells when it drew it. */
  seq: number;
  receivedAt: number | null;
}

export function FleetGrid({ clusters, dim, palette, theme, serverNow, tickMs, onOpen, seq, receivedAt }: Props) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [measured, setRange] = useState({ first: 0, last: Math.min(clusters.length, 40) });
  const [dpr, setDpr] = useState(1);
  const [cursor, setCursor] = useState<{ name: string; col: number } | null>(null);
  const [hover, setHover] = useState<{ row: number; col: number; x: number; y: number } | null>(null);
  const total = clusters.length;
  const cols = useMemo(() => maxMembers(clusters), [clusters]);
  // The list can shrink (a filter, clusters leaving) before the next measurement: never past its end.
  const range = useMemo(() => {
    const last = Math.min(measured.last, total);
    return { first: Math.min(measured.first, last), last };
  }, [measured, total]);

  // Which rows are in the window's view (the page scrolls, not an inner box).
  const measure = useCallback(() => {
    const el = wrapRef.current;
    if (!el) return;
    const top = el.getBoundingClientRect().top;
    const next = visibleRows(-top, window.innerHeight, ROW_H, total, OVERSCAN);
    setRange((r) => (r.first === next.first && r.last === next.last ? r : next));
    setDpr(window.devicePixelRatio || 1);
  }, [total]);

  useLayoutEffect(() => {
    measure();
  }, [measure]);

  useEffect(() => {
    let raf = 0;
    const onScroll = () => {
      if (raf) return;
      raf = requestAnimationFrame(() => {
        raf = 0;
        measure();
      });
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll);
    return () => {
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onScroll);
      if (raf) cancelAnimationFrame(raf);
    };
  }, [measure]);

  const layout = useMemo(
    () => layoutFleetCells({ clusters, first: range.first, last: range.last, cols, dim }),
    [clusters, range.first, range.last, cols, dim],
  );
  const cellsW = cols * (CELL_W + CELL_GAP);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const id = requestAnimationFrame(() => {
      const ctx = prepareCanvas(canvas, cellsW, layout.rows * ROW_H, dpr);
      if (!ctx) return;
      const d = (x: number) => Math.round(x * dpr);
      drawFleetCells(
        ctx,
        layout,
        (r, c) => ({
          x: d(c * (CELL_W + CELL_GAP)),
          y: d(r * ROW_H + CELL_PAD_Y),
          w: d(CELL_W),
          h: d(ROW_H - 2 * CELL_PAD_Y),
        }),
        { theme, palette, dpr, outline: OUTLINE[theme] },
      );
      // For benchmarks and tests: which data this frame shows, and how long after it arrived it was drawn.
      canvas.dataset.seq = String(seq);
      if (receivedAt !== null) canvas.dataset.frameMs = String(Math.max(0, Math.round(Date.now() - receivedAt)));
    });
    return () => cancelAnimationFrame(id);
  }, [layout, cellsW, dpr, theme, palette, seq, receivedAt]);

  // Keyboard cursor: follows its cluster when rows reorder.
  const cursorRow = cursor ? clusters.findIndex((c) => c.name === cursor.name) : -1;
  const scrollRowIntoView = useCallback((row: number) => {
    const el = wrapRef.current;
    if (!el) return;
    const top = el.getBoundingClientRect().top + row * ROW_H;
    const margin = ROW_H * 2;
    if (top < margin) window.scrollBy({ top: top - margin });
    else if (top + ROW_H > window.innerHeight - margin)
      window.scrollBy({ top: top + ROW_H - window.innerHeight + margin });
  }, []);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (total === 0) return;
    if (e.key === 'Enter') {
      const row = Math.max(cursorRow, 0);
      onOpen(clusters[row].name);
      e.preventDefault();
      return;
    }
    const cur = cursorRow >= 0 && cursor ? { row: cursorRow, col: cursor.col } : { row: -1, col: -1 };
    const page = Math.max(1, Math.floor(window.innerHeight / ROW_H) - 3);
    const next =
      cur.row < 0 && e.key === 'ArrowDown'
        ? { row: 0, col: -1 }
        : moveCursor(cur.row < 0 ? { row: 0, col: -1 } : cur, e.key, {
            rows: total,
            colsOf: (r) => clusters[r].members.length,
            page,
          });
    if (!next) return;
    e.preventDefault();
    setCursor({ name: clusters[next.row].name, col: next.col });
    scrollRowIntoView(next.row);
  };

  const rows = [];
  for (let i = range.first; i < range.last; i++) {
    const c = clusters[i];
    rows.push(
      <FleetRow
        key={c.name}
        cluster={c}
        index={i}
        active={i === cursorRow}
        serverNow={serverNow}
        tickMs={tickMs}
        cellsW={cellsW}
        onOpen={onOpen}
      />,
    );
  }

  const hv = hover && hover.row < total ? hover : null;
  const cursorCell =
    cursorRow >= 0 && cursor && cursor.col >= 0 && cursor.col < (clusters[cursorRow]?.members.length ?? 0)
      ? { row: cursorRow, col: cursor.col }
      : null;
  const describeActive = cursorRow >= 0 ? describeRow(clusters[cursorRow], cursor?.col ?? -1, dim) : '';

  return (
    <div>
      <div
        className="sticky top-0 z-10 flex items-end border-b border-slate-200 bg-slate-50/95 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:bg-slate-950/95 dark:text-slate-400"
        aria-hidden
      >
        <div style={{ width: NAME_W }} className="pl-9">
          Cluster
        </div>
        <div style={{ width: SOURCE_W }}>Source</div>
        <div
          style={{ width: Math.max(cellsW, 64) + COUNT_W }}
          className="truncate"
          title={`${DIMENSIONS[dim].label}: each member's share against its expected share`}
        >
          Members
        </div>
        <div style={{ width: SCORE_W }}>Imbalance</div>
        <div className="min-w-0 flex-1">Worst finding</div>
        <div className="w-24 text-right">Updated</div>
      </div>
      <div
        ref={wrapRef}
        role="grid"
        tabIndex={0}
        aria-rowcount={total}
        aria-label={`Clusters, worst first: ${total}. Arrow keys move, Enter opens.`}
        aria-activedescendant={
          cursorRow >= range.first && cursorRow < range.last ? `fleet-row-${cursorRow}` : undefined
        }
        data-testid="fleet-grid"
        data-rows={total}
        data-first={range.first}
        data-last={range.last}
        onKeyDown={onKeyDown}
        onFocus={() => {
          if (!cursor && total > 0) setCursor({ name: clusters[0].name, col: -1 });
        }}
        className="relative outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
        style={{ height: total * ROW_H }}
      >
        {rows}
        <canvas
          ref={canvasRef}
          data-testid="fleet-canvas"
          data-dim={dim}
          data-palette={palette}
          data-value-cells={layout.counts.value}
          data-down-cells={layout.counts.down}
          aria-hidden
          className="absolute cursor-pointer"
          style={{ left: CELLS_X, top: range.first * ROW_H, width: cellsW, height: layout.rows * ROW_H }}
          onPointerMove={(e) => {
            const rect = e.currentTarget.getBoundingClientRect();
            const x = e.clientX - rect.left;
            const y = e.clientY - rect.top;
            const cell = cellAt(x, y, { rowHeight: ROW_H, cellWidth: CELL_W, gap: CELL_GAP }, layout);
            setHover(
              cell && cell.col < clusters[cell.row].members.length
                ? { ...cell, x: x + CELLS_X, y: y + range.first * ROW_H }
                : null,
            );
          }}
          onPointerLeave={() => setHover(null)}
          onClick={(e) => {
            const rect = e.currentTarget.getBoundingClientRect();
            const row = range.first + Math.floor((e.clientY - rect.top) / ROW_H);
            if (row >= 0 && row < total) onOpen(clusters[row].name);
          }}
        />
        {cursorCell && (
          <div
            className="pointer-events-none absolute rounded-[3px] ring-2 ring-sky-500 ring-offset-1 ring-offset-white dark:ring-sky-300 dark:ring-offset-slate-950"
            style={{
              left: CELLS_X + cursorCell.col * (CELL_W + CELL_GAP) - 1,
              top: cursorCell.row * ROW_H + CELL_PAD_Y - 1,
              width: CELL_W + 2,
              height: ROW_H - 2 * CELL_PAD_Y + 2,
            }}
          />
        )}
        {hv && <CellTooltip cluster={clusters[hv.row]} col={hv.col} dim={dim} x={hv.x} y={hv.y} />}
      </div>
      <p className="sr-only" aria-live="polite">
        {describeActive}
      </p>
    </div>
  );
}

function FleetRow({
  cluster: c,
  index,
  active,
  serverNow,
  tickMs,
  cellsW,
  onOpen,
}: {
  cluster: FleetCluster;
  index: number;
  active: boolean;
  serverNow: number | null;
  tickMs: number;
  cellsW: number;
  onOpen: (name: string) => void;
}) {
  const st = CLUSTER_STATUS[c.status];
  const age = serverNow !== null && c.updatedAt !== null ? serverNow - c.updatedAt : null;
  const stale = age !== null && age > 3 * Math.max(tickMs, c.pollIntervalMs);
  const up = c.members.filter((m) => m.status !== 'down').length;
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the grid handles the keyboard (Enter opens the active row)
    <div
      id={`fleet-row-${index}`}
      role="row"
      tabIndex={-1}
      aria-rowindex={index + 1}
      aria-selected={active}
      data-testid="fleet-row"
      data-cluster={c.name}
      data-source={c.source}
      data-status={c.status}
      data-index={index}
      data-severity={c.worst?.severity ?? ''}
      onClick={() => onOpen(c.name)}
      className={`absolute inset-x-0 flex cursor-pointer items-center border-b border-slate-100 text-sm hover:bg-slate-100 dark:border-slate-800/70 dark:hover:bg-slate-800/60 ${
        active ? 'bg-sky-50 ring-2 ring-sky-500 ring-inset dark:bg-sky-500/10 dark:ring-sky-400' : ''
      }`}
      style={{ top: index * ROW_H, height: ROW_H }}
    >
      <div style={{ width: NAME_W }} className="flex min-w-0 items-center gap-2 pr-2 pl-1">
        <span
          className={`inline-flex h-6 w-6 shrink-0 items-center justify-center rounded-md text-xs font-bold ring-1 ring-inset ${st.badge}`}
          title={st.label}
          role="img"
          aria-label={st.label}
        >
          {st.icon}
        </span>
        <a
          href={pagePath.cluster(c.name)}
          onClick={(e) => {
            if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) {
              e.stopPropagation();
              return;
            }
            e.preventDefault();
          }}
          tabIndex={-1}
          className="truncate font-semibold hover:underline"
          title={`${c.name}${
            Object.keys(c.labels).length
              ? `\n${Object.entries(c.labels)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(' ')}`
              : ''
          }`}
          data-testid="fleet-row-name"
        >
          {c.name}
        </a>
      </div>
      <div style={{ width: SOURCE_W }} className="shrink-0">
        <span
          className={`inline-flex items-center rounded px-1.5 py-0.5 text-xs font-semibold whitespace-nowrap ring-1 ring-inset ${SOURCE_BADGE[c.source]}`}
          title={SOURCE_TITLE[c.source]}
          data-testid="fleet-row-source"
        >
          {SOURCE_TEXT[c.source]}
        </span>
      </div>
      {/* the canvas draws the cells here */}
      <div
        style={{ width: Math.max(cellsW, 64) + COUNT_W, paddingLeft: cellsW + 8 }}
        className="shrink-0 text-xs tabular-nums text-slate-500 dark:text-slate-400"
        title="members up / members"
      >
        <span className={up < c.members.length ? 'font-semibold text-red-700 dark:text-red-400' : ''}>
          {up}/{c.members.length}
        </span>
      </div>
      <div style={{ width: SCORE_W }} className="shrink-0">
        <ScoreNumber score={c.score} size="sm" showLevel={false} testId="fleet-row-score" />
      </div>
      <div className="min-w-0 flex-1 truncate">
        {c.worst ? (
          <span className={SEVERITY_COLOR[c.worst.severity].text} title={c.worst.title}>
            <span aria-hidden>{SEVERITY[c.worst.severity].icon} </span>
            {c.worst.title}
            {c.findings.critical + c.findings.warning + c.findings.info > 1 && (
              <span className="text-slate-500 dark:text-slate-400">
                {' '}
                · +{c.findings.critical + c.findings.warning + c.findings.info - 1} more
              </span>
            )}
          </span>
        ) : (
          <span className="text-slate-400 dark:text-slate-500">no findings</span>
        )}
      </div>
      <div
        className={`w-24 shrink-0 pr-2 text-right text-xs tabular-nums ${stale ? 'font-semibold text-amber-700 dark:text-amber-400' : 'text-slate-500 dark:text-slate-400'}`}
      >
        {age === null ? '—' : `${stale ? '▲ ' : ''}${formatAge(age)} ago`}
      </div>
    </div>
  );
}

function CellTooltip({
  cluster,
  col,
  dim,
  x,
  y,
}: {
  cluster: FleetCluster;
  col: number;
  dim: DimensionId;
  x: number;
  y: number;
}) {
  const m = cluster.members[col];
  if (!m) return null;
  const cell = memberCell(m, dim);
  const d = m.dims[dim];
  const ms = MEMBER_STATUS[m.status];
  return (
    <div
      role="tooltip"
      data-testid="fleet-tooltip"
      className="pointer-events-none absolute z-20 w-64 rounded-lg border border-slate-200 bg-white/95 p-3 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-800/95"
      style={{ left: x + 14, top: y + 14 }}
    >
      <div className="truncate font-bold">
        {m.isLeader && <span className="text-violet-600 dark:text-violet-300">♛ </span>}
        {m.name}
      </div>
      <div className="truncate text-xs text-slate-500 dark:text-slate-400">
        {cluster.name} · {m.endpoint}
      </div>
      <div className="mt-1.5">
        <span aria-hidden>{ms.icon}</span> {ms.label}
      </div>
      {cell.kind === CELL_DOWN ? null : cell.kind === CELL_NODATA ? (
        <div className="text-slate-500 dark:text-slate-400">no {DIMENSIONS[dim].label.toLowerCase()} data</div>
      ) : (
        <div className="tabular-nums">
          {formatPercent(d?.share)} of {DIMENSIONS[dim].label.toLowerCase()}{' '}
          <span className="text-slate-500 dark:text-slate-400">vs {formatPercent(d?.expected)} expected</span> ={' '}
          <b>{formatRatio(cell.ratio)}</b>
        </div>
      )}
    </div>
  );
}

/** What a screen reader hears for the active row or cell. */
function describeRow(c: FleetCluster, col: number, dim: DimensionId): string {
  const base = `${c.name}, ${CLUSTER_STATUS[c.status].label}, ${c.source}, imbalance ${formatScore(c.score)}${c.worst ? `, ${c.worst.severity}: ${c.worst.title}` : ''}`;
  const m = col >= 0 ? c.members[col] : undefined;
  if (!m) return base;
  const d = m.dims[dim];
  return `${c.name}: member ${m.name}${m.isLeader ? ' (leader)' : ''}, ${m.status}, ${formatPercent(d?.share)} vs ${formatPercent(d?.expected)} expected`;
}
