// What a heatmap cell shows (the cluster page's member × time heatmap and the fleet's clusters ×
// members one): its own module, so that a page drawing cells does not load the time layout.
export const CELL_EMPTY = 0;
export const CELL_VALUE = 1;
export const CELL_DOWN = 2;
export const CELL_NODATA = 3;
export type CellKind = typeof CELL_EMPTY | typeof CELL_VALUE | typeof CELL_DOWN | typeof CELL_NODATA;
