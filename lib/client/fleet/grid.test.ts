import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RELATIVE_BUCKETS } from '../color';
import { CELL_DOWN, CELL_EMPTY, CELL_NODATA, CELL_VALUE } from '../cells';
import { cellAt, layoutFleetCells, maxMembers, memberCell, moveCursor, visibleRows } from './grid';
import { fleetCluster, fleetMember } from './testkit';

const MID = (RELATIVE_BUCKETS - 1) / 2;

describe('memberCell', () => {
  it('colours share against expected on the cluster page scale', () => {
    expect(memberCell(fleetMember('a', 1 / 3, 1 / 3), 'requests')).toMatchObject({ kind: CELL_VALUE, bucket: MID });
    const hot = memberCell(fleetMember('a', 0.8, 0.2), 'requests');
    expect(hot.kind).toBe(CELL_VALUE);
    expect(hot.ratio).toBeCloseTo(4);
    expect(hot.bucket).toBe(RELATIVE_BUCKETS - 1);
    expect(memberCell(fleetMember('a', 0, 0.5), 'requests').bucket).toBe(0);
    expect(memberCell(fleetMember('a', 0.1, 0), 'requests').ratio).toBe(Number.POSITIVE_INFINITY);
  });
  it('tells down, no data and no member apart', () => {
    expect(memberCell(fleetMember('a', 0.5, 0.5, { status: 'down' }), 'requests').kind).toBe(CELL_DOWN);
    expect(memberCell(fleetMember('a', null, 0.5), 'requests').kind).toBe(CELL_NODATA);
    expect(memberCell(fleetMember('a', 0.5, 0.5), 'cpu').kind).toBe(CELL_NODATA);
    expect(memberCell(undefined, 'requests').kind).toBe(CELL_EMPTY);
  });
});

describe('visibleRows', () => {
  it('covers the viewport plus overscan, clamped to the list', () => {
    expect(visibleRows(0, 100, 20, 500, 2)).toEqual({ first: 0, last: 7 });
    expect(visibleRows(1000, 100, 20, 500, 2)).toEqual({ first: 48, last: 57 });
    expect(visibleRows(9990, 100, 20, 500, 2)).toEqual({ first: 497, last: 500 });
    expect(visibleRows(0, 100, 20, 0)).toEqual({ first: 0, last: 0 });
  });
  it('always includes every row intersecting the viewport, and never more than a screenful plus overscan', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 8, max: 80 }),
        fc.integer({ min: 0, max: 1000 }),
        (top, h, rh, total) => {
          const { first, last } = visibleRows(top, h, rh, total, 3);
          expect(first).toBeGreaterThanOrEqual(0);
          expect(last).toBeLessThanOrEqual(total);
          expect(last - first).toBeLessThanOrEqual(Math.ceil(h / rh) + 8);
          for (let r = Math.floor(top / rh); r * rh < top + h && r < total; r++) {
            expect(r).toBeGreaterThanOrEqual(first);
            expect(r).toBeLessThan(last);
          }
        },
      ),
    );
  });
});

describe('layoutFleetCells', () => {
  const clusters = [
    fleetCluster('a', {}, [0.6, 0.2, 0.2]),
    fleetCluster('b', {}, [0.2, 0.2, 0.2, 0.2, 0.2]),
    fleetCluster('c', {}, [0.5, 0.5]),
  ];
  clusters[2].members[1] = { ...clusters[2].members[1], status: 'down' };

  it('lays out only the rows asked for, padding short clusters with empty cells', () => {
    const l = layoutFleetCells({ clusters, first: 1, last: 3, cols: maxMembers(clusters), dim: 'requests' });
    expect(l).toMatchObject({ first: 1, rows: 2, cols: 5 });
    expect([...l.kind.slice(0, 5)]).toEqual([1, 1, 1, 1, 1]);
    expect([...l.kind.slice(5)]).toEqual([CELL_VALUE, CELL_DOWN, CELL_EMPTY, CELL_EMPTY, CELL_EMPTY]);
    expect(l.counts).toEqual({ value: 6, down: 1, nodata: 0 });
    expect(l.leader[0]).toBe(1);
    expect(l.leader[5]).toBe(1);
  });

  it('clamps a range past the end', () => {
    const l = layoutFleetCells({ clusters, first: 2, last: 99, cols: 3, dim: 'requests' });
    expect(l.rows).toBe(1);
    expect(layoutFleetCells({ clusters, first: 9, last: 12, cols: 3, dim: 'requests' }).rows).toBe(0);
  });
});

describe('cellAt', () => {
  const g = { rowHeight: 20, cellWidth: 16, gap: 4 };
  const l = { first: 10, rows: 5, cols: 3 };
  it('finds the cell under a point and misses gaps and the outside', () => {
    expect(cellAt(0, 0, g, l)).toEqual({ row: 10, col: 0 });
    expect(cellAt(21, 45, g, l)).toEqual({ row: 12, col: 1 });
    expect(cellAt(17, 5, g, l)).toBeNull();
    expect(cellAt(61, 5, g, l)).toBeNull();
    expect(cellAt(5, 100, g, l)).toBeNull();
    expect(cellAt(-1, 5, g, l)).toBeNull();
  });
});

describe('moveCursor', () => {
  const p = { rows: 4, colsOf: (r: number) => (r === 1 ? 5 : 3), page: 2 };
  it('moves between rows and cells, staying inside', () => {
    expect(moveCursor({ row: 0, col: -1 }, 'ArrowDown', p)).toEqual({ row: 1, col: -1 });
    expect(moveCursor({ row: 1, col: 4 }, 'ArrowDown', p)).toEqual({ row: 2, col: 2 });
    expect(moveCursor({ row: 0, col: -1 }, 'ArrowUp', p)).toEqual({ row: 0, col: -1 });
    expect(moveCursor({ row: 0, col: 2 }, 'ArrowRight', p)).toEqual({ row: 0, col: 2 });
    expect(moveCursor({ row: 0, col: 0 }, 'ArrowLeft', p)).toEqual({ row: 0, col: -1 });
    expect(moveCursor({ row: 0, col: -1 }, 'ArrowLeft', p)).toEqual({ row: 0, col: -1 });
    expect(moveCursor({ row: 0, col: 1 }, 'PageDown', p)).toEqual({ row: 2, col: 1 });
    expect(moveCursor({ row: 2, col: 1 }, 'End', p)).toEqual({ row: 3, col: -1 });
    expect(moveCursor({ row: 2, col: 1 }, 'Home', p)).toEqual({ row: 0, col: -1 });
    expect(moveCursor({ row: 2, col: 1 }, 'x', p)).toBeNull();
    expect(moveCursor({ row: 0, col: 0 }, 'ArrowDown', { ...p, rows: 0 })).toBeNull();
  });
});
