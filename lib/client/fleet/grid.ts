// The fleet heatmap's geometry: a row per cluster, a cell per member coloured by its share
// against the expected share (the cluster page's colour scale and buckets). Only the rows in
// view are laid out (virtualised: 500 clusters cost what a screenful costs). Pure; the canvas
// draws one Path2D per colour bucket from this.
import type { FleetCluster, FleetMember } from '../../fleet/types';
import type { DimensionId } from '../../types';
import { relativeBucket } from '../color';
import { CELL_DOWN, CELL_EMPTY, CELL_NODATA, CELL_VALUE, type CellKind } from '../cells';

export interface MemberCell {
  kind: CellKind;
  /** Relative colour bucket (CELL_VALUE only). */
  bucket: number;
  /** share / expected; NaN when unknown. */
  ratio: number;
}

/** What one member's cell shows for a dimension. */
export function memberCell(m: FleetMember | undefined, dim: DimensionId): MemberCell {
  if (!m) return { kind: CELL_EMPTY, bucket: 0, ratio: Number.NaN };
  if (m.status === 'down') return { kind: CELL_DOWN, bucket: 0, ratio: Number.NaN };
  const d = m.dims[dim];
  const s = d?.share;
  const e = d?.expected;
  if (s === null || s === undefined || e === null || e === undefined || !Number.isFinite(s) || !Number.isFinite(e)) {
    return { kind: CELL_NODATA, bucket: 0, ratio: Number.NaN };
  }
  const ratio = e > 0 ? s / e : s > 0 ? Number.POSITIVE_INFINITY : 1;
  return { kind: CELL_VALUE, bucket: relativeBucket(ratio), ratio };
}

/** Rows [first, last) to render for a scroll position, with `overscan` rows either side. */
export function visibleRows(
  scrollTop: number,
  viewHeight: number,
  rowHeight: number,
  total: number,
  overscan = 6,
): { first: number; last: number } {
  if (total <= 0 || rowHeight <= 0) return { first: 0, last: 0 };
  const top = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const bottom = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewHeight)) / rowHeight) + overscan;
  const first = Math.min(top, total);
  return { first, last: Math.min(total, Math.max(first, bottom)) };
}

export interface FleetCellsLayout {
  first: number;
  rows: number;
  cols: number;
  /** Per cell ((row - first) * cols + col). */
  kind: Uint8Array;
  bucket: Uint8Array;
  ratio: Float64Array;
  /** 1 where the member is the leader. */
  leader: Uint8Array;
  counts: { value: number; down: number; nodata: number };
}

/** The cells of clusters[first..last), `cols` wide (members past a cluster's count are empty). */
export function layoutFleetCells(p: {
  clusters: readonly FleetCluster[];
  first: number;
  last: number;
  cols: number;
  dim: DimensionId;
}): FleetCellsLayout {
  const first = Math.max(0, Math.min(p.first, p.clusters.length));
  const last = Math.max(first, Math.min(p.last, p.clusters.length));
  const rows = last - first;
  const cols = Math.max(0, Math.floor(p.cols));
  const n = rows * cols;
  const kind = new Uint8Array(n);
  const bucket = new Uint8Array(n);
  const ratio = new Float64Array(n).fill(Number.NaN);
  const leader = new Uint8Array(n);
  const counts = { value: 0, down: 0, nodata: 0 };
  for (let r = 0; r < rows; r++) {
    const members = p.clusters[first + r].members;
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      const m = members[c];
      const cell = memberCell(m, p.dim);
      kind[k] = cell.kind;
      bucket[k] = cell.bucket;
      ratio[k] = cell.ratio;
      if (m?.isLeader && m.status !== 'down') leader[k] = 1;
      if (cell.kind === CELL_VALUE) counts.value++;
      else if (cell.kind === CELL_DOWN) counts.down++;
      else if (cell.kind === CELL_NODATA) counts.nodata++;
    }
  }
  return { first, rows, cols, kind, bucket, ratio, leader, counts };
}

/** The most members any of the clusters has (the grid's width in cells), at least 1. */
export function maxMembers(clusters: readonly FleetCluster[]): number {
  let n = 1;
  for (const c of clusters) if (c.members.length > n) n = c.members.length;
  return n;
}

export interface CellGeometry {
  rowHeight: number;
  cellWidth: number;
  /** Space between cells, and above/below them in a row. */
  gap: number;
}

/** Cell under a point (CSS px, relative to the top-left of row `first`'s first cell), or null. */
export function cellAt(
  x: number,
  y: number,
  g: CellGeometry,
  layout: Pick<FleetCellsLayout, 'first' | 'rows' | 'cols'>,
): { row: number; col: number } | null {
  if (x < 0 || y < 0) return null;
  const r = Math.floor(y / g.rowHeight);
  const pitch = g.cellWidth + g.gap;
  const c = Math.floor(x / pitch);
  if (r >= layout.rows || c >= layout.cols || x - c * pitch >= g.cellWidth) return null;
  return { row: layout.first + r, col: c };
}

/** Keyboard navigation over rows × cells: col -1 is the row itself. Pure. */
export function moveCursor(
  cur: { row: number; col: number },
  key: string,
  p: { rows: number; colsOf: (row: number) => number; page: number },
): { row: number; col: number } | null {
  if (p.rows <= 0) return null;
  const clampRow = (r: number) => Math.max(0, Math.min(p.rows - 1, r));
  const fitCol = (r: number, c: number) => Math.min(c, p.colsOf(r) - 1);
  const row = clampRow(cur.row);
  switch (key) {
    case 'ArrowDown':
      return { row: clampRow(row + 1), col: fitCol(clampRow(row + 1), cur.col) };
    case 'ArrowUp':
      return { row: clampRow(row - 1), col: fitCol(clampRow(row - 1), cur.col) };
    case 'PageDown':
      return { row: clampRow(row + p.page), col: fitCol(clampRow(row + p.page), cur.col) };
    case 'PageUp':
      return { row: clampRow(row - p.page), col: fitCol(clampRow(row - p.page), cur.col) };
    case 'Home':
      return { row: 0, col: -1 };
    case 'End':
      return { row: p.rows - 1, col: -1 };
    case 'ArrowRight':
      return { row, col: Math.min(p.colsOf(row) - 1, cur.col + 1) };
    case 'ArrowLeft':
      return { row, col: Math.max(-1, cur.col - 1) };
    default:
      return null;
  }
}
