import { describe, expect, it } from 'vitest';
import {
  DASH,
  endpointHost,
  formatAge,
  formatBytes,
  formatDuration,
  formatNumber,
  formatPercent,
  formatPp,
  formatRatio,
  formatScore,
  formatValue,
  memberIdHex,
} from './format';

describe('formatNumber', () => {
  it('keeps about 3 significant digits and uses SI suffixes from 10k', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(0.1234)).toBe('0.123');
    expect(formatNumber(1.5)).toBe('1.5');
    expect(formatNumber(19.79)).toBe('19.8');
    expect(formatNumber(170.56)).toBe('171');
    expect(formatNumber(9999)).toBe('9999');
    expect(formatNumber(12_345)).toBe('12.3k');
    expect(formatNumber(4_560_000)).toBe('4.56M');
    expect(formatNumber(-3.25)).toBe('−3.25');
    expect(formatNumber(0.0000001)).toBe('<0.001');
  });
  it('never prints NaN', () => {
    expect(formatNumber(NaN)).toBe(DASH);
    expect(formatNumber(null)).toBe(DASH);
    expect(formatNumber(Infinity)).toBe(DASH);
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(135168)).toBe('132 KiB');
    expect(formatBytes(2147483648)).toBe('2 GiB');
    expect(formatBytes(10.5 * 1024 ** 2)).toBe('10.5 MiB');
    expect(formatBytes(null)).toBe(DASH);
  });
});

describe('formatValue', () => {
  it('formats per unit', () => {
    expect(formatValue(117, 'req/s')).toBe('117 req/s');
    expect(formatValue(3402, 'B/s')).toBe('3.32 KiB/s');
    expect(formatValue(147500, 'B')).toBe('144 KiB');
    expect(formatValue(0.00835, 's')).toBe('8.35 ms');
    expect(formatValue(0.0004, 's')).toBe('400 µs');
    expect(formatValue(1.2, 's')).toBe('1.2 s');
    expect(formatValue(1, 'streams')).toBe('1 stream');
    expect(formatValue(3, 'streams')).toBe('3 streams');
    expect(formatValue(0.228, 'cores')).toBe('0.228 cores');
    expect(formatValue(null, 'cores')).toBe(DASH);
  });
  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(0.025)).toBe('25 ms');
  });
});

describe('shares and scores', () => {
  it('percent', () => {
    expect(formatPercent(0.7049)).toBe('70.5 %');
    expect(formatPercent(1 / 6)).toBe('16.7 %');
    expect(formatPercent(null)).toBe(DASH);
  });
  it('percentage points are signed', () => {
    expect(formatPp(0.7049, 0.1667)).toBe('+53.8 pp');
    expect(formatPp(0.1144, 0.5)).toBe('−38.6 pp');
    expect(formatPp(0.5, 0.5)).toBe('±0.0 pp');
    expect(formatPp(null, 0.5)).toBe(DASH);
    expect(formatPp(0.5, null)).toBe(DASH);
  });
  it('score and ratio', () => {
    expect(formatScore(0.6483)).toBe('0.65');
    expect(formatScore(null)).toBe(DASH);
    expect(formatRatio(4.23)).toBe('4.2×');
    expect(formatRatio(0.345)).toBe('0.34×');
    expect(formatRatio(Infinity)).toBe('∞×');
    expect(formatRatio(12.4)).toBe('12×');
  });
});

describe('formatAge', () => {
  it('reads like a human', () => {
    expect(formatAge(0)).toBe('0 s');
    expect(formatAge(42_300)).toBe('42 s');
    expect(formatAge(3 * 60_000)).toBe('3 min');
    expect(formatAge(65 * 60_000)).toBe('1 h 05 min');
    expect(formatAge(51 * 3600_000)).toBe('2 d 3 h');
    expect(formatAge(-5)).toBe('0 s');
    expect(formatAge(null)).toBe(DASH);
  });
});

describe('memberIdHex', () => {
  it('converts uint64 decimal strings exactly (beyond 2^53)', () => {
    expect(memberIdHex('11967481037586532929')).toBe('a6150898e5918a41');
    expect(memberIdHex('13702560161874598269')).toBe('be2945de31f4597d');
    expect(memberIdHex('18446744073709551615')).toBe('ffffffffffffffff');
  });
  it('rejects what is not a uint64', () => {
    expect(memberIdHex('18446744073709551616')).toBeNull();
    expect(memberIdHex('-1')).toBeNull();
    expect(memberIdHex('0x12')).toBeNull();
    expect(memberIdHex(null)).toBeNull();
    expect(memberIdHex('')).toBeNull();
  });
  it('endpoint host', () => {
    expect(endpointHost('http://127.0.0.1:2379')).toBe('127.0.0.1:2379');
    expect(endpointHost('not a url')).toBe('not a url');
  });
});
