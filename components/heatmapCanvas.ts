// Drawing the member × time heatmap on a canvas: one Path2D per colour bucket, then down and
// no-data cells, the leader, changes and finding marks. No React: the cluster page's Heatmap,
// the fleet grid and the wall all draw with it, and only the cluster page needs the component.
import { type Palette, type Theme, absolutePalette, relativePalette } from '@/lib/client/color';
import type { HeatmapMark } from '@/lib/client/findingMarks';
import { CELL_DOWN, CELL_NODATA, CELL_VALUE } from '@/lib/client/cells';
import type { HeatmapLayout } from '@/lib/client/heatmap';
import type { HeatmapMode } from '@/lib/client/viewParams';
import { SEVERITY_COLOR } from './styles';

const SEVERITY_DRAW_ORDER = ['info', 'warning', 'critical'] as const;

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
