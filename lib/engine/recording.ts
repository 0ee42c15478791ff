// Recorded source answers (dev/record-samples.ts), replayed as `advance` inputs (collectedAt) or
// as the engine's sources (replay).
import { NO_LAG } from './lag';
import type { MemberPoll } from '../sources/etcd';
import type { HaproxySnapshot } from '../sources/haproxy';
import { parseConfig } from '../config/load';
import type { EngineOptions } from './cluster';
import type { Collected } from './collect';
import type { ClusterState } from '../types';
import { advance } from './advance';
import { type EngineConfig, type EngineState, engineConfig, initialState, toClusterState } from './state';

export interface RecordedTick {
  t: number;
  phase: string;
  /** Endpoint → what the member source returned. */
  polls: Record<string, MemberPoll>;
  balancer: HaproxySnapshot | null;
  balancerError: string | null;
}

export interface Recording {
  recordedAt: string;
  /** The Fulcrum config the recording ran with (YAML). */
  config: string;
  members: Array<{ name: string; url: string }>;
  ticks: RecordedTick[];
}

// Histogram bounds include +Inf, which JSON can't hold.
export function encodeSamples(r: Recording): string {
  return JSON.stringify(r, (_k, v) => (v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : v));
}

export function decodeSamples(text: string): Recording {
  return JSON.parse(text, (_k, v) => (v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : v)) as Recording;
}

/**
 * Engine options that replay a recording: call `next()` before each `engine.tick()`; sources
 * answer what they answered then, and the clock reads the recorded time.
 */
export function replay(rec: Recording): { options: EngineOptions; next(): RecordedTick | null; index(): number } {
  let i = -1;
  const tick = () => rec.ticks[Math.max(0, i)];
  return {
    next() {
      i++;
      return rec.ticks[i] ?? null;
    },
    index: () => i,
    options: {
      now: () => tick().t,
      lag: NO_LAG,
      memberSource: (e) => ({
        endpoint: e.url,
        async poll() {
          const p = tick().polls[e.url];
          if (!p) throw new Error(`no recorded poll of ${e.url} at tick ${i}`);
          return p;
        },
        close() {},
      }),
      balancerSource: {
        async poll() {
          const t = tick();
          if (!t.balancer) throw new Error(t.balancerError ?? 'no recorded balancer snapshot');
          return t.balancer;
        },
      },
    },
  };
}

/** The engine config a recording ran with (its sources: the members and the balancer, nothing else). */
export function replayConfig(rec: Recording, downAfter = 2): EngineConfig {
  const cfg = parseConfig(rec.config, 'recorded.yaml', {});
  const cluster = cfg.clusters[0];
  return engineConfig(cfg, cluster, {
    downAfter,
    memberListEvery: 30,
    has: { etcd: true, prometheus: false, balancer: cluster.balancer !== null, logs: false },
  });
}

/** What collect would have returned at a recorded tick: the input of `advance`. */
export function collectedAt(tick: RecordedTick, c: EngineConfig): Collected {
  return {
    members: c.cluster.endpoints.map((e) => {
      if (!e.direct) return null;
      const p = tick.polls[e.url];
      return p ? { ok: true, value: p } : { ok: false, error: `no recorded poll of ${e.url}` };
    }),
    prometheus: null,
    balancer: c.has.balancer
      ? {
          at: tick.t,
          latencyMs: 0,
          result: tick.balancer
            ? { ok: true, value: tick.balancer }
            : { ok: false, error: tick.balancerError ?? 'no recorded balancer snapshot' },
        }
      : null,
    logs: null,
    durationMs: 0,
    stalledMs: 0,
    loopBusy: 0,
    startedLateMs: 0,
  };
}

/**
 * Every recorded poll through `advance`, from the initial state: what the engine would have
 * published at each tick. `prepare` sees each step's inputs first (a test freezes them). Pure.
 */
export function advanceRecording(
  rec: Recording,
  prepare?: (state: EngineState, collected: Collected) => void,
): Array<{ phase: string; state: EngineState; s: ClusterState }> {
  const cfg = replayConfig(rec);
  let state = initialState(cfg);
  const out: Array<{ phase: string; state: EngineState; s: ClusterState }> = [];
  for (const tick of rec.ticks) {
    const collected = collectedAt(tick, cfg);
    prepare?.(state, collected);
    state = advance(state, collected, cfg, tick.t).state;
    out.push({ phase: tick.phase, state, s: toClusterState(state, cfg) });
  }
  return out;
}
