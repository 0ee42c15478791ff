// Recorded source answers (dev/record-samples.ts) and their replay through the engine.
import type { MemberPoll } from '../sources/etcd';
import type { HaproxySnapshot } from '../sources/haproxy';
import type { EngineOptions } from './cluster';

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
