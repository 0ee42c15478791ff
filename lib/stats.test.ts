import { describe, expect, it } from 'vitest';
import { clamp, lowerBound, median } from './stats';

describe('median', () => {
  it('of odd and even counts, ignoring nulls', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, 5, undefined, NaN])).toBe(5);
    expect(median([])).toBeNull();
    expect(median([null])).toBeNull();
  });
  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe('lowerBound / clamp', () => {
  it('finds the first element >= t', () => {
    const a = [1, 3, 3, 7];
    expect(lowerBound(a, 0, (x) => x)).toBe(0);
    expect(lowerBound(a, 3, (x) => x)).toBe(1);
    expect(lowerBound(a, 4, (x) => x)).toBe(3);
    expect(lowerBound(a, 8, (x) => x)).toBe(4);
  });
  it('clamps', () => {
    expect(clamp(5, 0, 1)).toBe(1);
    expect(clamp(-5, 0, 1)).toBe(0);
  });
});
