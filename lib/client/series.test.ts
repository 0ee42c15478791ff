import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../types';
import { eventsInRange, eventsNear, frameScoreEqual, scoreSeries } from './series';
import { frame } from './testFrames';

function sf(
  t: number,
  score: number | null,
  shares = [0.7, 0.3],
  expected = [0.5, 0.5],
  origin: 'poll' | 'prometheus' = 'poll',
) {
  return frame(t, {
    n: 2,
    origin,
    scores: { requests: score },
    shares: { requests: shares },
    expected: { requests: expected },
  });
}

describe('frameScoreEqual', () => {
  it('scores the shares against equal shares', () => {
    // weights 3:1 -> expected .75/.25; observed .5/.5 is perfectly equal
    expect(frameScoreEqual(sf(0, 0, [0.5, 0.5], [0.75, 0.25]), 'requests')).toBe(0);
    expect(frameScoreEqual(sf(0, 0.2, [0.8, 0.2], [0.75, 0.25]), 'requests')).toBeCloseTo(0.6);
  });
  it('is null when the frame has no score', () => {
    expect(frameScoreEqual(sf(0, null), 'requests')).toBeNull();
  });
});

describe('scoreSeries', () => {
  it('one point per frame in range', () => {
    const fs = [sf(1000, 0.1), sf(2000, 0.2), sf(3000, 0.3)];
    expect(scoreSeries(fs, 'requests', 1500, 3000, 1000).map((p) => [p.t, p.score])).toEqual([
      [2000, 0.2],
      [3000, 0.3],
    ]);
  });
  it('breaks the line at gaps', () => {
    const fs = [sf(1000, 0.1), sf(2000, 0.2), sf(30_000, 0.3)];
    const s = scoreSeries(fs, 'requests', 0, 40_000, 1000);
    expect(s.map((p) => p.score)).toEqual([0.1, 0.2, null, 0.3]);
  });
  it('keeps the worst score per bucket when downsampling', () => {
    const fs = Array.from({ length: 100 }, (_, i) => sf(i * 1000, i === 42 ? 0.9 : 0.1));
    const s = scoreSeries(fs, 'requests', 0, 100_000, 1000, 10);
    expect(s.length).toBe(10);
    expect(Math.max(...s.map((p) => p.score ?? 0))).toBe(0.9);
  });
});

describe('events', () => {
  const ev = (t: number, kind: ClusterEvent['kind'] = 'leader-change'): ClusterEvent => ({
    t,
    kind,
    member: null,
    detail: String(t),
  });
  it('in range newest first, near t oldest first', () => {
    const es = [ev(1), ev(5), ev(3), ev(10)];
    expect(eventsInRange(es, 2, 9).map((e) => e.t)).toEqual([5, 3]);
    expect(eventsNear(es, 4, 1).map((e) => e.t)).toEqual([3, 5]);
  });
});
