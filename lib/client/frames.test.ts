import { describe, expect, it } from 'vitest';
import { frameSpans, framesInRange, mergeFrames, missingRange, nominalStep } from './frames';
import { frame } from './testFrames';

describe('mergeFrames', () => {
  it('puts older frames before live ones, live wins on overlap, no duplicates', () => {
    const older = [
      frame(3000, { origin: 'prometheus' }),
      frame(1000, { origin: 'prometheus' }),
      frame(1000, { origin: 'prometheus' }),
      frame(5000, { origin: 'prometheus' }),
    ];
    const live = [frame(4000), frame(5000), frame(6000)];
    expect(mergeFrames(older, live).map((f) => [f.t, f.origin])).toEqual([
      [1000, 'prometheus'],
      [3000, 'prometheus'],
      [4000, 'poll'],
      [5000, 'poll'],
      [6000, 'poll'],
    ]);
  });
  it('handles empty sides', () => {
    expect(mergeFrames([], [frame(1)]).map((f) => f.t)).toEqual([1]);
    expect(mergeFrames([frame(2), frame(1)], []).map((f) => f.t)).toEqual([1, 2]);
  });
});

describe('framesInRange', () => {
  it('is inclusive at both ends', () => {
    const fs = [1, 2, 3, 4, 5].map((t) => frame(t * 1000));
    expect(framesInRange(fs, 2000, 4000).map((f) => f.t)).toEqual([2000, 3000, 4000]);
    expect(framesInRange(fs, 6000, 9000)).toEqual([]);
  });
});

describe('frame spans', () => {
  it('poll frames reach back to the previous frame, bridging a missed poll', () => {
    const fs = [frame(1000), frame(2000), frame(4000)];
    expect(frameSpans(fs, 1000)).toEqual([
      [0, 1000],
      [1000, 2000],
      [2000, 4000],
    ]);
  });
  it('a long gap stays empty', () => {
    const fs = [frame(1000), frame(60_000)];
    expect(frameSpans(fs, 1000)[1]).toEqual([59_000, 60_000]);
  });
  it('Prometheus columns cover their step, poll columns their interval', () => {
    const fs = [
      frame(0, { origin: 'prometheus' }),
      frame(15_000, { origin: 'prometheus' }),
      frame(30_000, { origin: 'prometheus' }),
      frame(31_000),
      frame(32_000),
    ];
    expect(nominalStep(fs, 0, 1000)).toBe(15_000);
    expect(nominalStep(fs, 2, 1000)).toBe(15_000);
    expect(nominalStep(fs, 3, 1000)).toBe(1000);
    expect(frameSpans(fs, 1000)).toEqual([
      [-15_000, 0],
      [0, 15_000],
      [15_000, 30_000],
      [30_000, 31_000],
      [31_000, 32_000],
    ]);
  });
  it('bridges the seam between a coarse backfill and the first live poll', () => {
    const fs = [
      frame(0, { origin: 'prometheus' }),
      frame(15_000, { origin: 'prometheus' }),
      frame(27_000),
      frame(28_000),
      frame(60_000),
    ];
    expect(frameSpans(fs, 1000)).toEqual([
      [-15_000, 0],
      [0, 15_000],
      [15_000, 27_000],
      [27_000, 28_000],
      [59_000, 60_000],
    ]);
  });
  it('a lone Prometheus frame falls back to the poll interval', () => {
    expect(nominalStep([frame(0, { origin: 'prometheus' })], 0, 2000)).toBe(2000);
  });
});

describe('missingRange', () => {
  it('asks for the part of the window older than what we hold', () => {
    expect(missingRange(0, 3600_000, 2700_000, 1000)).toEqual({ from: 0, to: 2700_000 });
    expect(missingRange(0, 3600_000, null, 1000)).toEqual({ from: 0, to: 3600_000 });
  });
  it('asks for nothing when covered', () => {
    expect(missingRange(1000, 3600_000, 1500, 1000)).toBeNull();
    expect(missingRange(1000, 3600_000, 500, 1000)).toBeNull();
  });
});
