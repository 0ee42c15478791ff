import { describe, expect, it } from 'vitest';
import type { ClusterDelta, ClusterState, Frame } from '../types';
import { applyDelta, staleAfterMs } from './store';

const frame = (t: number) => ({ t }) as Frame;
const state = (seq: number, frames: Frame[]) => ({ seq, historyMs: 10_000, frames, events: [], findings: [] }) as unknown as ClusterState;
const delta = (seq: number, t: number, events: ClusterDelta['events'] = []) =>
  ({ seq, updatedAt: t, frame: frame(t), events, members: [], scores: {}, findings: [], sources: {} }) as unknown as ClusterDelta;

describe('applyDelta', () => {
  it('appends the frame and trims history to the window', () => {
    const r = applyDelta(state(1, [frame(0), frame(5000)]), delta(2, 12_000, [{ t: 12_000, kind: 'member-down', member: 'a', detail: '' }]));
    expect(r.kind).toBe('applied');
    if (r.kind !== 'applied') return;
    expect(r.state.frames.map((f) => f.t)).toEqual([5000, 12_000]);
    expect(r.state.events).toHaveLength(1);
    expect(r.state.seq).toBe(2);
  });
  it('ignores old deltas and asks for a resync on a gap', () => {
    expect(applyDelta(state(5, []), delta(5, 1)).kind).toBe('ignored');
    expect(applyDelta(state(5, []), delta(7, 1)).kind).toBe('resync');
  });
  it('calls data stale after three missed polls, at least 5 s', () => {
    expect(staleAfterMs(1000)).toBe(5000);
    expect(staleAfterMs(10_000)).toBe(30_000);
  });
});
