import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLine } from './parse';
import { lineTimers, TimerAccumulator } from './timers';

const FIXTURES = path.resolve(__dirname, '../../test/fixtures/logs');
const CTX = { utcOffsetMin: 0, now: Date.UTC(2026, 10, 25, 12) };
const lines = (name: string) =>
  fs
    .readFileSync(path.join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => parseLine(l, 'balancer', CTX));

describe('lineTimers', () => {
  it('reads HAProxy tcplog Tw/Tc/Tt per session (captured), -1 as not measured', () => {
    const tcp = lines('haproxy-tcp.log');
    expect(lineTimers(tcp[0])).toEqual({ per: 'session', ms: { queue: 1, connect: 0, total: 1587 } });
    const sc = tcp.find((l) => l.fields.termination === 'SC');
    expect(sc).toBeDefined();
    expect(lineTimers(sc!)?.ms.connect).toBeUndefined();
  });

  it('reads HAProxy httplog Tw/Tc/Tr/Ta per request (captured)', () => {
    const http = lines('haproxy-http.log');
    expect(lineTimers(http[0])).toEqual({ per: 'request', ms: { queue: 0, connect: 0, response: 2, total: 2 } });
  });

  it('reads NGINX seconds as ms, the last try of several, and "-" as not measured', () => {
    const ng = lines('nginx-access.log');
    expect(lineTimers(ng[0])).toEqual({ per: 'request', ms: { response: 2, total: 3 } });
    expect(lineTimers(ng[2])).toEqual({ per: 'request', ms: { total: 0 } });
    const tries = {
      format: 'nginx-access' as const,
      fields: { upstreamConnectTime: '0.001, 0.250', requestTime: '0.3' },
    };
    expect(lineTimers(tries)).toEqual({ per: 'request', ms: { connect: 250, total: 300 } });
  });

  it('gives null for lines without timers', () => {
    expect(lineTimers({ format: 'haproxy', fields: { server: 'a' } })).toBeNull();
    expect(lineTimers({ format: 'etcd-json', fields: {} } as never)).toBeNull();
  });
});

describe('TimerAccumulator', () => {
  const m0 = Date.UTC(2026, 0, 1, 10, 0);
  it('averages per member over the window, p99 from the buckets, and prunes old minutes', () => {
    const acc = new TimerAccumulator();
    for (let i = 0; i < 99; i++) acc.record('a', m0 + i * 100, { per: 'request', ms: { connect: 1, total: 4 } });
    acc.record('a', m0 + 60_500, { per: 'request', ms: { connect: 1, total: 400 } });
    acc.record('b', m0 - 5 * 60_000, { per: 'session', ms: { total: 9 } });
    const w = acc.window(120_000, m0 + 61_000);
    expect(Object.keys(w)).toEqual(['a']);
    expect(w.a).toMatchObject({ source: 'logs', per: 'request', connectMs: 1, count: 100, queueMs: null });
    expect(w.a.totalMs).toBeCloseTo((99 * 4 + 400) / 100, 2);
    // 99 of 100 at or under 5 ms: the 99th percentile is in the (2, 5] bucket.
    expect(w.a.totalHighMs).toBe(5);
    acc.record('a', m0 + 61_000, { per: 'request', ms: { total: 400 } });
    expect(acc.window(120_000, m0 + 62_000).a.totalHighMs).toBe(500);
    acc.prune(m0 + 60_000);
    expect(acc.window(600_000, m0 + 62_000).a.count).toBe(2);
  });
});
