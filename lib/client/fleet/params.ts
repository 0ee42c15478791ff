// The fleet page's and the wall's view state lives in the URL, so a link (or a kiosk's start
// page) reproduces the view. Typed and pure like ../viewParams.ts: parse anything, fall back to
// defaults per key, round-trip.
import { DIMENSION_IDS, type ClusterStatus, type DimensionId } from '../../types';
import { PALETTES, type Palette, type Theme } from '../palette';
import { first, oneOf, type RawParams } from '../viewParams';
import { formatSelectors, parseSelectors, type Selector } from './selectors';

export const STATUS_FILTERS = ['all', 'problems', 'down', 'degraded', 'unknown', 'ok'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
export const SOURCE_FILTERS = ['all', 'direct', 'prometheus'] as const;
export type SourceFilter = (typeof SOURCE_FILTERS)[number];

export interface FleetParams {
  /** Free-text search. */
  q: string;
  /** Names (globs) and label selectors. */
  sel: Selector[];
  status: StatusFilter;
  source: SourceFilter;
  dim: DimensionId;
  palette: Palette;
}

export const DEFAULT_FLEET: Readonly<FleetParams> = Object.freeze({
  q: '',
  sel: [],
  status: 'all',
  source: 'all',
  dim: 'requests',
  palette: 'default',
});

export const FLEET_KEYS = ['q', 'sel', 'status', 'source', 'dim', 'palette'] as const;
export const MAX_QUERY = 100;

const CONTROL = /[\u0000-\u001f\u007f]/g;

export function parseFleetParams(input: RawParams): FleetParams {
  return {
    q: (first(input, 'q') ?? '').replace(CONTROL, ' ').trim().slice(0, MAX_QUERY),
    sel: parseSelectors(first(input, 'sel')).selectors,
    status: oneOf(STATUS_FILTERS, first(input, 'status'), DEFAULT_FLEET.status),
    source: oneOf(SOURCE_FILTERS, first(input, 'source'), DEFAULT_FLEET.source),
    dim: oneOf(DIMENSION_IDS, first(input, 'dim'), DEFAULT_FLEET.dim),
    palette: oneOf(PALETTES, first(input, 'palette'), DEFAULT_FLEET.palette),
  };
}

/**
 * The query string (without "?"). Only keys that differ from the defaults are written: the
 * fleet page's plain URL stays `/`. Keys of `base` this module does not own are kept.
 */
export function serializeFleetParams(p: FleetParams, base?: URLSearchParams | string): string {
  const out = new URLSearchParams(typeof base === 'string' ? base : (base?.toString() ?? ''));
  for (const k of FLEET_KEYS) out.delete(k);
  if (p.q) out.set('q', p.q);
  if (p.sel.length) out.set('sel', formatSelectors(p.sel));
  if (p.status !== DEFAULT_FLEET.status) out.set('status', p.status);
  if (p.source !== DEFAULT_FLEET.source) out.set('source', p.source);
  if (p.dim !== DEFAULT_FLEET.dim) out.set('dim', p.dim);
  if (p.palette !== DEFAULT_FLEET.palette) out.set('palette', p.palette);
  return out.toString();
}

/** Status filter as a predicate. `problems` = anything not OK or with a warning/critical finding. */
export function statusMatches(
  f: StatusFilter,
  c: { status: ClusterStatus; findings: { warning: number; critical: number } },
): boolean {
  switch (f) {
    case 'all':
      return true;
    case 'problems':
      return (
        c.status === 'down' ||
        c.status === 'degraded' ||
        c.status === 'unknown' ||
        c.findings.critical > 0 ||
        c.findings.warning > 0
      );
    default:
      return c.status === f;
  }
}

// ---- the wall ----

export interface WallParams {
  /** Which clusters the wall shows (names/globs and label selectors); empty = all. */
  clusters: Selector[];
  /** Time on each slide (ms); 0 = no rotation (the fleet heatmap stays, criticals still take over). */
  rotateMs: number;
  theme: Theme;
  dim: DimensionId;
  palette: Palette;
}

export const DEFAULT_WALL: Readonly<WallParams> = Object.freeze({
  clusters: [],
  rotateMs: 20_000,
  theme: 'dark',
  dim: 'requests',
  palette: 'default',
});

export const WALL_KEYS = ['clusters', 'rotate', 'theme', 'dim', 'palette'] as const;
export const THEMES = ['dark', 'light'] as const satisfies readonly Theme[];
/** Shortest and longest slide time accepted (a slide must be readable; a day is "don't rotate"). */
export const MIN_ROTATE_MS = 2_000;
export const MAX_ROTATE_MS = 3_600_000;

/** `20s`, `1m`, `1m30s`, `1500ms`, `90` (seconds), `0`; null when invalid or out of range. */
export function parseDuration(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const s = raw.trim();
  if (s === '0') return 0;
  if (/^\d{1,5}$/.test(s)) return bounded(Number(s) * 1000);
  const m = /^(?:(\d{1,3})h)?(?:(\d{1,4})m(?!s))?(?:(\d{1,5})s)?(?:(\d{1,7})ms)?$/.exec(s);
  if (!m || s === '') return null;
  const ms = Number(m[1] ?? 0) * 3_600_000 + Number(m[2] ?? 0) * 60_000 + Number(m[3] ?? 0) * 1000 + Number(m[4] ?? 0);
  return ms === 0 ? 0 : bounded(ms);
}

function bounded(ms: number): number | null {
  return ms >= MIN_ROTATE_MS && ms <= MAX_ROTATE_MS ? ms : null;
}

/** The shortest spelling of a duration: `20s`, `1m`, `1m30s`, `2500ms`, `0`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  if (ms % 1000 !== 0) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

export function parseWallParams(input: RawParams): WallParams {
  return {
    clusters: parseSelectors(first(input, 'clusters')).selectors,
    rotateMs: parseDuration(first(input, 'rotate')) ?? DEFAULT_WALL.rotateMs,
    theme: oneOf(THEMES, first(input, 'theme'), DEFAULT_WALL.theme),
    dim: oneOf(DIMENSION_IDS, first(input, 'dim'), DEFAULT_WALL.dim),
    palette: oneOf(PALETTES, first(input, 'palette'), DEFAULT_WALL.palette),
  };
}

/** Every key is written: a kiosk's URL keeps meaning the same thing if the defaults change. */
export function serializeWallParams(p: WallParams, base?: URLSearchParams | string): string {
  const out = new URLSearchParams(typeof base === 'string' ? base : (base?.toString() ?? ''));
  for (const k of WALL_KEYS) out.delete(k);
  if (p.clusters.length) out.set('clusters', formatSelectors(p.clusters));
  out.set('rotate', formatDuration(p.rotateMs));
  out.set('theme', p.theme);
  out.set('dim', p.dim);
  out.set('palette', p.palette);
  return out.toString();
}
