// Numbers as an SRE reads them (UI and finding text alike): short, with units, never "NaN". Pure.
import { DASH } from './formatTime';
import type { Unit } from './types';

export { DASH, formatAge, formatClock, formatDateTime } from './formatTime';
const MINUS = '−';

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** 3 significant digits, SI suffixes from 10 000 up (12.3k, 4.56M), no exponent notation. */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  if (x === 0) return '0';
  const sign = x < 0 ? MINUS : '';
  const a = Math.abs(x);
  const suffixes: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e4, 'k'],
  ];
  for (const [div, s] of suffixes) {
    if (a >= div) {
      const v = a / (div === 1e4 ? 1e3 : div);
      return `${sign}${trim(v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2))}${div === 1e4 ? 'k' : s}`;
    }
  }
  if (a >= 100) return `${sign}${a.toFixed(0)}`;
  if (a >= 10) return `${sign}${trim(a.toFixed(1))}`;
  if (a >= 1) return `${sign}${trim(a.toFixed(2))}`;
  if (a >= 0.001) return `${sign}${trim(a.toPrecision(3))}`;
  return `${sign}<0.001`;
}

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Binary units: 512 B, 1.5 KiB, 135 KiB, 2.0 GiB. */
export function formatBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return DASH;
  const sign = b < 0 ? MINUS : '';
  let a = Math.abs(b);
  let i = 0;
  while (a >= 1024 && i < IEC.length - 1) {
    a /= 1024;
    i++;
  }
  if (i === 0) return `${sign}${Math.round(a)} B`;
  return `${sign}${trim(a >= 100 ? a.toFixed(0) : a >= 10 ? a.toFixed(1) : a.toFixed(2))} ${IEC[i]}`;
}

/** Seconds as µs / ms / s. */
export function formatDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return DASH;
  const a = Math.abs(s);
  if (a === 0) return '0 ms';
  if (a < 1e-3) return `${formatNumber(s * 1e6)} µs`;
  if (a < 1) return `${formatNumber(s * 1e3)} ms`;
  return `${formatNumber(s)} s`;
}

/** A value of a dimension with its unit. */
export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  switch (unit) {
    case 'B':
      return formatBytes(v);
    case 'B/s':
      return `${formatBytes(v)}/s`;
    case 's':
      return formatDuration(v);
    case 'streams':
      return `${formatNumber(Math.round(v))} ${Math.round(v) === 1 ? 'stream' : 'streams'}`;
    case 'cores':
      return `${formatNumber(v)} ${v === 1 ? 'core' : 'cores'}`;
    case 'req/s':
      return `${formatNumber(v)} req/s`;
  }
}

/** A fraction as a percentage: 0.7049 → "70.5 %". */
export function formatPercent(f: number | null | undefined, digits = 1): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return DASH;
  const p = f * 100;
  return `${p < 0 ? MINUS : ''}${Math.abs(p).toFixed(digits)} %`;
}

/** Difference of two fractions in percentage points, signed: "+53.8 pp", "−38.4 pp". */
export function formatPp(share: number | null | undefined, expected: number | null | undefined): string {
  const d = ppDelta(share, expected);
  if (d === null) return DASH;
  const r = Math.round(d * 10) / 10;
  if (r === 0) return '±0.0 pp';
  return `${r > 0 ? '+' : MINUS}${Math.abs(r).toFixed(1)} pp`;
}

/** share − expected in percentage points, or null. */
export function ppDelta(share: number | null | undefined, expected: number | null | undefined): number | null {
  if (share === null || share === undefined || expected === null || expected === undefined) return null;
  if (!Number.isFinite(share) || !Number.isFinite(expected)) return null;
  return (share - expected) * 100;
}

/** A score in [0,1] with two decimals. */
export function formatScore(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return DASH;
  return s.toFixed(2);
}

/** A ratio such as share/expected: "4.2×", "0.35×". */
export function formatRatio(r: number | null | undefined): string {
  if (r === null || r === undefined || Number.isNaN(r)) return DASH;
  if (r === Infinity) return '∞×';
  if (r >= 10) return `${r.toFixed(0)}×`;
  if (r >= 1) return `${r.toFixed(1)}×`;
  return `${r.toFixed(2)}×`;
}

/**
 * etcd member IDs are uint64 decimal strings; etcdctl prints them in hex. Converted with BigInt,
 * never through a JS number (which would lose the low bits). Null when not a uint64.
 */
export function memberIdHex(id: string | null | undefined): string | null {
  if (!id || !/^[0-9]{1,20}$/.test(id)) return null;
  const n = BigInt(id);
  if (n > 0xffffffffffffffffn) return null;
  return n.toString(16);
}

/** "host:port" of a client URL, as etcdctl prints ENDPOINT. */
export function endpointHost(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
