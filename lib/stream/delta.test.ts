// Deltas reproduce the server's state exactly: random sequences of polls (recorded polls of the
// real local stack, shuffled and changed: members refusing, timing out, losing /metrics, alarms,
// leader moves, Fulcrum stalling, the balancer failing or draining a member) go through the engine's advance; a
// browser's copy starts from the state at a random poll and applies each delta as it arrives
// over the wire (JSON); after every delta it must equal the server's state.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advance } from '../engine/advance';
import type { Collected } from '../engine/collect';
import { collectedAt, decodeSamples, replayConfig } from '../engine/recording';
import { type EngineConfig, type EngineState, initialState, toClusterState, toStreamState } from '../engine/state';
import type { MemberPoll } from '../sources/etcd';
import type { ClusterDelta, ClusterState } from '../types';
import { applyDelta, makeDelta } from './delta';

const rec = decodeSamples(
  gunzipSync(readFileSync(path.join(__dirname, '../../test/fixtures/samples/local-stack.json.gz'))).toString('utf8'),
);
const cfg = replayConfig(rec);
const n = cfg.cluster.endpoints.length;
/** The same cluster without configured weights (scores against equal shares). */
const unweighted: EngineConfig = {
  ...cfg,
  cluster: { ...cfg.cluster, weighted: false },
  weights: cfg.weights.map(() => 1),
};
const wire = <T>(x: T): T => JSON.parse(JSON.stringify(x));

const CHANGES = ['asis', 'asis', 'asis', 'refused', 'timeout', 'noMetrics', 'leader', 'alarm', 'unhealthy'] as const;
type Change = (typeof CHANGES)[number];

function change(p: MemberPoll, c: Change, t: number, leaderId: string | undefined): MemberPoll {
  const q: MemberPoll = { ...p, t };
  switch (c) {
    case 'asis':
      return q;
    case 'refused':
      return {
        ...q,
        status: null,
        statusError: '14 UNAVAILABLE: connect ECONNREFUSED',
        health: null,
        healthError: 'ECONNREFUSED',
        counters: null,
        metricsError: 'ECONNREFUSED',
      };
    case 'timeout':
      return {
        ...q,
        status: null,
        statusError: '4 DEADLINE_EXCEEDED: Deadline exceeded',
        health: null,
        healthError: '/health: no answer within 800 ms',
        counters: null,
        metricsError: '/metrics: no answer within 800 ms',
      };
    case 'noMetrics':
      return { ...q, counters: null, metricsError: '/metrics answered HTTP 500' };
    case 'leader':
      return q.status && leaderId ? { ...q, status: { ...q.status, leader: leaderId } } : q;
    case 'alarm':
      return { ...q, alarms: q.status ? [{ memberId: q.status.id, alarm: 'NOSPACE' }] : null };
    case 'unhealthy':
      return { ...q, health: { healthy: false, reason: 'etcdserver: no leader' } };
  }
}

const poll = fc.record({
  tick: fc.nat({ max: rec.ticks.length - 1 }),
  changes: fc.array(fc.constantFrom(...CHANGES), { minLength: n, maxLength: n }),
  stalledMs: fc.constantFrom(0, 0, 0, 400),
  balancerDown: fc.boolean(),
  /** A server the operator took out at the balancer (its member then expects no traffic). */
  drain: fc.constantFrom(null, null, null, 'DRAIN', 'MAINT'),
  drainAt: fc.nat({ max: n - 1 }),
  newLeader: fc.nat({ max: n - 1 }),
});

describe('stream deltas', () => {
  it('applied to the first state, reproduce the server state after every poll', () => {
    fc.assert(
      fc.property(fc.array(poll, { minLength: 2, maxLength: 40 }), fc.nat(), fc.boolean(), (polls, startAt, w) => {
        const cfg = w ? replayConfig(rec) : unweighted;
        const t0 = rec.ticks[0].t;
        let server: EngineState = initialState(cfg);
        const start = startAt % polls.length;
        let view: ClusterState | null = start === 0 ? wire(toClusterState(server, cfg)) : null;
        polls.forEach((p, k) => {
          const t = t0 + (k + 1) * cfg.pollIntervalMs;
          const tick = rec.ticks[p.tick];
          const ids = cfg.cluster.endpoints.map((e) => tick.polls[e.url]?.status?.id);
          const base = collectedAt(tick, cfg);
          const c: Collected = {
            ...base,
            members: cfg.cluster.endpoints.map((e, i) => {
              const mp = tick.polls[e.url];
              return mp ? { ok: true as const, value: change(mp, p.changes[i], t, ids[p.newLeader]) } : null;
            }),
            balancer:
              base.balancer && p.balancerDown
                ? { ...base.balancer, result: { ok: false, error: 'HAProxy runtime API: ECONNREFUSED' } }
                : base.balancer?.result.ok && p.drain
                  ? {
                      ...base.balancer,
                      result: {
                        ok: true,
                        value: {
                          ...base.balancer.result.value,
                          servers: base.balancer.result.value.servers.map((sv, i) =>
                            i === p.drainAt ? { ...sv, status: p.drain as string } : sv,
                          ),
                        },
                      },
                    }
                  : base.balancer,
            stalledMs: p.stalledMs,
          };
          const r = advance(server, c, cfg, t);
          server = r.state;
          if (view === null) {
            if (k + 1 === start) view = wire(toClusterState(server, cfg));
            return;
          }
          const applied = applyDelta(view, wire(r.delta));
          expect(applied.kind).toBe('applied');
          if (applied.kind !== 'applied') return;
          view = applied.state;
          const want = wire(toClusterState(server, cfg));
          const first = view.frames[0]?.t ?? Infinity;
          want.frames = want.frames.filter((f) => f.t >= first);
          expect(wire(view)).toStrictEqual(want);
        });
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('carry only what changed: a steady healthy poll sends frame values and a small patch', () => {
    let s = initialState(cfg);
    const sizes: number[] = [];
    let full = 0;
    for (const tick of rec.ticks.filter((x) => x.phase === 'healthy')) {
      const r = advance(s, collectedAt(tick, cfg), cfg, tick.t);
      sizes.push(JSON.stringify(r.delta).length);
      full = JSON.stringify(toClusterState(r.state, cfg)).length;
      s = r.state;
    }
    const steady = sizes.slice(10).sort((a, b) => a - b);
    const median = steady[Math.floor(steady.length / 2)];
    // 3 members behind HAProxy with load: well under the old ~11 kB (nearly the whole state).
    expect(median).toBeLessThan(2000);
    expect(median).toBeLessThan(full / 10);
  });

  it('asks for a resync when deltas were missed or one does not fit the state', () => {
    const s0 = initialState(cfg);
    const r1 = advance(s0, collectedAt(rec.ticks[0], cfg), cfg, rec.ticks[0].t);
    const r2 = advance(r1.state, collectedAt(rec.ticks[1], cfg), cfg, rec.ticks[1].t);
    const v0 = wire(toClusterState(s0, cfg));
    expect(applyDelta(v0, wire(r2.delta)).kind).toBe('resync');
    expect(applyDelta(wire(toClusterState(r1.state, cfg)), wire(r1.delta)).kind).toBe('ignored');
    const bad: ClusterDelta = { ...wire(r2.delta), patch: { members: { 9: { name: 'x' } } } };
    expect(applyDelta(wire(toClusterState(r1.state, cfg)), bad).kind).toBe('resync');
    expect(makeDelta(toClusterState(r1.state, cfg), toClusterState(r2.state, cfg), []).seq).toBe(2);
  });

  it('start from a bounded state: the newest frames only, under 100 kB however long the history', () => {
    let s = initialState(cfg);
    // The recording over and over: 15 minutes of polls at 1 s fill the history.
    for (let k = 0; k < 900; k++) {
      const tick = rec.ticks[k % rec.ticks.length];
      const t = rec.ticks[0].t + k * cfg.pollIntervalMs;
      s = advance(
        s,
        {
          ...collectedAt(tick, cfg),
          members: collectedAt(tick, cfg).members.map(
            (m) => m && (m.ok ? { ok: true as const, value: { ...m.value, t } } : m),
          ),
        },
        cfg,
        t,
      ).state;
    }
    const full = toClusterState(s, cfg);
    const first = toStreamState(s, cfg);
    expect(JSON.stringify(full).length).toBeGreaterThan(500_000);
    expect(JSON.stringify(first).length).toBeLessThan(100_000);
    expect(first.frames.length).toBeGreaterThan(10);
    expect(first.frames).toEqual(full.frames.slice(-first.frames.length));
    expect({ ...first, frames: [] }).toEqual({ ...full, frames: [] });
  }, 60_000);
});
