// Colour scales for the heatmap and the score. Colour-blind safe: a diverging red/blue scale
// (ColorBrewer RdBu, reversed so "more than expected" is red) for share relative to expected,
// viridis for absolute values. Values are bucketed: the canvas fills one path per bucket. The
// bucket colours are constants (./palettes, generated from d3 by ./colorScales): no colour
// library reaches the browser.
import { clamp } from '../stats';
import { ABSOLUTE_PALETTE, RELATIVE_PALETTES } from './palettes';
import type { Palette, Theme } from './palette';

export { PALETTE_WORDS, PALETTES, type Palette, type Theme } from './palette';

/** Relative scale spans 2^-RATIO_LOG2_MAX .. 2^RATIO_LOG2_MAX (¼× .. 4×). */
export const RATIO_LOG2_MAX = 2;
/** Odd, so that one bucket is centred on "as expected" (1×). */
export const RELATIVE_BUCKETS = 17;
export const ABSOLUTE_BUCKETS = 16;

/** ratio (observed / expected) → t in [0,1] on a log2 scale; 0.5 = as expected. */
export function ratioToT(ratio: number): number {
  if (Number.isNaN(ratio)) return 0.5;
  if (ratio <= 0) return 0;
  if (ratio === Infinity) return 1;
  return clamp(Math.log2(ratio) / (2 * RATIO_LOG2_MAX) + 0.5, 0, 1);
}

/** Bucket of a ratio: 0 .. RELATIVE_BUCKETS-1, centre bucket = as expected (within ±9 %). */
export function relativeBucket(ratio: number): number {
  return Math.round(ratioToT(ratio) * (RELATIVE_BUCKETS - 1));
}

/** The ratio at the centre of a relative bucket. */
export function bucketRatio(bucket: number): number {
  const t = bucket / (RELATIVE_BUCKETS - 1);
  return 2 ** ((t - 0.5) * 2 * RATIO_LOG2_MAX);
}

/** Bucket of an absolute value on a linear 0..max scale. */
export function absoluteBucket(value: number, max: number): number {
  if (!(max > 0) || !(value > 0)) return 0;
  return clamp(Math.floor((value / max) * ABSOLUTE_BUCKETS), 0, ABSOLUTE_BUCKETS - 1);
}

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Parses "#rrggbb" or "rgb(r, g, b)" (what d3-scale-chromatic returns). */
export function parseColor(c: string): Rgb {
  const hex = /^#([0-9a-f]{6})$/i.exec(c.trim());
  if (hex) {
    const n = parseInt(hex[1], 16);
    return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255 };
  }
  const m = /^rgba?\(\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)/i.exec(c.trim());
  if (m) return { r: Number(m[1]), g: Number(m[2]), b: Number(m[3]) };
  throw new Error(`unparseable colour ${c}`);
}

export function toHex({ r, g, b }: Rgb): string {
  const h = (x: number) => clamp(Math.round(x), 0, 255).toString(16).padStart(2, '0');
  return `#${h(r)}${h(g)}${h(b)}`;
}

/** Heatmap background per theme (matches the card background in globals.css). */
export const HEATMAP_BG: Record<Theme, string> = { light: '#ffffff', dark: '#0f172a' };

/**
 * One colour per bucket, for the relative (diverging) scale: precomputed from d3's scales by
 * `npm run palettes` into ./palettes (tested equal to ./colorScales), so pages do not load d3.
 */
export function relativePalette(theme: Theme, palette: Palette = 'default'): readonly string[] {
  return RELATIVE_PALETTES[theme][palette] ?? RELATIVE_PALETTES[theme].default;
}

/** One colour per bucket, for the absolute (sequential) scale; bucket i covers [i/N, (i+1)/N) of max. */
export function absolutePalette(): string[] {
  return [...ABSOLUTE_PALETTE];
}

/** CSS gradient of a palette, for legends. */
export function cssGradient(colors: readonly string[], direction = 'to right'): string {
  return `linear-gradient(${direction}, ${colors.join(', ')})`;
}

// ---- the imbalance score ----

// Score levels live in ./scoreLevel (no colour library: the score badge is on every page).
export { SCORE_BAD, SCORE_LEVEL_LABEL, SCORE_WARN, type ScoreLevel, scoreLevel } from './scoreLevel';
