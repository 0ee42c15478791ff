import { describe, expect, it } from 'vitest';
import {
  ABSOLUTE_BUCKETS,
  RELATIVE_BUCKETS,
  absoluteBucket,
  absolutePalette,
  bucketRatio,
  parseColor,
  ratioToT,
  relativeBucket,
  relativePalette,
  scoreLevel,
} from './color';
import { computePalettes, divergingColor } from './colorScales';
import { ABSOLUTE_PALETTE, RELATIVE_PALETTES } from './palettes';

describe('the precomputed palettes', () => {
  it('are what the d3 scales give (run `npm run palettes` after changing a scale)', () => {
    const p = computePalettes();
    expect(RELATIVE_PALETTES).toEqual(p.relative);
    expect(ABSOLUTE_PALETTE).toEqual(p.absolute);
    expect(relativePalette('dark', 'cb')).toEqual(p.relative.dark.cb);
    expect(absolutePalette()).toEqual(p.absolute);
  });
});

describe('relative scale', () => {
  it('is neutral at 1x and symmetric on a log2 scale', () => {
    expect(ratioToT(1)).toBe(0.5);
    expect(ratioToT(4)).toBe(1);
    expect(ratioToT(0.25)).toBe(0);
    expect(ratioToT(2) - 0.5).toBeCloseTo(0.5 - ratioToT(0.5));
    expect(ratioToT(100)).toBe(1);
    expect(ratioToT(0)).toBe(0);
    expect(ratioToT(Infinity)).toBe(1);
  });
  it('puts "as expected" in the centre bucket', () => {
    const mid = (RELATIVE_BUCKETS - 1) / 2;
    expect(relativeBucket(1)).toBe(mid);
    expect(relativeBucket(1.05)).toBe(mid);
    expect(relativeBucket(0.95)).toBe(mid);
    expect(relativeBucket(1.3)).toBeGreaterThan(mid);
    expect(relativeBucket(0.7)).toBeLessThan(mid);
    expect(relativeBucket(4.23)).toBe(RELATIVE_BUCKETS - 1);
    expect(relativeBucket(0)).toBe(0);
    expect(bucketRatio(mid)).toBe(1);
    expect(bucketRatio(RELATIVE_BUCKETS - 1)).toBe(4);
  });
  it('is red above expected and blue below (RdBu reversed)', () => {
    for (const theme of ['light', 'dark'] as const) {
      const hot = parseColor(divergingColor(1, theme));
      const cold = parseColor(divergingColor(0, theme));
      expect(hot.r).toBeGreaterThan(hot.b);
      expect(cold.b).toBeGreaterThan(cold.r);
    }
  });
  it('has a light neutral in the light theme and a dark one in the dark theme', () => {
    const lum = (c: string) => {
      const { r, g, b } = parseColor(c);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    expect(lum(divergingColor(0.5, 'light'))).toBeGreaterThan(200);
    expect(lum(divergingColor(0.5, 'dark'))).toBeLessThan(50);
  });
  it('gets monotonically further from neutral toward the ends (both themes)', () => {
    const lum = (c: string) => {
      const { r, g, b } = parseColor(c);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (const side of [1, -1]) {
      const light = [0, 0.25, 0.5, 0.75, 1].map((d) => lum(divergingColor(0.5 + (side * d) / 2, 'light')));
      const dark = [0, 0.25, 0.5, 0.75, 1].map((d) => lum(divergingColor(0.5 + (side * d) / 2, 'dark')));
      for (let i = 1; i < 5; i++) {
        expect(light[i]).toBeLessThan(light[i - 1]);
        expect(dark[i]).toBeGreaterThan(dark[i - 1] - 1e-9);
      }
    }
  });
  it('palettes have one hex colour per bucket', () => {
    expect(relativePalette('light')).toHaveLength(RELATIVE_BUCKETS);
    expect(relativePalette('dark').every((c) => /^#[0-9a-f]{6}$/.test(c))).toBe(true);
    expect(absolutePalette()).toHaveLength(ABSOLUTE_BUCKETS);
  });
});

describe('absolute scale', () => {
  it('buckets 0..max linearly', () => {
    expect(absoluteBucket(0, 100)).toBe(0);
    expect(absoluteBucket(100, 100)).toBe(ABSOLUTE_BUCKETS - 1);
    expect(absoluteBucket(50, 100)).toBe(ABSOLUTE_BUCKETS / 2);
    expect(absoluteBucket(5, 0)).toBe(0);
    expect(absoluteBucket(NaN, 10)).toBe(0);
  });
});

describe('parseColor', () => {
  it('reads hex and rgb()', () => {
    expect(parseColor('#ff8000')).toEqual({ r: 255, g: 128, b: 0 });
    expect(parseColor('rgb(5, 48, 97)')).toEqual({ r: 5, g: 48, b: 97 });
    expect(() => parseColor('red')).toThrow();
  });
});

describe('scoreLevel', () => {
  it('maps scores to levels', () => {
    expect(scoreLevel(null)).toBe('none');
    expect(scoreLevel(0)).toBe('good');
    expect(scoreLevel(0.19)).toBe('good');
    expect(scoreLevel(0.2)).toBe('warn');
    expect(scoreLevel(0.5)).toBe('bad');
    expect(scoreLevel(1)).toBe('bad');
  });
});

describe('colour-blind palette (cb)', () => {
  it('is orange above expected and purple below, neutral in the middle', () => {
    for (const theme of ['light', 'dark'] as const) {
      const hot = parseColor(divergingColor(1, theme, 'cb'));
      const cold = parseColor(divergingColor(0, theme, 'cb'));
      expect(hot.r).toBeGreaterThan(hot.b);
      expect(hot.g).toBeGreaterThan(hot.b);
      expect(cold.b).toBeGreaterThan(cold.g);
    }
    // neutral: near-white in the light theme, the same slate as the default palette in the dark one
    const mid = parseColor(relativePalette('light', 'cb')[(RELATIVE_BUCKETS - 1) / 2]);
    expect(Math.min(mid.r, mid.g, mid.b)).toBeGreaterThan(220);
    expect(relativePalette('dark', 'cb')[(RELATIVE_BUCKETS - 1) / 2]).toBe(
      relativePalette('dark')[(RELATIVE_BUCKETS - 1) / 2],
    );
  });
  it('differs from the default palette away from the centre', () => {
    expect(relativePalette('light', 'cb')[0]).not.toBe(relativePalette('light')[0]);
    expect(relativePalette('dark', 'cb')).toHaveLength(RELATIVE_BUCKETS);
  });
});
