import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load';
import type { MemberState } from '../types';
import { clusterStatus, engineConfig, initialState, withEndpoints } from './state';

function cfgFor(urls: string[]) {
  const cfg = parseConfig(
    `clusters:\n  - name: c\n    endpoints: [${urls.map((u) => `"${u}"`).join(', ')}]\n`,
    '/c.yaml',
    {},
  );
  return engineConfig(cfg, cfg.clusters[0], {
    downAfter: 2,
    memberListEvery: 5,
    has: { etcd: true, prometheus: false, balancer: false, logs: false },
  });
}

describe('withEndpoints', () => {
  it('keeps what members still there had, starts new ones fresh, remaps every history column', () => {
    const a = cfgFor(['http://a:1', 'http://b:1', 'http://c:1']);
    const b = cfgFor(['http://c:1', 'http://a:1', 'http://d:1']);
    const s0 = initialState(a);
    const s = {
      ...s0,
      failures: [1, 2, 3],
      probes: [[{ ms: 1, excess: 0, med: 0 }], [], [{ ms: 3, excess: 2, med: 2 }]],
      members: s0.members.map((m, i) => ({ ...m, name: `n${i}` })),
      frames: [
        {
          ...({} as (typeof s0.frames)[number]),
          t: 1,
          up: [true, false, true],
          leader: 2,
          origin: 'poll' as const,
          values: Object.fromEntries(Object.keys(s0.scores).map((k) => [k, [1, 2, 3]])),
          shares: Object.fromEntries(Object.keys(s0.scores).map((k) => [k, [0.1, 0.2, 0.7]])),
          expected: Object.fromEntries(Object.keys(s0.scores).map((k) => [k, [0.3, 0.3, 0.3]])),
          scores: {},
        } as (typeof s0.frames)[number],
      ],
    };
    const r = withEndpoints(s, a, b);
    expect(r.members.map((m) => [m.endpoint, m.name])).toEqual([
      ['http://c:1', 'n2'],
      ['http://a:1', 'n0'],
      ['http://d:1', 'd:1'],
    ]);
    expect(r.failures).toEqual([3, 1, 0]);
    expect(r.probes).toEqual([[{ ms: 3, excess: 2, med: 2 }], [{ ms: 1, excess: 0, med: 0 }], []]);
    expect(r.frames[0].up).toEqual([true, true, false]);
    expect(r.frames[0].leader).toBe(0);
    expect(r.frames[0].values.requests).toEqual([3, 1, null]);
    expect(r.frames[0].shares.requests).toEqual([0.7, 0.1, null]);
    // The same list again changes nothing.
    expect(withEndpoints(s, a, a)).toEqual(s);
    // A leader that left is no leader.
    expect(withEndpoints(s, a, cfgFor(['http://a:1'])).frames[0].leader).toBe(-1);
  });
});

describe('clusterStatus', () => {
  const with_ = (...statuses: MemberState['status'][]) =>
    clusterStatus(statuses.map((status) => ({ status }) as MemberState));
  it('is down only when a member is known down and none is live', () => {
    expect(with_('down', 'down', 'down')).toBe('down');
    expect(with_('down', 'unknown', 'unknown')).toBe('down');
  });
  it('is unknown, not down, when no member answered and none is known down (a dead Prometheus for a fed cluster)', () => {
    expect(with_('unknown', 'unknown', 'unknown')).toBe('unknown');
  });
  it('is ok with every member up, degraded otherwise', () => {
    expect(with_('up', 'up', 'up')).toBe('ok');
    expect(with_('up', 'unknown', 'up')).toBe('degraded');
    expect(with_('unhealthy', 'down', 'down')).toBe('degraded');
  });
});
