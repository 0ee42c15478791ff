import { describe, expect, it } from 'vitest';
import { frame } from '@/lib/client/testFrames';
import type { Finding } from '@/lib/types';
import {
  axisTick,
  lineSummary,
  findingsInWindow,
  memberHref,
  memberHrefAt,
  memberSeries,
  parseLogQuery,
  parseWindow,
  signalGrid,
  splitHighlight,
  statusSegments,
  visibleText,
} from './model';

const T = 1_732_528_800_000;

describe('member page URL', () => {
  it('puts the window in the URL and round-trips it', () => {
    const href = memberHrefAt('prod main', 'etcd-1', T);
    expect(href).toBe(`/clusters/prod%20main/members/etcd-1?from=${T - 150_000}&to=${T + 150_000}`);
    const qs = new URLSearchParams(href.split('?')[1]);
    expect(parseWindow(qs, 0)).toEqual({ from: T - 150_000, to: T + 150_000, fallback: false });
    expect(memberHref('c', 'http://10.0.0.1:2379', 1.5, 2.5, { q: 'x', level: undefined })).toBe(
      '/clusters/c/members/http%3A%2F%2F10.0.0.1%3A2379?from=1&to=3&q=x',
    );
  });

  it('falls back for missing or broken windows and bounds long ones', () => {
    expect(parseWindow({}, T)).toEqual({ from: T - 15 * 60_000, to: T, fallback: true });
    expect(parseWindow({ from: '../etc', to: '1e3' }, T)).toEqual({ from: T - 15 * 60_000, to: T, fallback: true });
    expect(parseWindow({ from: String(T), to: String(T - 1000) }, 0)).toMatchObject({ from: T - 1000, to: T });
    expect(parseWindow({ from: '1', to: String(T) }, 0)).toMatchObject({ from: T - 24 * 3600_000, to: T });
    expect(parseWindow({ from: String(T) }, 0)).toMatchObject({ from: T, to: T + 15 * 60_000 });
    expect(parseLogQuery({ level: 'warn', source: 'balancer', q: 'x', signals: '1' })).toEqual({
      q: 'x',
      level: 'warn',
      source: 'balancer',
      signals: true,
    });
    expect(parseLogQuery({ level: '<script>', source: '/etc/passwd', signals: 'yes' })).toEqual({
      q: '',
      level: '',
      source: 'both',
      signals: false,
    });
  });
});

describe('series and status strip', () => {
  const frames = [0, 1, 2, 3, 10, 11].map((s, i) =>
    frame(T + s * 1000, {
      up: [true, i !== 2, true],
      leader: i < 3 ? 0 : 1,
      values: { requests: [10 * i, 20 * i, 30 * i] },
    }),
  );

  it("draws the member's values with the others, null when down, broken across gaps", () => {
    const pts = memberSeries(frames, 1, 'requests', T - 1000, T + 20_000, 1000);
    expect(pts.map((p) => p.self)).toEqual([0, 20, null, 60, null, 80, 100]);
    expect(pts.map((p) => p.m0)).toEqual([0, 10, 20, 30, null, 40, 50]);
    expect(pts[4]).toMatchObject({ self: null, m0: null, m2: null });
    expect(pts[0]).not.toHaveProperty('m1');
  });

  it('run-length encodes up / down / leader / no data over the window', () => {
    const segs = statusSegments(frames, 1, T - 2000, T + 12_000, 1000);
    expect(segs.map((s) => [s.state, s.from - T, s.to - T])).toEqual([
      ['nodata', -2000, -1000],
      ['up', -1000, 1000],
      ['down', 1000, 2000],
      ['leader', 2000, 3000],
      ['nodata', 3000, 9000],
      ['leader', 9000, 11_000],
      ['nodata', 11_000, 12_000],
    ]);
    expect(statusSegments([], 0, T, T + 1000, 1000)).toEqual([{ from: T, to: T + 1000, state: 'nodata' }]);
  });
});

describe('findings and text', () => {
  const f = (members: string[], since: number): Finding => ({
    id: `${members.join()}-${since}`,
    kind: 'member-down',
    cluster: 'c',
    members,
    severity: 'critical',
    since,
    title: 't',
    summary: '',
    evidence: [],
    fixes: [],
    confidence: 1,
  });

  it('keeps the findings about the member (or the cluster) raised before the window ends', () => {
    const m = { endpoint: 'http://a:1', name: 'etcd-1' };
    const list = [
      f(['http://a:1'], T),
      f(['etcd-1'], T + 10),
      f(['http://b:1'], T),
      f([], T),
      f(['http://a:1'], T + 999_999),
    ];
    expect(findingsInWindow(list, m, T - 1000, T + 1000).map((x) => x.id)).toEqual([
      `http://a:1-${T}`,
      `etcd-1-${T + 10}`,
      `-${T}`,
    ]);
  });

  it('shows control characters instead of passing them on, and marks search hits', () => {
    expect(visibleText('\u001b[31mred\u001b[0m\u0000\u0007 <b>')).toBe('␛[31mred␛[0m␀␇ <b>');
    expect(visibleText('tab\tand\nnewline')).toBe('tab\tand\nnewline');
    expect(splitHighlight('Slow fdatasync, slow', 'slow')).toEqual([
      { text: 'Slow', hit: true },
      { text: ' fdatasync, ', hit: false },
      { text: 'slow', hit: true },
    ]);
    expect(splitHighlight('abc', '')).toEqual([{ text: 'abc', hit: false }]);
  });

  it('buckets signal counts for long windows', () => {
    const g = signalGrid(
      [
        { minute: T, signal: 'a', count: 2 },
        { minute: T + 60_000, signal: 'a', count: 1 },
        { minute: T + 120_000, signal: 'b', count: 5 },
      ],
      T,
      T + 60 * 60_000,
      30,
    );
    expect(g.stepMs).toBe(120_000);
    expect(g.columns.length).toBe(30);
    expect(g.rows).toEqual([
      { signal: 'a', total: 3, cells: [3, ...new Array(29).fill(0)] },
      { signal: 'b', total: 5, cells: [0, 5, ...new Array(28).fill(0)] },
    ]);
  });
});

describe('display', () => {
  it('summarises HAProxy traffic lines and shortens axis ticks', () => {
    expect(
      lineSummary({
        format: 'haproxy',
        msg: 'x',
        raw: 'x',
        fields: {
          frontend: 'fe',
          backend: 'etcd',
          server: 'etcd-1',
          termination: 'SC',
          Tt: '3004',
          Tc: '-1',
          bytes: '0',
          client: '127.0.0.1:5',
        },
      }),
    ).toBe('TCP session fe → etcd/etcd-1 · ended SC · 3004 ms (connect -1 ms) · 0 B · from 127.0.0.1:5');
    expect(
      lineSummary({
        format: 'haproxy',
        msg: 'x',
        raw: 'x',
        fields: {
          frontend: 'fe',
          backend: 'etcd',
          server: 'etcd-1',
          termination: '--',
          status: '200',
          request: 'GET /health HTTP/1.1',
          Ta: '2',
          bytes: '9',
          client: 'c',
        },
      }),
    ).toBe('GET /health HTTP/1.1 → etcd/etcd-1 · status 200 · ended normally · 2 ms · 9 B · from c');
    expect(
      lineSummary({ format: 'haproxy', msg: 'Server etcd/etcd-1 is DOWN', raw: 'r', fields: { server: 'etcd-1' } }),
    ).toBe('Server etcd/etcd-1 is DOWN');
    expect(lineSummary({ format: 'raw', msg: '', raw: 'raw text', fields: {} })).toBe('raw text');
    expect(axisTick(8000, 'B/s')).toBe('7.81\u00a0KiB');
    expect(axisTick(0.045, 's')).toBe('45\u00a0ms');
    expect(axisTick(12_345, 'req/s')).toBe('12.3k');
  });
});
