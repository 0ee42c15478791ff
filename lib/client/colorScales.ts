// The colour scales behind the heatmap's palettes, from d3-scale-chromatic. Not loaded by any
// page: `npm run palettes` writes their bucket colours into ./palettes, and a test checks the
// two agree, so the browser gets a few dozen hex strings instead of d3.
import { interpolatePuOr, interpolateRdBu, interpolateViridis } from 'd3-scale-chromatic';
import { clamp } from '../stats';
import {
  ABSOLUTE_BUCKETS,
  PALETTES,
  type Palette,
  parseColor,
  RELATIVE_BUCKETS,
  type Rgb,
  type Theme,
  toHex,
} from './color';

/** Each palette as d3 gives it: 0 = the "above expected" end (dark red / dark orange), 1 = the "below" end. */
const DIVERGING: Record<Palette, (t: number) => string> = {
  default: interpolateRdBu,
  // d3's PuOr runs purple (0) .. white .. orange (1): flipped to RdBu's orientation.
  cb: (t) => interpolatePuOr(1 - t),
};

function mix(a: Rgb, b: Rgb, k: number): Rgb {
  return { r: a.r + (b.r - a.r) * k, g: a.g + (b.g - a.g) * k, b: a.b + (b.b - a.b) * k };
}

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

/** Every theme × palette's bucket colours, and the absolute scale's: what ./palettes holds. */
export function computePalettes(): {
  relative: Record<Theme, Record<Palette, string[]>>;
  absolute: string[];
} {
  const rel = (theme: Theme) =>
    Object.fromEntries(
      PALETTES.map((p) => [
        p,
        Array.from({ length: RELATIVE_BUCKETS }, (_, i) => divergingColor(i / (RELATIVE_BUCKETS - 1), theme, p)),
      ]),
    ) as Record<Palette, string[]>;
  return {
    relative: { light: rel('light'), dark: rel('dark') },
    absolute: Array.from({ length: ABSOLUTE_BUCKETS }, (_, i) => sequentialColor((i + 0.5) / ABSOLUTE_BUCKETS)),
  };
}
