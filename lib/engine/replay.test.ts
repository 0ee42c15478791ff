// The engine's pure step (`advance`) and every detector on samples recorded from the real local
// stack (dev/record-samples.ts): healthy load through HAProxy 30/20/10, kill -9 of etcd-2 and its
// restart (counters reset), HAProxy weights skewed to 10/10/80 and restored.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load';
import type { ClusterState } from '../types';
import { advance } from './advance';
import { ClusterEngine } from './cluster';
import { advanceRecording, collectedAt, decodeSamples, type Recording, replay, replayConfig } from './recording';
import { initialState } from './state';

const FIXTURE = path.join(__dirname, '../../test/fixtures/samples/local-stack.json.gz');

/** Freezes an object graph, so any write to it throws (ES modules run in strict mode). */
function deepFreeze<T>(x: T, seen = new Set<unknown>()): T {
  if (x === null || typeof x !== 'object' || seen.has(x)) return x;
  seen.add(x);
  for (const v of Object.values(x as object)) deepFreeze(v, seen);
  return Object.freeze(x);
}

/** Every recorded poll through `advance`, from the initial state (inputs frozen when asked). */
const advanceAll = (rec: Recording, freeze = false) =>
  advanceRecording(
    rec,
    freeze
      ? (state, collected) => {
          deepFreeze(state);
          deepFreeze(collected);
        }
      : undefined,
  );

describe('replay of recorded samples from the local stack through advance', () => {
  let rec: Recording;
  let states: Array<{ phase: string; s: ClusterState }> = [];
  const url = (name: string) => rec.members.find((m) => m.name === name)!.url;
  const phase = (p: string) => states.filter((x) => x.phase === p);

  beforeAll(() => {
    rec = decodeSamples(gunzipSync(readFileSync(FIXTURE)).toString('utf8'));
    states = advanceAll(rec);
  });

  it('has the scenario it claims', () => {
    expect(['healthy', 'killed', 'restarted', 'skewed', 'restored'].map((p) => phase(p).length > 5)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('healthy: shares follow the weights, nothing above info', () => {
    const last = phase('healthy').at(-1)!.s;
    expect(
      last.members.map((m) => m.dims.requests.share! - m.dims.requests.expectedShare!).every((d) => Math.abs(d) < 0.05),
    ).toBe(true);
    expect(last.scores.requests.score!).toBeLessThan(0.1);
    expect(
      phase('healthy')
        .flatMap((x) => x.s.findings)
        .filter((f) => f.severity !== 'info'),
    ).toEqual([]);
  });

  it('kill -9: member-down on etcd-2 within 3 polls, and the survivors keep their shares', () => {
    const killed = phase('killed');
    const i = killed.findIndex((x) =>
      x.s.findings.some((f) => f.kind === 'member-down' && f.members[0] === url('etcd-2')),
    );
    expect(i).toBeGreaterThanOrEqual(0);
    expect(i).toBeLessThan(3);
    // HAProxy's HTTP check on the dead member reports L4CON: still an HTTP check, not a gap.
    expect(killed.flatMap((x) => x.s.findings).filter((f) => f.kind === 'health-check-gap')).toEqual([]);
    const last = killed.at(-1)!.s;
    expect(last.members[1].status).toBe('down');
    expect(last.members[1].dims.requests.expectedShare).toBeNull();
    expect(last.members[0].dims.requests.expectedShare).toBeCloseTo(0.75, 2);
  });

  it('restart: counters reset without negative or absurd rates, and the member is back', () => {
    const healthyMax = Math.max(
      ...phase('healthy').flatMap((x) =>
        x.s.frames.flatMap((f) => f.values.requests.filter((v): v is number => v !== null)),
      ),
    );
    for (const { s } of [...phase('restarted'), ...phase('skewed')]) {
      for (const f of s.frames) {
        for (const v of Object.values(f.values).flat()) if (v !== null) expect(v).toBeGreaterThanOrEqual(0);
        for (const v of f.values.requests) if (v !== null) expect(v).toBeLessThan(5 * healthyMax);
      }
    }
    const last = phase('restarted').at(-1)!.s;
    expect(last.members[1].status).toBe('up');
    expect(last.events.some((e) => e.kind === 'member-up' && e.member === url('etcd-2'))).toBe(true);
    expect(last.resolvedFindings.some((f) => f.kind === 'member-down' && f.until !== undefined)).toBe(true);
  });

  it('skewed weights: request-skew on etcd-3 naming the balancer weights, cleared after restore', () => {
    const hit = phase('skewed').find((x) => x.s.findings.some((f) => f.kind === 'request-skew'));
    expect(hit).toBeDefined();
    const f = hit!.s.findings.find((x) => x.kind === 'request-skew')!;
    expect(f.members).toEqual([url('etcd-3')]);
    expect(f.summary).toContain('10/10/80');
    expect(f.fixes.map((x) => x.body).join('\n')).toContain('set server etcd/etcd-3 weight 10');
    // New connections follow the new weights too: that is weights, not pinning.
    expect(
      phase('skewed')
        .flatMap((x) => x.s.findings)
        .filter((x) => x.kind === 'connection-pinning'),
    ).toEqual([]);
    expect(
      phase('restored')
        .at(-1)!
        .s.findings.filter((x) => x.kind === 'request-skew'),
    ).toEqual([]);
  });
});

describe('advance is pure', () => {
  let rec: Recording;
  beforeAll(() => {
    rec = decodeSamples(gunzipSync(readFileSync(FIXTURE)).toString('utf8'));
  });

  // CPU-bound replays, no timing asserted: the timeout only has to survive a loaded machine.
  const SLOW = 30_000;

  it(
    'never writes to the previous state or the collected results (both deep-frozen), and repeats itself',
    () => {
      // A write to a frozen object throws: the whole recording runs without one. An independent
      // unfrozen run of the same inputs reaches the same states.
      const frozen = advanceAll(rec, true);
      expect(JSON.stringify(frozen.map((x) => x.s))).toBe(JSON.stringify(advanceAll(rec).map((x) => x.s)));
    },
    SLOW,
  );

  it(
    'gives the same output for the same input, and leaves the input as it was',
    () => {
      const cfg = replayConfig(rec);
      let state = initialState(cfg);
      for (const [k, tick] of rec.ticks.entries()) {
        const collected = collectedAt(tick, cfg);
        // JSON text: a faster deep comparison than toEqual; whole states are compared at the last poll.
        const lastPoll = k === rec.ticks.length - 1;
        const before = lastPoll ? JSON.stringify(state) : '';
        const a = advance(state, collected, cfg, tick.t);
        const b = advance(state, collected, cfg, tick.t);
        expect(JSON.stringify(b.delta)).toBe(JSON.stringify(a.delta));
        if (lastPoll) {
          expect(JSON.stringify(b.state)).toBe(JSON.stringify(a.state));
          expect(JSON.stringify(state)).toBe(before);
        }
        state = a.state;
      }
      expect(state.ticks).toBe(rec.ticks.length);
    },
    SLOW,
  );

  it(
    'is what the engine runs: tick() over the recorded sources reaches the same states',
    async () => {
      const cfg = parseConfig(rec.config, 'recorded.yaml', {});
      const r = replay(rec);
      const engine = new ClusterEngine(cfg, cfg.clusters[0], r.options);
      const viaEngine: ClusterState[] = [];
      for (let t = r.next(); t; t = r.next()) {
        await engine.tick();
        viaEngine.push(engine.state());
      }
      await engine.stop();
      expect(JSON.stringify(viaEngine)).toBe(JSON.stringify(advanceAll(rec).map((x) => x.s)));
    },
    SLOW,
  );
});
