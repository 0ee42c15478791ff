// The cluster page's view state lives in the URL (?dim=requests&range=15m&mode=relative), so a
// link reproduces what its sender saw. Pure: parse anything, fall back to defaults, round-trip.
import { DIMENSION_IDS, type DimensionId } from '../types';

export const RANGES = ['5m', '15m', '1h', '6h', '24h'] as const;
export type RangeId = (typeof RANGES)[number];

export const RANGE_MS: Record<RangeId, number> = {
  '5m': 5 * 60_000,
  '15m': 15 * 60_000,
  '1h': 3600_000,
  '6h': 6 * 3600_000,
  '24h': 24 * 3600_000,
};

export const MODES = ['relative', 'absolute'] as const;
export type HeatmapMode = (typeof MODES)[number];

export interface ViewParams {
  dim: DimensionId;
  range: RangeId;
  mode: HeatmapMode;
}

export const DEFAULT_VIEW: Readonly<ViewParams> = Object.freeze({ dim: 'requests', range: '15m', mode: 'relative' });

/** The keys this module owns in the query string. */
export const VIEW_KEYS = ['dim', 'range', 'mode'] as const;

/** A query string in any of the shapes Next gives it. */
export type RawParams =
  | URLSearchParams
  | { get(key: string): string | null }
  | Record<string, string | string[] | undefined>
  | null
  | undefined;

/** The first value of a key (repeated keys: the first wins). */
export function first(input: RawParams, key: string): string | undefined {
  if (!input) return undefined;
  if (typeof (input as URLSearchParams).get === 'function') {
    return (input as { get(key: string): string | null }).get(key) ?? undefined;
  }
  const v = (input as Record<string, string | string[] | undefined>)[key];
  return Array.isArray(v) ? v[0] : v;
}

/** `v` when it is one of `allowed` (exactly: case-sensitive, untrimmed), else `fallback`. */
export function oneOf<T extends string>(allowed: readonly T[], v: string | undefined, fallback: T): T {
  return v !== undefined && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

/**
 * Reads the view from a query string (URLSearchParams, Next's `searchParams` object, or a
 * plain record). Unknown or invalid values fall back to the defaults; other keys are ignored.
 */
export function parseViewParams(input: RawParams): ViewParams {
  return {
    dim: oneOf(DIMENSION_IDS, first(input, 'dim'), DEFAULT_VIEW.dim),
    range: oneOf(RANGES, first(input, 'range'), DEFAULT_VIEW.range),
    mode: oneOf(MODES, first(input, 'mode'), DEFAULT_VIEW.mode),
  };
}

/**
 * The query string (without "?") for a view. All three keys are written, so a shared link
 * keeps meaning the same thing if the defaults ever change. Keys of `base` that this module
 * does not own are kept, in their order.
 */
export function serializeViewParams(view: ViewParams, base?: URLSearchParams | string): string {
  const out = new URLSearchParams(typeof base === 'string' ? base : (base?.toString() ?? ''));
  for (const k of VIEW_KEYS) out.delete(k);
  out.set('dim', view.dim);
  out.set('range', view.range);
  out.set('mode', view.mode);
  return out.toString();
}

export function sameView(a: ViewParams, b: ViewParams): boolean {
  return a.dim === b.dim && a.range === b.range && a.mode === b.mode;
}
