import { describe, expect, it } from 'vitest';
import { RELATIVE_BUCKETS, relativeBucket } from './color';
import {
  CELL_DOWN,
  CELL_NODATA,
  CELL_VALUE,
  cellRatio,
  columnAt,
  columnOfTime,
  layoutHeatmap,
  peerMedian,
  robustMax,
  timeTicks,
} from './heatmap';
import { frame } from './testFrames';

const MID = (RELATIVE_BUCKETS - 1) / 2;

function reqFrame(t: number, shares: number[], expected: number[], extra: Parameters<typeof frame>[1] = {}) {
  return frame(t, {
    ...extra,
    values: { requests: shares.map((s) => s * 100), ...extra.values },
    shares: { requests: shares },
    expected: { requests: expected },
  });
}

describe('layoutHeatmap geometry', () => {
  it('places 1 s poll columns by timestamp', () => {
    const fs = [1, 2, 3, 4].map((s) => reqFrame(s * 1000, [0.5, 0.25, 0.25], [0.5, 0.25, 0.25]));
    const l = layoutHeatmap({
      frames: fs,
      rows: 3,
      dim: 'requests',
      mode: 'relative',
      from: 0,
      to: 10_000,
      width: 100,
      pollIntervalMs: 1000,
    });
    expect(l.columns.map((c) => [c.x0, c.x1])).toEqual([
      [0, 10],
      [10, 20],
      [20, 30],
      [30, 40],
    ]);
    expect(l.counts.value).toBe(12);
    expect(Array.from(l.bucket)).toEqual(new Array(12).fill(MID));
  });

  it('draws coarse Prometheus columns wider, leaves gaps empty', () => {
    const fs = [
      reqFrame(10_000, [0.5, 0.5, 0], [0.5, 0.5, 0], { origin: 'prometheus' }),
      reqFrame(20_000, [0.5, 0.5, 0], [0.5, 0.5, 0], { origin: 'prometheus' }),
      // server was down between 20 s and 50 s
      reqFrame(50_000, [0.5, 0.5, 0], [0.5, 0.5, 0]),
      reqFrame(51_000, [0.5, 0.5, 0], [0.5, 0.5, 0]),
    ];
    const l = layoutHeatmap({
      frames: fs,
      rows: 3,
      dim: 'requests',
      mode: 'relative',
      from: 0,
      to: 100_000,
      width: 1000,
      pollIntervalMs: 1000,
    });
    expect(l.columns.map((c) => [c.x0, c.x1])).toEqual([
      [0, 100],
      [100, 200],
      [490, 500],
      [500, 510],
    ]);
    expect(columnAt(l, 300)).toBe(-1);
    expect(columnAt(l, 150)).toBe(1);
    expect(columnAt(l, 505)).toBe(3);
  });

  it('merges frames that fall in one pixel, keeping the most extreme ratio', () => {
    const fs = [
      reqFrame(1000, [0.5, 0.5], [0.5, 0.5]),
      reqFrame(2000, [0.9, 0.1], [0.5, 0.5]),
      reqFrame(3000, [0.6, 0.4], [0.5, 0.5]),
    ];
    const l = layoutHeatmap({
      frames: fs,
      rows: 2,
      dim: 'requests',
      mode: 'relative',
      from: 0,
      to: 1_000_000,
      width: 100,
      pollIntervalMs: 1000,
    });
    expect(l.columns).toHaveLength(1);
    expect(l.columns[0]).toMatchObject({ first: 0, last: 2 });
    expect(l.ratio[0]).toBeCloseTo(1.8);
    expect(l.ratio[1]).toBeCloseTo(0.2);
    expect(l.frameOf[0]).toBe(1);
  });

  it('clips to the window', () => {
    const fs = [
      reqFrame(500, [0.5, 0.5], [0.5, 0.5]),
      reqFrame(1500, [0.5, 0.5], [0.5, 0.5]),
      reqFrame(99_000, [0.5, 0.5], [0.5, 0.5]),
    ];
    const l = layoutHeatmap({
      frames: fs,
      rows: 2,
      dim: 'requests',
      mode: 'relative',
      from: 1000,
      to: 2000,
      width: 10,
      pollIntervalMs: 1000,
    });
    expect(l.columns.map((c) => [c.x0, c.x1, c.first])).toEqual([[0, 5, 1]]);
  });

  it('empty input and zero width are safe', () => {
    expect(
      layoutHeatmap({
        frames: [],
        rows: 3,
        dim: 'requests',
        mode: 'relative',
        from: 0,
        to: 1000,
        width: 0,
        pollIntervalMs: 1000,
      }).columns,
    ).toEqual([]);
    expect(
      layoutHeatmap({
        frames: [frame(1)],
        rows: 3,
        dim: 'requests',
        mode: 'relative',
        from: 5,
        to: 5,
        width: 100,
        pollIntervalMs: 1000,
      }).columns,
    ).toEqual([]);
  });
});

describe('layoutHeatmap cells', () => {
  it('colours share relative to expected: hot member red end, cold blue end', () => {
    const fs = [reqFrame(1000, [0.7049, 0.1807, 0.1144], [0.1667, 0.3333, 0.5])];
    const l = layoutHeatmap({
      frames: fs,
      rows: 3,
      dim: 'requests',
      mode: 'relative',
      from: 0,
      to: 1000,
      width: 10,
      pollIntervalMs: 1000,
    });
    expect(l.bucket[0]).toBe(RELATIVE_BUCKETS - 1);
    expect(l.bucket[1]).toBeLessThan(MID);
    expect(l.bucket[2]).toBe(relativeBucket(0.1144 / 0.5));
    expect(l.value[0]).toBeCloseTo(70.49);
  });

  it('marks down members and members without a share', () => {
    const fs = [
      frame(1000, {
        up: [true, false, true],
        leader: 2,
        values: { cpu: [0.1, null, 0.3] },
        shares: { cpu: [1, null, null] },
        expected: { cpu: [1, null, null] },
      }),
    ];
    const l = layoutHeatmap({
      frames: fs,
      rows: 3,
      dim: 'cpu',
      mode: 'relative',
      from: 0,
      to: 1000,
      width: 10,
      pollIntervalMs: 1000,
    });
    expect(Array.from(l.kind)).toEqual([CELL_VALUE, CELL_DOWN, CELL_NODATA]);
    expect(l.counts).toEqual({ value: 1, down: 1, nodata: 1 });
  });

  it('latency is relative to the up peers median', () => {
    const f = frame(1000, { up: [true, true, true, false], values: { latencyP99: [0.01, 0.01, 0.04, 9] } });
    expect(peerMedian(f, 'latencyP99')).toBe(0.01);
    expect(cellRatio(f, 'latencyP99', 2, 0.01)).toBeCloseTo(4);
    const l = layoutHeatmap({
      frames: [f],
      rows: 4,
      dim: 'latencyP99',
      mode: 'relative',
      from: 0,
      to: 1000,
      width: 10,
      pollIntervalMs: 1000,
    });
    expect(l.ratio[0]).toBe(1);
    expect(l.ratio[2]).toBeCloseTo(4);
    expect(l.kind[3]).toBe(CELL_DOWN);
  });

  it('absolute mode scales 0..max of what is in view', () => {
    const fs = [frame(1000, { values: { requests: [10, 20, 40] } }), frame(2000, { values: { requests: [0, 5, 80] } })];
    const l = layoutHeatmap({
      frames: fs,
      rows: 3,
      dim: 'requests',
      mode: 'absolute',
      from: 0,
      to: 2000,
      width: 20,
      pollIntervalMs: 1000,
    });
    expect(l.absMax).toBe(80);
    expect(l.bucket[5]).toBe(15);
    expect(l.bucket[3]).toBe(0);
  });

  it('absolute mode clips a few spikes to the p99', () => {
    const fs = Array.from({ length: 200 }, (_, i) =>
      frame(i * 1000, { values: { latencyP99: [0.005, 0.006, i === 50 ? 0.5 : 0.01] } }),
    );
    const l = layoutHeatmap({
      frames: fs,
      rows: 3,
      dim: 'latencyP99',
      mode: 'absolute',
      from: 0,
      to: 200_000,
      width: 200,
      pollIntervalMs: 1000,
    });
    expect(l.absClipped).toBe(true);
    expect(l.absMax).toBe(0.01);
    expect(l.bucket[50 * 3 + 2]).toBe(15);
    expect(robustMax([1, 2, 3])).toEqual({ max: 3, clipped: false });
    expect(robustMax([])).toEqual({ max: 0, clipped: false });
  });

  it('tracks the leader per column and where it changed', () => {
    const fs = [
      frame(1000, { leader: 0 }),
      frame(2000, { leader: 0 }),
      frame(3000, { leader: -1 }),
      frame(4000, { leader: 2 }),
      frame(5000, { leader: 2 }),
      frame(6000, { leader: -1 }),
      frame(7000, { leader: 2 }),
    ];
    const l = layoutHeatmap({
      frames: fs,
      rows: 3,
      dim: 'requests',
      mode: 'relative',
      from: 0,
      to: 7000,
      width: 70,
      pollIntervalMs: 1000,
    });
    expect(Array.from(l.leader)).toEqual([0, 0, -1, 2, 2, -1, 2]);
    // 0 -> (none) -> 2 is a change; 2 -> (none) -> 2 is not
    expect(l.leaderChanges).toEqual([30]);
    expect(columnOfTime(l, fs, 4000)).toBe(3);
    expect(columnOfTime(l, fs, 4500)).toBe(-1);
  });
});

describe('timeTicks', () => {
  it('picks a nice step and aligns ticks to it', () => {
    const from = Date.UTC(2026, 0, 1, 10, 3, 20);
    const { step, ticks } = timeTicks(from, from + 15 * 60_000, 8, 0);
    expect(step).toBe(120_000);
    expect(ticks[0]).toBe(Date.UTC(2026, 0, 1, 10, 4, 0));
    expect(ticks.every((t) => t % step === 0)).toBe(true);
  });
  it('aligns to local time', () => {
    const from = Date.UTC(2026, 0, 1, 10, 0, 0);
    // UTC+5:30: local ticks at whole hours are at :30 UTC
    const { ticks } = timeTicks(from, from + 6 * 3600_000, 6, -330);
    expect(new Date(ticks[0]).getUTCMinutes()).toBe(30);
  });
  it('handles empty ranges', () => {
    expect(timeTicks(5, 5, 5).ticks).toEqual([]);
  });
});
