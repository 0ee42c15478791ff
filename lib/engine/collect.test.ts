// The Prometheus fallback of a member that keeps failing is asked while the member polls run,
// not after the dead member's deadline (which made every poll overrun its interval). Fakes of
// the sources (pure ordering logic); the real sources are exercised by the integration tests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PrometheusSource } from '../sources/prometheus';
import type { MemberPoll } from '../sources/etcd';
import { collect, type MemberSourceLike, type Sources } from './collect';
import { NO_LAG } from './lag';
import { decodeSamples, type Recording, replayConfig } from './recording';
import { type EngineConfig, initialState } from './state';

const FIXTURE = path.join(__dirname, '../../test/fixtures/samples/local-stack.json.gz');
const DEAD_MS = 600;

describe('collect: the Prometheus fallback of a failing member', () => {
  let rec: Recording;
  let cfg: EngineConfig;
  beforeAll(() => {
    rec = decodeSamples(gunzipSync(readFileSync(FIXTURE)).toString('utf8'));
    const base = replayConfig(rec);
    cfg = { ...base, has: { ...base.has, prometheus: true } };
  });

  /** One poll with member 0 hung (its probe and poll answer nothing for DEADLINE); what happened, in order. */
  async function poll(failuresBefore: number): Promise<{ order: string[]; asked: number }> {
    const order: string[] = [];
    const tick = rec.ticks.find((x) => x.phase === 'healthy')!;
    const members: MemberSourceLike[] = cfg.cluster.endpoints.map((e, i) => {
      const recorded = tick.polls[e.url] as MemberPoll;
      const hung = i === 0;
      const later = <T>(v: () => T) =>
        new Promise<T>((resolve) =>
          setTimeout(() => {
            order.push('dead member settled');
            resolve(v());
          }, DEAD_MS),
        );
      return {
        endpoint: e.url,
        close: () => undefined,
        probe: () =>
          hung ? new Promise(() => undefined) : Promise.resolve({ status: recorded.status, error: null, ms: 1 }),
        poll: () =>
          hung
            ? later(() => ({
                ...recorded,
                status: null,
                statusError: '4 DEADLINE_EXCEEDED: Deadline exceeded',
                health: null,
                counters: null,
              }))
            : Promise.resolve(recorded),
      } as unknown as MemberSourceLike;
    });
    let asked = 0;
    const prometheus = {
      query: async () => {
        if (asked++ === 0) order.push('prometheus asked');
        return [];
      },
    } as unknown as PrometheusSource;
    const sources: Sources = { members, prometheus, balancer: null, logs: null };
    const state = {
      ...initialState(cfg),
      failures: cfg.cluster.endpoints.map((_, i) => (i === 0 ? failuresBefore : 0)),
    };
    const c = await collect(sources, { tick: 5, memberList: false, clusterFrom: 1 }, state, cfg, 0, () => Date.now(), {
      lag: NO_LAG,
      startedLateMs: 0,
    });
    expect(c.prometheus?.kind).toBe('members');
    if (c.prometheus?.kind === 'members' && c.prometheus.result.ok)
      expect([...c.prometheus.result.value.keys()]).toEqual([0]);
    return { order, asked };
  }

  it('asks Prometheus while the polls run when the member missed the last poll and its probe is silent', async () => {
    const { order } = await poll(1);
    expect(order).toEqual(['prometheus asked', 'dead member settled']);
  });

  it('waits for the poll on a first miss (a slow probe alone costs no queries)', async () => {
    const { order } = await poll(0);
    expect(order).toEqual(['dead member settled', 'prometheus asked']);
  });
});
