import { describe, expect, it } from 'vitest';
import type { AgentAuditEntry, BalancerServer, MemberState, WeightsState } from '../../types';
import { balancer, member, server } from '../diagnosis/testkit';
import { type AgentCollected, advanceWeights, type WeightsInput } from './view';

const members = (): MemberState[] => [member(1, { weight: 30 }), member(2, { weight: 20 }), member(3, { weight: 10 })];
const REF = { type: 'haproxy' as const, backend: 'etcd', runtimeApi: '/run/haproxy.sock' };

function input(over: Partial<WeightsInput> & { servers?: Partial<BalancerServer>[] } = {}): WeightsInput {
  const ms = over.members ?? members();
  const servers = ms.map((m, i) => server(m, over.servers?.[i] ?? {}));
  return {
    t: 10_000,
    members: ms,
    configured: [30, 20, 10],
    balancer: balancer(servers),
    balancerRef: REF,
    minLatencySamples: 200,
    settleMs: 30_000,
    requestShares: [0.5, 1 / 3, 1 / 6],
    prev: null,
    agent: null,
    ...over,
  };
}

function step(prev: WeightsState, over: Parameters<typeof input>[0]) {
  return advanceWeights(input({ ...over, prev }));
}

describe('weights view', () => {
  it('lists configured, runtime and proposed weights per member, and no change on the first poll', () => {
    const r = advanceWeights(input());
    expect(r.weights.members.map((w) => [w.name, w.configured, w.runtime, w.proposed])).toEqual([
      ['etcd-1', 30, 30, 30],
      ['etcd-2', 20, 20, 20],
      ['etcd-3', 10, 10, 10],
    ]);
    expect(r.weights.group).toEqual({ type: 'haproxy', name: 'etcd', runtimeApi: '/run/haproxy.sock' });
    expect(r.weights.change).toBeNull();
    expect(r.events).toEqual([]);
  });

  it('notices a weight change at the balancer, predicts it, and measures it once settled', () => {
    const first = advanceWeights(input()).weights;
    const changedServers = [{ weight: 10 }, { weight: 20 }, { weight: 30 }];
    const r = step(first, { t: 20_000, servers: changedServers });
    expect(r.weights.change).toMatchObject({ t: 20_000, by: 'other', before: [30, 20, 10], after: [10, 20, 30] });
    expect(r.weights.change!.predicted.map((p) => p!.toFixed(3))).toEqual(['0.167', '0.333', '0.500']);
    expect(r.events.map((e) => e.kind)).toEqual(['weights-changed']);
    expect(r.events[0].detail).toContain('etcd-1 30→10');
    // Still settling: nothing measured.
    const mid = step(r.weights, { t: 40_000, servers: changedServers, requestShares: [0.4, 0.3, 0.3] });
    expect(mid.weights.change!.measured).toBeNull();
    // Settled: measured once, with the largest gap.
    const done = step(mid.weights, { t: 50_000, servers: changedServers, requestShares: [0.18, 0.33, 0.49] });
    expect(done.weights.change!.measured).toEqual([0.18, 0.33, 0.49]);
    expect(done.weights.change!.error).toBeCloseTo(0.18 - 1 / 6, 5);
    expect(done.events.map((e) => e.kind)).toEqual(['weights-settled']);
    expect(done.events[0].detail).toContain('etcd-1 predicted 17 %, measured 18 %');
    // Later polls keep the measurement.
    const later = step(done.weights, { t: 60_000, servers: changedServers, requestShares: [0.3, 0.3, 0.4] });
    expect(later.weights.change!.measured).toEqual([0.18, 0.33, 0.49]);
    expect(later.events).toEqual([]);
  });

  it('takes weights applied one server at a time while the last change settles as one change', () => {
    const first = advanceWeights(input()).weights;
    const one = step(first, { t: 20_000, servers: [{ weight: 10 }, {}, {}] });
    const both = step(one.weights, { t: 21_000, servers: [{ weight: 10 }, {}, { weight: 30 }] });
    expect(both.weights.change).toMatchObject({ t: 21_000, before: [30, 20, 10], after: [10, 20, 30] });
    expect(both.weights.change!.settleAt).toBe(21_000 + 30_000);
    expect(both.weights.change!.predicted.map((p) => p!.toFixed(3))).toEqual(['0.167', '0.333', '0.500']);
    expect(both.events[0].detail).toContain('etcd-3 10→30');
    // Once measured, the next change starts from the weights then.
    const done = step(both.weights, { t: 60_000, servers: [{ weight: 10 }, {}, { weight: 30 }] });
    expect(done.weights.change!.measured).not.toBeNull();
    const next = step(done.weights, { t: 70_000, servers: [{ weight: 20 }, {}, { weight: 30 }] });
    expect(next.weights.change).toMatchObject({ before: [10, 20, 30], after: [20, 20, 30], measured: null });
  });

  it('measures a change only with shares counted wholly after it', () => {
    const first = advanceWeights(input()).weights;
    const servers = [{ weight: 10 }, {}, { weight: 30 }];
    const r = step(first, { t: 20_000, servers });
    // Settled, but the shares' window began before the change: not yet.
    const early = step(r.weights, { t: 55_000, servers, sharesFrom: 15_000, requestShares: [0.3, 0.3, 0.4] });
    expect(early.weights.change!.measured).toBeNull();
    const done = step(early.weights, { t: 60_000, servers, sharesFrom: 21_000, requestShares: [0.2, 0.3, 0.5] });
    expect(done.weights.change!.measured).toEqual([0.2, 0.3, 0.5]);
  });

  it('waits for load before measuring, and treats a drain as a change that sends the member nothing', () => {
    const first = advanceWeights(input()).weights;
    const drained = [{}, { status: 'DRAIN' }, {}];
    const r = step(first, { t: 20_000, servers: drained });
    expect(r.weights.change!.predicted.map((p) => p!.toFixed(2))).toEqual(['0.75', '0.00', '0.25']);
    const idle = step(r.weights, { t: 60_000, servers: drained, requestShares: null });
    expect(idle.weights.change!.measured).toBeNull();
  });

  it('attributes a change to the weights agent when it handed out the percentage that gives it', () => {
    const first = advanceWeights(input()).weights;
    const agent: AgentCollected = {
      listen: '127.0.0.1:5555',
      limits: { min: 25, max: 100, maxStepPercent: 20, settleSeconds: 10, drainDown: false },
      members: [
        { endpoint: 'http://10.0.0.1:2379', percent: 100, drain: false, askedAt: 1, why: '' },
        { endpoint: 'http://10.0.0.2:2379', percent: 80, drain: false, askedAt: 1, why: 'slow' },
        { endpoint: 'http://10.0.0.3:2379', percent: 100, drain: false, askedAt: 1, why: '' },
      ],
      audit: [
        {
          t: 19_000,
          cluster: 'c',
          member: 'etcd-2',
          endpoint: 'http://10.0.0.2:2379',
          server: 'etcd-2',
          peer: '127.0.0.1:40000',
          by: 'fulcrum agent 127.0.0.1:5555',
          before: 100,
          after: 80,
          reply: '80%',
          why: 'slow',
        } satisfies AgentAuditEntry,
      ],
      changes: 1,
    };
    const r = step(first, { t: 20_000, servers: [{}, { weight: 16 }, {}], agent });
    expect(r.weights.change!.by).toBe('agent');
    // The agent's own event marks it; no second "weights changed" event.
    expect(r.events.map((e) => e.kind)).toEqual(['agent-weight']);
    expect(r.events[0]).toMatchObject({ t: 19_000, member: 'http://10.0.0.2:2379' });
    expect(r.weights.agent!.audit).toHaveLength(1);
    expect(r.weights.agent!.changes).toBe(1);
  });

  it('proposes lower weights for a member slower than its peers, with its reason', () => {
    const ms = members().map((m, i) => ({
      ...m,
      signals: { ...m.signals, latencyP99: i === 2 ? 0.2 : 0.01, latencyCount: 1000 },
    }));
    const r = advanceWeights(input({ members: ms }));
    expect(r.weights.members[2].factor).toBe(0.25);
    expect(r.weights.members[2].proposed).toBeLessThan(10);
    expect(r.weights.members[2].why).toMatch(/p99 200 ms vs peers' 10 ms/);
  });
});
