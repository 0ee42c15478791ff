import { describe, expect, it } from 'vitest';
import {
  findingsAt,
  heatmapMarks,
  rowOf,
  timelineMarks,
  worstPerRow,
  worstSegments,
  type MarkFinding,
} from './findingMarks';

const members = [
  { endpoint: 'http://a:2379', name: 'etcd-1' },
  { endpoint: 'http://b:2379', name: 'etcd-2' },
  { endpoint: 'http://c:2379', name: 'etcd-3' },
];

const f = (id: string, over: Partial<MarkFinding> = {}): MarkFinding => ({
  id,
  kind: 'request-skew',
  members: ['http://c:2379'],
  severity: 'warning',
  since: 1_500,
  title: `finding ${id}`,
  ...over,
});

describe('timelineMarks', () => {
  it('spans each finding from since (clamped to the window) to the right edge, most severe first', () => {
    const marks = timelineMarks(
      [f('w', { since: 1_500 }), f('c', { severity: 'critical', since: 500 }), f('future', { since: 5_000 })],
      1_000,
      3_000,
    );
    expect(marks.map((m) => [m.id, m.x1, m.x2, m.clipped])).toEqual([
      ['c', 1_000, 3_000, true],
      ['w', 1_500, 3_000, false],
    ]);
  });
  it('an empty window marks nothing', () => {
    expect(timelineMarks([f('a')], 2_000, 2_000)).toEqual([]);
  });
});

describe('findingsAt', () => {
  it('lists the findings started by t, optionally for one member', () => {
    const list = [
      f('a', { since: 100, severity: 'info' }),
      f('b', { since: 200, members: ['http://a:2379'], severity: 'critical' }),
      f('c', { since: 900 }),
    ];
    expect(findingsAt(list, 500).map((x) => x.id)).toEqual(['b', 'a']);
    expect(findingsAt(list, 500, 'http://c:2379').map((x) => x.id)).toEqual(['a']);
    expect(findingsAt(list, 50)).toEqual([]);
  });
});

describe('heatmapMarks', () => {
  it('puts a span on each named member row from since to the right edge, in device pixels', () => {
    const marks = heatmapMarks(
      [f('a', { since: 2_000, members: ['http://c:2379', 'etcd-1'] })],
      members,
      1_000,
      3_000,
      400,
    );
    expect(marks).toEqual([
      { id: 'a', severity: 'warning', row: 2, lane: 0, x0: 200, x1: 400, clipped: false },
      { id: 'a', severity: 'warning', row: 0, lane: 0, x0: 200, x1: 400, clipped: false },
    ]);
  });
  it('stacks several findings of one member in lanes, most severe on top, at most maxLanes', () => {
    const list = [f('i', { severity: 'info' }), f('w'), f('c', { severity: 'critical' }), f('w2', { since: 1_600 })];
    const marks = heatmapMarks(list, members, 1_000, 3_000, 100, 3);
    expect(marks.map((m) => [m.id, m.lane])).toEqual([
      ['c', 0],
      ['w', 1],
      ['w2', 2],
    ]);
  });
  it('clamps to the left edge and skips unknown members and findings after the window', () => {
    const marks = heatmapMarks(
      [f('old', { since: 0 }), f('ghost', { members: ['http://z:2379'] }), f('late', { since: 9_000 })],
      members,
      1_000,
      3_000,
      100,
    );
    expect(marks).toEqual([{ id: 'old', severity: 'warning', row: 2, lane: 0, x0: 0, x1: 100, clipped: true }]);
  });
});

describe('rows', () => {
  it('finds a member by endpoint or name', () => {
    expect(rowOf(members, 'http://b:2379')).toBe(1);
    expect(rowOf(members, 'etcd-3')).toBe(2);
    expect(rowOf(members, 'nope')).toBe(-1);
  });
  it('worstPerRow lists each row’s findings, most severe first', () => {
    const rows = worstPerRow([f('w'), f('c', { severity: 'critical', members: ['etcd-3', 'etcd-1'] })], members);
    expect(rows.map((r) => r.map((x) => x.id))).toEqual([['c'], [], ['c', 'w']]);
  });
});

describe('worstSegments', () => {
  it('tints each stretch of the window by the worst finding active in it, without overlaps', () => {
    const marks = timelineMarks(
      [
        f('i1', { severity: 'info', since: 1_100 }),
        f('w', { since: 1_500 }),
        f('i2', { severity: 'info', since: 1_700 }),
        f('c', { severity: 'critical', since: 2_000 }),
      ],
      1_000,
      3_000,
    );
    // info findings are listed, not drawn
    expect(marks.some((m) => m.severity === 'info')).toBe(false);
    expect(worstSegments(marks)).toEqual([
      { x1: 1_500, x2: 2_000, severity: 'warning' },
      { x1: 2_000, x2: 3_000, severity: 'critical' },
    ]);
  });
  it('a worse finding starting at the same time replaces the milder one', () => {
    const marks = timelineMarks(
      [f('i', { severity: 'info', since: 500 }), f('c', { severity: 'critical', since: 800 })],
      1_000,
      3_000,
    );
    expect(worstSegments(marks)).toEqual([{ x1: 1_000, x2: 3_000, severity: 'critical' }]);
    expect(worstSegments([])).toEqual([]);
  });
});
