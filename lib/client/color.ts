// Colour scales for the heatmap and the score. Colour-blind safe: a diverging red/blue scale
// (ColorBrewer RdBu, reversed so "more than expected" is red) for share relative to expected,
// viridis for absolute values. Values are bucketed: the canvas fills one path per bucket.
import { interpolatePuOr, interpolateRdBu, interpolateViridis } from 'd3-scale-chromatic';
import { clamp } from '../stats';

export type Theme = 'light' | 'dark';

/**
 * The relative scale's hues. `default` is RdBu (red = above expected, blue = below); `cb` is
 * PuOr (orange = above, purple = below), which stays apart under all three kinds of colour-blindness
 * and does not reuse the red and green that mean "critical" and "OK" elsewhere on the page.
 */
export const PALETTES = ['default', 'cb'] as const;
export type Palette = (typeof PALETTES)[number];

/** Each palette as d3 gives it: 0 = the "above expected" end (dark red / dark orange), 1 = the "below" end. */
const DIVERGING: Record<Palette, (t: number) => string> = {
  default: interpolateRdBu,
  // d3's PuOr runs purple (0) .. white .. orange (1): flipped to RdBu's orientation.
  cb: (t) => interpolatePuOr(1 - t),
};

/** The words for the two ends of a palette, for legends. */
export const PALETTE_WORDS: Record<Palette, { above: string; below: string }> = {
  default: { above: 'red', below: 'blue' },
  cb: { above: 'orange', below: 'purple' },
};

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

function mix(a: Rgb, b: Rgb, k: number): Rgb {
  return { r: a.r + (b.r - a.r) * k, g: a.g + (b.g - a.g) * k, b: a.b + (b.b - a.b) * k };
}

/** Heatmap background per theme (matches the card background in globals.css). */
export const HEATMAP_BG: Record<Theme, string> = { light: '#ffffff', dark: '#0f172a' };

/**
 * The diverging colour at t (0 = far below expected, 0.5 = as expected, 1 = far above).
 * Light theme: RdBu reversed (neutral near-white, darker toward the ends). Dark theme: the
 * same two hues with lightness reversed, so that on a dark page a cell gets brighter the further
 * it is from expected: neutral is the background's grey, the ends are light salmon / light blue.
 */
export function divergingColor(t: number, theme: Theme, palette: Palette = 'default'): string {
  const tt = clamp(t, 0, 1);
  const interpolate = DIVERGING[palette] ?? interpolateRdBu;
  if (theme === 'light') return toHex(parseColor(interpolate(1 - tt)));
  const d = Math.abs(tt - 0.5) * 2; // 0 at neutral .. 1 at the ends
  // RdBu runs dark red (0) .. white (0.5) .. dark blue (1): walk from its dark end inward.
  const p = DARK_START + (DARK_REACH - DARK_START) * d;
  const hue = parseColor(interpolate(tt >= 0.5 ? p : 1 - p));
  return toHex(mix(parseColor(DARK_NEUTRAL), hue, clamp(d * 4, 0, 1)));
}

/** Dark theme: the stretch of RdBu used, from its dark ends toward white (0.5). */
const DARK_START = 0.05;
const DARK_REACH = 0.3;
/** Dark theme: the colour of "as expected" (slate-800, a step above the card background). */
export const DARK_NEUTRAL = '#1e293b';

/** The sequential colour at t in [0,1] (viridis: dark purple = low, yellow = high). */
export function sequentialColor(t: number): string {
  return toHex(parseColor(interpolateViridis(clamp(t, 0, 1))));
}

/** One colour per bucket, for the relative (diverging) scale. */
export function relativePalette(theme: Theme, palette: Palette = 'default'): readonly string[] {
  const key = `${theme}/${palette}`;
  let p = PALETTE_CACHE.get(key);
  if (!p) {
    p = Array.from({ length: RELATIVE_BUCKETS }, (_, i) => divergingColor(i / (RELATIVE_BUCKETS - 1), theme, palette));
    PALETTE_CACHE.set(key, p);
  }
  return p;
}
/** At most 4 entries (2 themes × 2 palettes): views redraw often, the colours never change. */
const PALETTE_CACHE = new Map<string, string[]>();

/** One colour per bucket, for the absolute (sequential) scale; bucket i covers [i/N, (i+1)/N) of max. */
export function absolutePalette(): string[] {
  return Array.from({ length: ABSOLUTE_BUCKETS }, (_, i) => sequentialColor((i + 0.5) / ABSOLUTE_BUCKETS));
}

/** CSS gradient of a palette, for legends. */
export function cssGradient(colors: readonly string[], direction = 'to right'): string {
  return `linear-gradient(${direction}, ${colors.join(', ')})`;
}

// ---- the imbalance score ----

// Score levels live in ./scoreLevel (no colour library: the score badge is on every page).
export { SCORE_BAD, SCORE_LEVEL_LABEL, SCORE_WARN, type ScoreLevel, scoreLevel } from './scoreLevel';
