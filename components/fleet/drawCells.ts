// Fleet heatmap cells on a canvas: one Path2D per colour bucket (as on the cluster page), the
// down hatch, a faint box for "no data", and the leader's bar along the bottom of its cell.
import { type Palette, type Theme, relativePalette } from '@/lib/client/color';
import type { FleetCellsLayout } from '@/lib/client/fleet/grid';
import { CELL_DOWN, CELL_NODATA, CELL_VALUE } from '@/lib/client/cells';
import { THEME_COLORS, hatchPattern } from '../heatmapCanvas';

export interface CellBox {
  /** Device px of cell (row r of the layout, col c). */
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Fills the cells of `layout`; `box(r, c)` places each (r relative to layout.first). Call between
 * a clearRect and any text: this only fills the cells.
 */
export function drawFleetCells(
  ctx: CanvasRenderingContext2D,
  layout: FleetCellsLayout,
  box: (r: number, c: number) => CellBox,
  opts: { theme: Theme; palette: Palette; dpr: number; outline?: string },
): void {
  const colors = relativePalette(opts.theme, opts.palette);
  const paths: Array<Path2D | null> = colors.map(() => null);
  const down = new Path2D();
  const nodata = new Path2D();
  const leader = new Path2D();
  const outline = opts.outline ? new Path2D() : null;
  let anyDown = false;
  let anyNodata = false;
  let anyLeader = false;
  for (let r = 0; r < layout.rows; r++) {
    for (let c = 0; c < layout.cols; c++) {
      const k = r * layout.cols + c;
      const kind = layout.kind[k];
      if (kind !== CELL_VALUE && kind !== CELL_DOWN && kind !== CELL_NODATA) continue;
      const b = box(r, c);
      outline?.rect(b.x + 0.5, b.y + 0.5, b.w - 1, b.h - 1);
      if (kind === CELL_VALUE) {
        const path = paths[layout.bucket[k]] ?? new Path2D();
        paths[layout.bucket[k]] = path;
        path.rect(b.x, b.y, b.w, b.h);
      } else if (kind === CELL_DOWN) {
        down.rect(b.x, b.y, b.w, b.h);
        anyDown = true;
      } else {
        nodata.rect(b.x, b.y, b.w, b.h);
        anyNodata = true;
      }
      if (layout.leader[k]) {
        const barH = Math.max(2, Math.round(b.h * 0.16));
        leader.rect(b.x, b.y + b.h - barH, b.w, barH);
        anyLeader = true;
      }
    }
  }
  paths.forEach((p, i) => {
    if (!p) return;
    ctx.fillStyle = colors[i];
    ctx.fill(p);
  });
  const tc = THEME_COLORS[opts.theme];
  if (anyNodata) {
    ctx.fillStyle = tc.nodata;
    ctx.fill(nodata);
  }
  if (anyDown) {
    ctx.fillStyle = hatchPattern(ctx, opts.theme, opts.dpr);
    ctx.fill(down);
  }
  if (outline && opts.outline) {
    // A hairline round every member's cell: near-neutral cells stay visible on a page of the same colour.
    ctx.strokeStyle = opts.outline;
    ctx.lineWidth = 1;
    ctx.stroke(outline);
  }
  if (anyLeader) {
    ctx.fillStyle = tc.leader;
    ctx.globalAlpha = 0.85;
    ctx.fill(leader);
    ctx.globalAlpha = 1;
  }
}

/** Sizes a canvas's backing store to its CSS box × devicePixelRatio; returns the context, reset. */
export function prepareCanvas(
  canvas: HTMLCanvasElement,
  cssW: number,
  cssH: number,
  dpr: number,
): CanvasRenderingContext2D | null {
  const w = Math.max(1, Math.round(cssW * dpr));
  const h = Math.max(1, Math.round(cssH * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return ctx;
}
