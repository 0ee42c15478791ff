import { describe, expect, it } from 'vitest';
import type { ClusterState, Frame } from '../types';
import { heartbeatMs, staleAfterMs } from '../stream/freshness';
import { adoptState } from './store';

const frame = (t: number) => ({ t }) as Frame;
const state = (seq: number, frames: Frame[]) =>
  ({ seq, historyMs: 10_000, frames, events: [], findings: [] }) as unknown as ClusterState;

// applyDelta is lib/stream/delta.ts's (tested there, with the engine's own deltas).
describe('freshness', () => {
  it('calls data stale after three missed polls, at least 5 s', () => {
    expect(staleAfterMs(1000)).toBe(5000);
    expect(staleAfterMs(10_000)).toBe(30_000);
  });
  it('has the server send three heartbeats per stale window, at most 15 s apart', () => {
    expect(heartbeatMs(1000)).toBe(1666);
    expect(heartbeatMs(10_000)).toBe(10_000);
    expect(heartbeatMs(60_000)).toBe(15_000);
    for (const p of [100, 1000, 5000, 20_000]) expect(3 * heartbeatMs(p)).toBeLessThanOrEqual(staleAfterMs(p));
  });
});

describe('adoptState', () => {
  const named = (seq: number, frames: Frame[], events: ClusterState['events'] = [], name = 'c') =>
    ({
      ...state(seq, frames),
      name,
      events,
      updatedAt: frames.length ? frames[frames.length - 1].t : null,
    }) as ClusterState;
  const ev = (t: number) => ({ t, kind: 'leader-change' as const, member: null, detail: String(t) });

  it('takes the new state as is on first connect or another cluster', () => {
    const next = named(3, [frame(1000)]);
    expect(adoptState(null, next)).toBe(next);
    expect(adoptState(named(9, [frame(0)], [], 'other'), next)).toBe(next);
  });
  it('keeps older frames and lost events across a server restart (seq reset)', () => {
    const prev = named(500, [frame(1000), frame(2000), frame(3000), frame(4000)], [ev(1500)]);
    const next = named(2, [frame(3500), frame(4500)], [ev(4000)]);
    const r = adoptState(prev, next);
    expect(r.seq).toBe(2);
    expect(r.frames.map((f) => f.t)).toEqual([1000, 2000, 3000, 3500, 4500]);
    expect(r.events.map((e) => e.t)).toEqual([1500, 4000]);
  });
  it('drops kept frames outside the history window, and does not duplicate events on a resync', () => {
    const prev = named(5, [frame(0), frame(9000)], [ev(100)]);
    const next = named(9, [frame(9500), frame(12_000)], [ev(100)]);
    const r = adoptState(prev, next);
    expect(r.frames.map((f) => f.t)).toEqual([9000, 9500, 12_000]);
    expect(r.events).toHaveLength(1);
  });
});
