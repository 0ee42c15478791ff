// The wall's layout, computed from the viewport alone: every box fits the screen (no scrolling,
// no input), and the headline numbers are sized for reading across a room. Pure and tested at
// the sizes a wall runs at (1366×768, 1920×1080, 3840×2160) and at any size in between.

/** Headline numbers: at least this fraction of the viewport height (about 4 cm on a 55" TV: legible at 5 m). */
export const HEADLINE_FRACTION = 0.06;
/** No text on the wall is smaller than this (CSS px). */
export const MIN_TEXT_PX = 12;

export interface FleetTiles {
  /** One tile per cluster: [status stripe][name][member cells][score]. */
  rowHeight: number;
  tileWidth: number;
  stripeWidth: number;
  nameWidth: number;
  cellWidth: number;
  cellGap: number;
  scoreWidth: number;
  columnGap: number;
  columns: number;
  rowsPerColumn: number;
  perPage: number;
  pages: number;
  /** Text size of a tile's name and score (CSS px). */
  fontPx: number;
}

export interface ClusterSlideLayout {
  headerHeight: number;
  findingHeight: number;
  heatmapHeight: number;
  heatmapRowHeight: number;
  heatmapLabelWidth: number;
  timelineHeight: number;
  /** Space between the blocks. */
  gap: number;
  nameFontPx: number;
  scoreFontPx: number;
  findingFontPx: number;
  labelFontPx: number;
}

export interface WallLayout {
  width: number;
  height: number;
  /** 1/100 of the usable height (height, or width × 9/16 on a portrait or very tall screen). */
  unit: number;
  /** Root font size (px): Tailwind's rem-based sizes scale with the screen. */
  rootFontPx: number;
  pad: number;
  topHeight: number;
  bottomHeight: number;
  /** The stale banner takes this much of the main area when shown. */
  bannerHeight: number;
  mainTop: number;
  mainHeight: number;
  mainWidth: number;
  headlinePx: number;
  clockPx: number;
  smallPx: number;
  fleet: FleetTiles;
  cluster: ClusterSlideLayout;
}

export interface WallLayoutInput {
  width: number;
  height: number;
  /** Clusters on the fleet slide. */
  clusters: number;
  /** Widest cluster (members). */
  maxMembers: number;
  /** Members of the cluster on a cluster slide. */
  focusMembers?: number;
  /** Leave room for the stale banner. */
  banner?: boolean;
}

const r = Math.round;

export function wallLayout(input: WallLayoutInput): WallLayout {
  const width = Math.max(320, Math.floor(input.width));
  const height = Math.max(240, Math.floor(input.height));
  const unit = Math.min(height, (width * 9) / 16) / 100;
  const pad = Math.max(8, r(1.6 * unit));
  const headlinePx = Math.max(r(HEADLINE_FRACTION * height), r(7 * unit));
  const topHeight = r(headlinePx * 1.45);
  const smallPx = Math.max(MIN_TEXT_PX, r(2.2 * unit));
  const clockPx = r(headlinePx * 0.8);
  const bottomHeight = Math.max(smallPx + 10, r(4 * unit));
  const bannerHeight = input.banner ? r(9 * unit) : 0;
  const mainTop = topHeight + pad + bannerHeight;
  const mainHeight = height - mainTop - bottomHeight - pad;
  const mainWidth = width - 2 * pad;
  return {
    width,
    height,
    unit,
    rootFontPx: Math.max(MIN_TEXT_PX, r(1.6 * unit)),
    pad,
    topHeight,
    bottomHeight,
    bannerHeight,
    mainTop,
    mainHeight,
    mainWidth,
    headlinePx,
    clockPx,
    smallPx,
    fleet: fleetTiles(mainWidth, mainHeight, unit, Math.max(0, input.clusters), Math.max(1, input.maxMembers)),
    cluster: clusterSlide(mainWidth, mainHeight, unit, Math.max(1, input.focusMembers ?? 3), headlinePx),
  };
}

/** Tile geometry for a row height (all in CSS px). */
function tileAt(rowHeight: number, members: number) {
  const fontPx = Math.max(MIN_TEXT_PX - 1, r(rowHeight * 0.5));
  const stripeWidth = Math.max(4, r(rowHeight * 0.18));
  const nameWidth = r(fontPx * 9);
  const cellGap = Math.max(1, r(rowHeight * 0.08));
  const cellWidth = r(rowHeight * 0.9);
  const scoreWidth = r(fontPx * 2.6);
  const inner = Math.max(2, r(rowHeight * 0.25));
  const tileWidth = stripeWidth + inner + nameWidth + members * (cellWidth + cellGap) + inner + scoreWidth;
  return { fontPx, stripeWidth, nameWidth, cellGap, cellWidth, scoreWidth, tileWidth };
}

/**
 * The largest rows that show every cluster on one page; below the smallest readable row height,
 * pages of the largest number of rows that fit (the wall rotates through them).
 */
function fleetTiles(w: number, h: number, unit: number, n: number, members: number): FleetTiles {
  const minRow = Math.max(22, r(2.8 * unit));
  const maxRow = Math.max(minRow, r(7 * unit));
  let chosen: FleetTiles | null = null;
  for (let rh = maxRow; rh >= minRow; rh--) {
    const t = tilesAt(w, h, rh, members);
    chosen = t;
    if (t.columns * t.rowsPerColumn >= n) break;
  }
  let t = chosen ?? tilesAt(w, h, minRow, members);
  // Only the columns the clusters fill; the width left over goes to the names (up to twice as wide).
  const columns = Math.max(1, Math.min(t.columns, Math.ceil(n / t.rowsPerColumn)));
  const spare = w - columns * t.tileWidth - (columns - 1) * t.columnGap;
  const extra = Math.max(0, Math.min(t.nameWidth, Math.floor(spare / columns)));
  t = { ...t, columns, nameWidth: t.nameWidth + extra, tileWidth: t.tileWidth + extra };
  const perPage = Math.max(1, t.columns * t.rowsPerColumn);
  return { ...t, perPage, pages: Math.max(1, Math.ceil(n / perPage)) };
}

function tilesAt(w: number, h: number, rowHeight: number, members: number) {
  const g = tileAt(rowHeight, members);
  const columnGap = Math.max(8, r(rowHeight * 0.7));
  let tileWidth = g.tileWidth;
  let columns = Math.max(1, Math.floor((w + columnGap) / (tileWidth + columnGap)));
  // A tile never overflows the screen: a single column shrinks its name.
  let nameWidth = g.nameWidth;
  if (tileWidth > w) {
    nameWidth = Math.max(0, nameWidth - (tileWidth - w));
    tileWidth = w;
    columns = 1;
  }
  const rowsPerColumn = Math.max(1, Math.floor(h / rowHeight));
  return { ...g, rowHeight, nameWidth, tileWidth, columnGap, columns, rowsPerColumn, perPage: 0, pages: 0 };
}

function clusterSlide(w: number, h: number, unit: number, members: number, headlinePx: number): ClusterSlideLayout {
  let gap = Math.max(6, r(1.4 * unit));
  let scoreFontPx = r(headlinePx * 1.25);
  let findingFontPx = Math.max(MIN_TEXT_PX + 2, r(3.6 * unit));
  let headerHeight = r(scoreFontPx * 1.35);
  let findingHeight = r(findingFontPx * 2.9);
  // On a small screen the header and finding give way to the charts, never past the bottom.
  const fixed = headerHeight + findingHeight + 3 * gap;
  if (fixed > 0.55 * h) {
    const k = (0.55 * h) / fixed;
    gap = Math.floor(gap * k);
    scoreFontPx = Math.floor(scoreFontPx * k);
    findingFontPx = Math.floor(findingFontPx * k);
    headerHeight = Math.floor(headerHeight * k);
    findingHeight = Math.floor(findingHeight * k);
  }
  const rest = Math.max(0, h - headerHeight - findingHeight - 3 * gap);
  const timelineHeight = r(rest * 0.36);
  const heatmapRowHeight = Math.max(1, Math.floor((rest - timelineHeight) / Math.max(1, members)));
  const labelFontPx = Math.max(MIN_TEXT_PX, Math.min(r(2.6 * unit), r(heatmapRowHeight * 0.45)));
  return {
    headerHeight,
    findingHeight,
    heatmapHeight: Math.min(heatmapRowHeight * members, rest - timelineHeight),
    heatmapRowHeight,
    heatmapLabelWidth: Math.min(r(w * 0.22), r(labelFontPx * 11)),
    timelineHeight,
    gap,
    nameFontPx: Math.max(MIN_TEXT_PX, r(headlinePx * 0.75)),
    scoreFontPx,
    findingFontPx,
    labelFontPx,
  };
}

/** The clusters on fleet page `page` (0-based) of a list already in wall order. */
export function pageSlice<T>(items: readonly T[], page: number, perPage: number): T[] {
  const p = Math.max(0, Math.floor(page));
  return items.slice(p * perPage, p * perPage + perPage);
}
