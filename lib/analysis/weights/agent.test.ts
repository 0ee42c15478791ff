import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemberStatus } from '../../types';
import {
  type AgentInput,
  type AgentLimits,
  type AgentMemberState,
  decide,
  NEW_MEMBER_STATE,
  STEP_WINDOW_MS,
  stepPerChange,
} from './agent';
import type { CapacityFactor } from './propose';

const LIMITS: AgentLimits = {
  min: 25,
  max: 100,
  maxStepPercent: 30,
  settleSeconds: 10,
  drainDown: false,
  deadbandPercent: 5,
};

const factor = (f: number): CapacityFactor => ({
  factor: f,
  bound: f < 1 ? 'probe' : null,
  why: `x ×${f}`,
  measured: true,
});
const server = (weight = 20, status = 'UP') => ({ status, weight, initialWeight: 20 });

function input(t: number, over: Partial<AgentInput> = {}): AgentInput {
  return { t, stale: false, memberStatus: 'up', server: server(), factor: factor(1), ...over };
}

/** Runs the agent every `everyMs` from t0 for `ms`, feeding the server the last answer (as HAProxy applies it). */
function run(
  limits: AgentLimits,
  ms: number,
  f: (t: number) => Partial<AgentInput>,
  opts: { everyMs?: number; start?: AgentMemberState; t0?: number } = {},
) {
  let s = opts.start ?? NEW_MEMBER_STATE;
  let weight = 20;
  const out: Array<{ t: number; percent: number | null; reply: string; changed: boolean; why: string }> = [];
  const t0 = opts.t0 ?? 1_000_000;
  for (let t = t0; t <= t0 + ms; t += opts.everyMs ?? 2000) {
    const d = decide(s, { ...input(t, { server: server(weight) }), ...f(t) }, limits);
    s = d.state;
    if (d.percent !== null) weight = Math.round((20 * d.percent) / 100);
    out.push({ t, percent: d.percent, reply: d.reply, changed: d.changed, why: d.why });
  }
  return { out, state: s };
}

/** Every two answers at most 60 s apart differ by at most the step. */
function maxMovePerMinute(out: Array<{ t: number; percent: number | null }>): number {
  let worst = 0;
  for (let i = 0; i < out.length; i++)
    for (let j = i + 1; j < out.length && out[j].t - out[i].t <= STEP_WINDOW_MS; j++) {
      const a = out[i].percent;
      const b = out[j].percent;
      if (a !== null && b !== null) worst = Math.max(worst, Math.abs(a - b));
    }
  return worst;
}

describe('weights agent: start', () => {
  it("takes over the balancer's weight and holds it while settling", () => {
    const first = decide(NEW_MEMBER_STATE, input(0, { server: server(10), factor: factor(0.25) }), LIMITS);
    expect(first.reply).toBe('50%\n');
    expect(first.changed).toBe(true);
    const next = decide(first.state, input(5000, { server: server(10), factor: factor(0.25) }), LIMITS);
    expect(next.reply).toBe('50%\n');
    expect(next.why).toMatch(/settling/);
  });

  it('answers an empty line (HAProxy changes nothing) while the balancer weight is unknown', () => {
    const d = decide(NEW_MEMBER_STATE, input(0, { server: null }), LIMITS);
    expect(d.reply).toBe('\n');
    expect(d.percent).toBeNull();
  });
});

describe('weights agent: step limits and hysteresis', () => {
  it('lowers a slow member toward min, never faster than maxStepPercent per minute', () => {
    const { out } = run(LIMITS, 240_000, () => ({ factor: factor(0.25) }));
    expect(out[0].percent).toBe(100);
    expect(out.at(-1)!.percent).toBe(LIMITS.min);
    expect(maxMovePerMinute(out)).toBeLessThanOrEqual(LIMITS.maxStepPercent);
    // It moved within the first settle period plus one answer.
    const firstMove = out.find((o) => o.percent !== 100)!;
    expect(firstMove.t - out[0].t).toBeLessThanOrEqual(LIMITS.settleSeconds * 1000 + 2000);
    // Changes are at least settleSeconds apart.
    const changes = out.filter((o, i) => i > 0 && o.percent !== out[i - 1].percent);
    for (let i = 1; i < changes.length; i++)
      expect(changes[i].t - changes[i - 1].t).toBeGreaterThanOrEqual(LIMITS.settleSeconds * 1000);
    for (const o of out) expect(o.percent!).toBeGreaterThanOrEqual(LIMITS.min);
  });

  it('restores a member that recovered, at the same step limit', () => {
    const slow = run(LIMITS, 240_000, () => ({ factor: factor(0.25) }));
    const back = run(LIMITS, 240_000, () => ({ factor: factor(1) }), { start: slow.state, t0: 1_242_000 });
    expect(back.out.at(-1)!.percent).toBe(100);
    expect(maxMovePerMinute([...slow.out, ...back.out])).toBeLessThanOrEqual(LIMITS.maxStepPercent);
  });

  it('does not move for a factor within the deadband, nor for small moves', () => {
    const { out } = run(LIMITS, 120_000, () => ({ factor: factor(0.97) }));
    expect(new Set(out.map((o) => o.percent))).toEqual(new Set([100]));
    // At 80 %, a factor of 0.95 asks for 76: below the 5-point deadband.
    const at80: AgentMemberState = { percent: 80, changedAt: 0, history: [{ t: 0, percent: 80 }], drain: null };
    const d = decide(at80, input(100_000, { factor: factor(0.95) }), LIMITS);
    expect(d.percent).toBe(80);
    expect(d.why).toMatch(/within 5 points/);
  });

  it('goes back toward the configured weight when the data is stale', () => {
    const at40: AgentMemberState = { percent: 40, changedAt: 0, history: [{ t: 0, percent: 40 }], drain: null };
    const { out } = run(LIMITS, 180_000, () => ({ stale: true, factor: factor(0.25) }), { start: at40, t0: 100_000 });
    expect(out.at(-1)!.percent).toBe(100);
    expect(maxMovePerMinute(out)).toBeLessThanOrEqual(LIMITS.maxStepPercent);
    expect(out.find((o) => o.changed)!.why).toMatch(/stale/);
  });

  it('holds the weight of a member that is down by Fulcrum’s checks (no drainDown)', () => {
    const at60: AgentMemberState = { percent: 60, changedAt: 0, history: [], drain: null };
    const d = decide(at60, input(100_000, { memberStatus: 'down', factor: factor(0.25) }), LIMITS);
    expect(d.reply).toBe('60%\n');
  });

  it('spreads the minute’s step over the changes settleSeconds allows', () => {
    expect(stepPerChange(LIMITS)).toBe(5);
    expect(stepPerChange({ ...LIMITS, settleSeconds: 60 })).toBe(30);
    expect(stepPerChange({ ...LIMITS, settleSeconds: 1, maxStepPercent: 10 })).toBe(1);
  });
});

describe('weights agent: drain', () => {
  const drainy = { ...LIMITS, drainDown: true };
  const at100: AgentMemberState = { percent: 100, changedAt: 0, history: [], drain: null };

  it('drains only a member down by Fulcrum’s checks and still UP at the balancer, and undoes only its own drain', () => {
    expect(decide(at100, input(100_000, { memberStatus: 'down' }), LIMITS).reply).toBe('100%\n');
    expect(decide(at100, input(100_000, { memberStatus: 'down', server: server(20, 'DOWN') }), drainy).reply).toBe(
      '100%\n',
    );
    const d1 = decide(at100, input(100_000, { memberStatus: 'down' }), drainy);
    expect(d1.reply).toBe('drain 100%\n');
    expect(d1.changed).toBe(true);
    const d2 = decide(d1.state, input(102_000, { memberStatus: 'down', server: server(20, 'DRAIN') }), drainy);
    expect(d2.reply).toBe('drain 100%\n');
    expect(d2.changed).toBe(false);
    const d3 = decide(d2.state, input(104_000, { memberStatus: 'up', server: server(20, 'DRAIN') }), drainy);
    expect(d3.reply).toBe('ready 100%\n');
    const d4 = decide(d3.state, input(106_000, { memberStatus: 'up', server: server(20, 'UP') }), drainy);
    expect(d4.reply).toBe('100%\n');
    expect(d4.state.drain).toBeNull();
    // An operator's drain is never undone: no "ready" without Fulcrum's own drain.
    expect(decide(at100, input(108_000, { server: server(20, 'DRAIN') }), drainy).reply).toBe('100%\n');
    // Stale data never drains.
    expect(decide(at100, input(108_000, { stale: true, memberStatus: 'down' }), drainy).reply).not.toMatch(/drain/);
  });
});

describe('weights agent: invariants under any input', () => {
  const step = fc.record({
    dt: fc.integer({ min: 200, max: 20_000 }),
    stale: fc.boolean(),
    status: fc.constantFrom<MemberStatus | null>('up', 'up', 'up', 'unhealthy', 'down', 'unknown', null),
    server: fc.option(
      fc.record({
        status: fc.constantFrom('UP', 'UP', 'DRAIN', 'DOWN', 'MAINT'),
        weight: fc.integer({ min: 0, max: 256 }),
        initialWeight: fc.option(fc.integer({ min: 0, max: 256 })),
      }),
    ),
    factor: fc.option(fc.double({ min: 0.25, max: 1, noNaN: true })),
  });
  const limits = fc.record({
    min: fc.integer({ min: 1, max: 60 }),
    max: fc.integer({ min: 60, max: 200 }),
    maxStepPercent: fc.integer({ min: 1, max: 100 }),
    settleSeconds: fc.integer({ min: 1, max: 120 }),
    drainDown: fc.boolean(),
    deadbandPercent: fc.integer({ min: 0, max: 20 }),
  });

  it('never moves more than maxStepPercent within 60 s, never faster than settleSeconds, never says up/down/maint', () => {
    fc.assert(
      fc.property(limits, fc.array(step, { minLength: 1, maxLength: 120 }), (lim, steps) => {
        let s = NEW_MEMBER_STATE;
        let t = 0;
        const answers: Array<{ t: number; percent: number | null }> = [];
        let lastChange: number | null = null;
        for (const x of steps) {
          t += x.dt;
          const d = decide(
            s,
            {
              t,
              stale: x.stale,
              memberStatus: x.status,
              server: x.server,
              factor: x.factor === null ? null : factor(x.factor),
            },
            lim,
          );
          const words = d.reply.trim().split(' ').filter(Boolean);
          for (const w of words) expect(w).toMatch(/^(\d+%|drain|ready)$/);
          if (words.includes('drain')) expect(lim.drainDown && x.status === 'down' && !x.stale).toBe(true);
          if (d.percent !== null && s.percent !== null && d.percent !== s.percent) {
            if (lastChange !== null) expect(t - lastChange).toBeGreaterThanOrEqual(lim.settleSeconds * 1000);
            // A change lands within [min, max], or moves toward it.
            if (d.percent < lim.min) expect(d.percent).toBeGreaterThan(s.percent);
            if (d.percent > lim.max) expect(d.percent).toBeLessThan(s.percent);
          }
          if (d.percent !== s.percent) lastChange = t;
          answers.push({ t, percent: d.percent });
          s = d.state;
        }
        expect(maxMovePerMinute(answers)).toBeLessThanOrEqual(lim.maxStepPercent);
      }),
      { numRuns: 300 },
    );
  });
});
