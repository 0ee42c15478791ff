import { describe, expect, it } from 'vitest';
import { emptyCounters, type MemberCounters } from './counters';
import { diffCounters, histogramDelta, histogramQuantile, sumHistograms } from './rates';
import { memberValues, windowRate } from './values';

function counters(requests: number, start = 1000, extra: Partial<MemberCounters['counters']> = {}): MemberCounters {
  const c = emptyCounters();
  c.counters.requests = requests;
  Object.assign(c.counters, extra);
  c.gauges.processStartTime = start;
  return c;
}

describe('diffCounters', () => {
  it('gives deltas between polls', () => {
    const d = diffCounters(counters(100), counters(150), 2);
    expect(d.counters.requests).toBe(50);
    expect(d.reset).toBe(false);
    expect(windowRate([d], 'requests')).toBe(25);
  });

  it('treats a counter that went down as restarted from zero (like rate())', () => {
    const d = diffCounters(counters(1000), counters(30), 1);
    expect(d.counters.requests).toBe(30);
    expect(d.reset).toBe(true);
  });

  it('treats a new process start time as a reset even when the counter is higher', () => {
    const d = diffCounters(counters(10, 1000), counters(500, 2000), 1);
    expect(d.counters.requests).toBe(500);
    expect(d.reset).toBe(true);
  });

  it('has no delta without a previous poll or for a counter the member lacks', () => {
    expect(diffCounters(null, counters(5), 1).counters.requests).toBeNull();
    expect(diffCounters(counters(1), counters(2), 1).counters.reads).toBeNull();
  });
});

describe('histograms', () => {
  const h = (b: Array<[number, number]>) => ({ buckets: b, count: b.at(-1)![1], sum: 0 });

  it('quantile interpolates inside the bucket like histogram_quantile', () => {
    // 100 observations: 50 <= 0.01, 90 <= 0.1, 100 <= 1
    const x = h([
      [0.01, 50],
      [0.1, 90],
      [1, 100],
      [Infinity, 100],
    ]);
    expect(histogramQuantile(0.5, x)).toBeCloseTo(0.01, 9);
    expect(histogramQuantile(0.9, x)).toBeCloseTo(0.1, 9);
    expect(histogramQuantile(0.99, x)).toBeCloseTo(0.1 + 0.9 * 0.9, 9);
    expect(histogramQuantile(0.25, x)).toBeCloseTo(0.005, 9);
  });

  it('returns the highest finite bound when the quantile falls in +Inf, null when empty', () => {
    expect(
      histogramQuantile(
        0.99,
        h([
          [0.5, 1],
          [Infinity, 100],
        ]),
      ),
    ).toBe(0.5);
    expect(
      histogramQuantile(
        0.99,
        h([
          [0.5, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeNull();
    expect(histogramQuantile(0.99, null)).toBeNull();
  });

  it('deltas bucket-wise, and restarts on reset', () => {
    const a = h([
      [1, 5],
      [Infinity, 6],
    ]);
    const b = h([
      [1, 7],
      [Infinity, 10],
    ]);
    expect(histogramDelta(a, b)?.buckets).toEqual([
      [1, 2],
      [Infinity, 4],
    ]);
    expect(histogramDelta(b, a)).toEqual(a);
    expect(sumHistograms([histogramDelta(a, b), histogramDelta(a, b)])?.buckets).toEqual([
      [1, 4],
      [Infinity, 8],
    ]);
  });
});

describe('memberValues', () => {
  it('uses the Status db size and a window of deltas', () => {
    const d1 = diffCounters(counters(0), counters(10), 1);
    const d2 = diffCounters(counters(10), counters(40), 1);
    const v = memberValues([d1, d2], counters(40), 12345);
    expect(v.requests).toBe(20);
    expect(v.dbSize).toBe(12345);
    expect(v.latencyP99).toBeNull();
  });
});
