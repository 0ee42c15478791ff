// The proposal against the two shapes that broke the weights agent on a real cluster: a follower
// paused 400 ms of every 500 ms (SIGSTOP/SIGCONT), whose etcd p99 swings around the 2×-of-peers
// threshold while Fulcrum's probe sees it late poll after poll; and a healthy follower whose CPU
// per request is twice the paused one's (the paused one runs less). Probe signals go through the
// engine's own pure pipeline (pushProbe, memberSignals), the agent's answers through decide().
import { describe, expect, it } from 'vitest';
import { memberSignals, type ProbeSample, pushProbe } from '../signals';
import { type CapacityFactor, type CapacityInput, capacityFactors, probeInputOf } from './propose';
import { agentAnswers, IT_LIMITS as LIMITS } from './testkit';

/** A deterministic stream in [0, 1) (a linear congruential generator): the probes' phases. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

function probeOf(ring: ProbeSample[]) {
  const s = memberSignals({
    deltas: [],
    windowPolls: 1,
    minutePolls: 1,
    scorePolls: 1,
    latest: null,
    revision: null,
    appliedStalled: false,
    prev: null,
    probes: ring,
  });
  return probeInputOf(s);
}

interface Poll {
  phase: 'healthy' | 'stalled' | 'recovered';
  inputs: CapacityInput[];
}

/**
 * A 3-member cluster polled once a second: l (leader), a (follower), b (follower, paused `stopMs`
 * of every 500 ms during the stall). etcd's p99 of b swings between 25 ms and 250 ms while paused
 * (its histogram times from when the handler runs); its probe waits out the pause it lands in.
 * CPU per request: the leader's 2 ms (replication), a's 1.3 ms, b's 0.65 ms while paused.
 */
function simulate(seed: number, stopMs: number): Poll[] {
  const rnd = lcg(seed);
  const rings: ProbeSample[][] = [[], [], []];
  const polls: Poll[] = [];
  const phases: Array<[Poll['phase'], number]> = [
    ['healthy', 30],
    ['stalled', 150],
    ['recovered', 120],
  ];
  for (const [phase, n] of phases)
    for (let k = 0; k < n; k++) {
      const paused = phase === 'stalled';
      const lateB = paused ? Math.max(0, stopMs - rnd() * 500) : rnd() * 2;
      const excess = [rnd() * 2, rnd() * 2, lateB];
      excess.forEach((e, i) => {
        rings[i] = pushProbe(rings[i], { ms: 2 + e, excess: Math.round(e * 100) / 100 }, 180);
      });
      const p99b = paused ? (rnd() < 0.5 ? 0.025 : 0.25) : 0.016;
      const lat = (v: number) => [{ label: 'p99', value: v, floorS: 0.02, followersApart: true }];
      polls.push({
        phase,
        inputs: [
          {
            name: 'l',
            live: true,
            isLeader: true,
            latency: lat(0.01),
            cpu: 0.2,
            requests: 100,
            probe: probeOf(rings[0]),
          },
          {
            name: 'a',
            live: true,
            isLeader: false,
            latency: lat(0.015),
            cpu: 0.13,
            requests: 100,
            probe: probeOf(rings[1]),
          },
          {
            name: 'b',
            live: true,
            isLeader: false,
            latency: lat(p99b),
            cpu: paused ? 0.065 : 0.13,
            requests: 100,
            probe: probeOf(rings[2]),
          },
        ],
      });
    }
  return polls;
}

const simulated = new Map<string, Poll[]>();
/** The same cluster for every test that asks (the simulation is the slow part). */
function cluster(seed: number, stopMs = 400): Poll[] {
  const key = `${seed}/${stopMs}`;
  if (!simulated.has(key)) simulated.set(key, simulate(seed, stopMs));
  return simulated.get(key)!;
}

/** What the agent answers for one server each poll (one a second). */
const agent = (factors: CapacityFactor[]) => agentAnswers(factors.map((factor, k) => ({ t: k * 1000, factor })));

/** How often a series goes from below 1 back to 1. */
const upFlips = (xs: number[]) => xs.filter((x, i) => i > 0 && x === 1 && xs[i - 1] < 1).length;

describe('a follower paused 400 ms of every 500 ms', () => {
  const seeds = [1, 7, 42, 1234, 99991];

  it("etcd's p99 alone flips the verdict on it from poll to poll (the shape that made the agent step back up)", () => {
    for (const seed of seeds) {
      const polls = cluster(seed).filter((p) => p.phase === 'stalled');
      const b = polls.map((p) => capacityFactors(p.inputs.map((x) => ({ ...x, probe: null })))[2].factor);
      expect(upFlips(b), `seed ${seed}`).toBeGreaterThan(10);
    }
  });

  /** The first poll of the stall at which the probe alone judges b late (p99 left out). */
  const probeLate = (polls: Poll[]) =>
    polls.findIndex(
      (p) => p.phase === 'stalled' && capacityFactors(p.inputs.map((x) => ({ ...x, latency: [] })))[2].factor < 1,
    );

  it('with the probe judged over a window, it is lowered within 30 polls and stays lowered until the stall ends; nobody else is touched', () => {
    for (const seed of seeds) {
      const polls = cluster(seed);
      const f = polls.map((p) => capacityFactors(p.inputs));
      const stalled = polls.map((p, k) => (p.phase === 'stalled' ? k : -1)).filter((k) => k >= 0);
      // p99 may lower it earlier, and let go again: the probe, once it judges, holds.
      const first = probeLate(polls);
      expect(first - stalled[0], `seed ${seed}`).toBeGreaterThan(0);
      expect(first - stalled[0], `seed ${seed}`).toBeLessThan(30);
      for (const k of stalled.filter((k) => k >= first)) {
        expect(f[k][2].factor, `seed ${seed} poll ${k}`).toBeLessThan(1);
        expect(f[k][2].measured).toBe(true);
      }
      expect(f[stalled.at(-1)!][2].why).toMatch(
        /^b: (probe [\d.]+ ms late \(peers answer in [\d.]+ ms\)|p99 250 ms vs peers' 15 ms) → ×0\.\d\d$/,
      );
      // The leader (CPU per request 3× the paused follower's) and the healthy follower (2×) never.
      for (const [k, x] of f.entries()) {
        expect(x[0].factor, `seed ${seed} poll ${k}`).toBe(1);
        expect(x[1].factor, `seed ${seed} poll ${k}`).toBe(1);
      }
      expect(f[stalled.at(-1)!][1].why).toMatch(
        /CPU 1\.3 ms\/request \(peers 0\.65\), not used: its latency is as its peers'/,
      );
      // Recovered: back to 1, and settled (the agent may restore it), within 20 polls.
      const after = polls.map((p, k) => (p.phase === 'recovered' ? k : -1)).filter((k) => k >= 0);
      const back = after.find((k) => f[k][2].factor === 1 && f[k][2].measured)!;
      expect(back - after[0], `seed ${seed}`).toBeLessThan(20);
      for (const k of after.filter((k) => k >= back)) expect(f[k][2].factor).toBe(1);
    }
  });

  it('the agent lowers it within 60 s, never steps it back up once the probe judged, and restores it after', () => {
    for (const seed of seeds) {
      const polls = cluster(seed);
      const f = polls.map((p) => capacityFactors(p.inputs));
      const [l, a, b] = [0, 1, 2].map((i) => agent(f.map((x) => x[i])));
      const start = polls.findIndex((p) => p.phase === 'stalled');
      const end = polls.findIndex((p) => p.phase === 'recovered');
      expect(b.findIndex((x, k) => k >= start && x < 100) - start, `seed ${seed}`).toBeLessThanOrEqual(60);
      for (let k = probeLate(polls) + 1; k < end; k++)
        expect(b[k], `seed ${seed} poll ${k}`).toBeLessThanOrEqual(b[k - 1]);
      expect(b[end - 1]).toBe(LIMITS.min);
      expect(b.at(-1)).toBe(100);
      expect(new Set([...l, ...a])).toEqual(new Set([100]));
      // With etcd's p99 alone, the agent steps it back up again and again while it is paused.
      const p99Only = agent(polls.map((p) => capacityFactors(p.inputs.map((x) => ({ ...x, probe: null })))[2]));
      expect(p99Only.filter((x, k) => k > start && k < end && x > p99Only[k - 1]).length).toBeGreaterThan(3);
    }
  });

  it('a follower paused 300 ms of every 500 ms is lowered and kept lowered too (its median swings, its tail holds)', () => {
    for (const seed of seeds) {
      const polls = cluster(seed, 300);
      const b = polls.map((p) => capacityFactors(p.inputs)[2]);
      const stalled = polls.map((p, k) => (p.phase === 'stalled' ? k : -1)).filter((k) => k >= 0);
      const first = probeLate(polls);
      expect(first - stalled[0], `seed ${seed}`).toBeGreaterThan(0);
      expect(first - stalled[0], `seed ${seed}`).toBeLessThan(60);
      for (const k of stalled.filter((k) => k >= first)) expect(b[k].factor, `seed ${seed} poll ${k}`).toBeLessThan(1);
    }
  });
});
