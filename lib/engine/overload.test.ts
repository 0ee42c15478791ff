// Fulcrum's own lateness never becomes a finding about etcd: a poll during which Fulcrum's event
// loop stalled does not hold its timeouts against the members, stretches the interval and says
// so; the same timeouts without a stall do make members down (so the first test can fail).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MemberPoll } from '../sources/etcd';
import { type AdvanceResult, advance, MAX_EXCUSED_IN_ROW } from './advance';
import type { Collected } from './collect';
import { Hub } from './hub';
import { RateLimitedLog } from './log';
import { type EngineTelemetry, publish, type StreamMessage } from './publish';
import { collectedAt, decodeSamples, type Recording, replayConfig } from './recording';
import { CALM_POLLS_TO_SHRINK, type EngineConfig, type EngineState, initialState, overloadOf } from './state';

const FIXTURE = path.join(__dirname, '../../test/fixtures/samples/local-stack.json.gz');

const timedOut = (p: MemberPoll): MemberPoll => ({
  ...p,
  status: null,
  statusError: '4 DEADLINE_EXCEEDED: Deadline exceeded after 0.801s,LB pick: 0.5s',
  health: null,
  healthError: `${new URL(p.endpoint).host}/health: no answer within 800 ms`,
  alarms: null,
  counters: null,
  metricsError: `${new URL(p.endpoint).host}/metrics: no answer within 800 ms`,
  members: null,
});
const refused = (p: MemberPoll): MemberPoll => ({
  ...timedOut(p),
  statusError: '14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2379',
  healthError: '127.0.0.1:2379/health: ECONNREFUSED',
});

describe('overload: Fulcrum late is not etcd down', () => {
  let rec: Recording;
  let cfg: EngineConfig;
  let healthy: EngineState;
  let healthyTick: Recording['ticks'][number];

  beforeAll(() => {
    rec = decodeSamples(gunzipSync(readFileSync(FIXTURE)).toString('utf8'));
    cfg = replayConfig(rec);
    let s = initialState(cfg);
    for (const tick of rec.ticks.filter((x) => x.phase === 'healthy')) {
      s = advance(s, collectedAt(tick, cfg), cfg, tick.t).state;
      healthyTick = tick;
    }
    healthy = s;
    expect(healthy.members.every((m) => m.status === 'up')).toBe(true);
  });

  /** Polls after the healthy phase in which every member fails as `fail` says; `stalledMs` each. */
  function run(fail: (p: MemberPoll) => MemberPoll, stalledMs: number, polls = 6, loopBusy = 1) {
    let s = healthy;
    const results: AdvanceResult[] = [];
    for (let k = 1; k <= polls; k++) {
      const t = healthyTick.t + k * cfg.pollIntervalMs;
      const c: Collected = {
        ...collectedAt(healthyTick, cfg),
        members: cfg.cluster.endpoints.map((e) => ({ ok: true, value: fail(healthyTick.polls[e.url]) })),
        durationMs: 820,
        stalledMs,
        loopBusy,
      };
      const r = advance(s, c, cfg, t);
      results.push(r);
      s = r.state;
    }
    return { s, results };
  }

  it('takes timeouts during a stall as not asked: no member down, no event, etcd source as it was', () => {
    const { s, results } = run(timedOut, 400);
    expect(s.members.map((m) => m.status)).toEqual(healthy.members.map(() => 'up'));
    expect(s.failures).toEqual(healthy.failures);
    expect(s.events.slice(healthy.events.length).filter((e) => e.kind === 'member-down')).toEqual([]);
    expect(s.findings.map((f) => f.kind)).not.toContain('member-down');
    expect(s.sources.etcd?.ok).toBe(true);
    expect(results.every((r) => r.excused.every(Boolean))).toBe(true);
    // The first stall (0.4 s of a 1 s interval) stretched the interval and said so.
    expect(results[0].state.sources.engine.ok).toBe(false);
    expect(results[0].state.sources.engine.error).toMatch(
      /^Fulcrum is overloaded: its event loop stalled 0\.4 s during the last poll; polling every 2 s instead of 1 s/,
    );
    expect(results[0].state.intervalMs).toBe(2 * cfg.pollIntervalMs);
    // At 2 s the same stall no longer puts it behind: it catches up, then polls at 1 s again.
    expect(results[1].state.sources.engine.error).toMatch(/catching up/);
    expect(s.intervalMs).toBe(cfg.pollIntervalMs);
    // The leader stays the leader: no leader change made up from silence.
    expect(s.members.map((m) => m.isLeader)).toEqual(healthy.members.map((m) => m.isLeader));
  });

  it('a loop that stalls while idle (the machine starved it) excuses timeouts but keeps the interval', () => {
    const { s, results } = run(timedOut, 400, 6, 0.1);
    expect(s.members.map((m) => m.status)).toEqual(healthy.members.map(() => 'up'));
    expect(results.every((r) => r.excused.every(Boolean))).toBe(true);
    expect(results.every((r) => r.state.intervalMs === cfg.pollIntervalMs)).toBe(true);
    expect(s.sources.engine.ok).toBe(true);
  });

  it('holds the same timeouts against the members when Fulcrum did not stall', () => {
    const { s } = run(timedOut, 0);
    expect(s.members.every((m) => m.status === 'down')).toBe(true);
    expect(s.sources.etcd?.ok).toBe(false);
    expect(s.events.slice(healthy.events.length).some((e) => e.kind === 'member-down')).toBe(true);
  });

  it('calls a member down that keeps timing out while its peers answer, even during stalls', () => {
    const first = cfg.cluster.endpoints[0].url;
    const onlyFirst = (p: MemberPoll) => (p.endpoint === first ? timedOut(p) : p);
    // A few polls: excused (one slow answer under a stall says nothing).
    const early = run(onlyFirst, 400, MAX_EXCUSED_IN_ROW);
    expect(early.s.members[0].status).toBe('up');
    expect(early.s.excusedInRow[0]).toBe(MAX_EXCUSED_IN_ROW);
    // Poll after poll while the others answer: frozen, not Fulcrum's doing.
    const late = run(onlyFirst, 400, MAX_EXCUSED_IN_ROW + cfg.downAfter + 1);
    expect(late.s.members[0].status).toBe('down');
    expect(late.s.members.slice(1).map((m) => m.status)).toEqual(healthy.members.slice(1).map(() => 'up'));
    expect(late.s.findings.filter((f) => f.kind === 'member-down').flatMap((f) => f.members)).toEqual([first]);
  });

  it('holds a refused connection against the member even during a stall', () => {
    const { s } = run(refused, 400);
    expect(s.members.every((m) => m.status === 'down')).toBe(true);
  });

  it('publishes the overload: one log line per cluster and cause, metrics, no source errors', () => {
    const { results } = run(timedOut, 400, 3);
    const lines: string[] = [];
    const log = new RateLimitedLog(60_000, (l) => lines.push(l));
    const calls: Array<[string, unknown]> = [];
    const telemetry: EngineTelemetry = {
      pollDone: () => undefined,
      sourceError: (...a) => calls.push(['sourceError', a]),
      internalError: () => undefined,
      overload: (_c, o) => calls.push(['overload', o]),
    };
    const hub = new Hub<StreamMessage>(10);
    const c = collectedAt(healthyTick, cfg);
    const timedOutCollected: Collected = {
      ...c,
      members: cfg.cluster.endpoints.map((e) => ({ ok: true, value: timedOut(healthyTick.polls[e.url]) })),
      stalledMs: 400,
    };
    for (const [k, r] of results.entries()) publish({ hub, telemetry, log }, cfg, timedOutCollected, r, 820, 1000 + k);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^fulcrum: cluster ${cfg.name}: Fulcrum is overloaded: `));
    expect(calls.filter(([k]) => k === 'sourceError')).toEqual([]);
    expect(calls.filter(([k]) => k === 'overload').at(-1)?.[1]).toMatchObject({ overloaded: true, stalled: true });
  });

  it('logs members that do not answer, once per cluster per minute', () => {
    const { results } = run(refused, 0, 3);
    const lines: string[] = [];
    const log = new RateLimitedLog(60_000, (l) => lines.push(l));
    const c: Collected = {
      ...collectedAt(healthyTick, cfg),
      members: cfg.cluster.endpoints.map((e) => ({ ok: true, value: refused(healthyTick.polls[e.url]) })),
    };
    for (const [k, r] of results.entries()) publish({ hub: new Hub(1), log }, cfg, c, r, 10, 1000 + k);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/etcd: 3 of 3 members did not answer: .*ECONNREFUSED/);
  });
});

describe('overloadOf', () => {
  const rec = decodeSamples(gunzipSync(readFileSync(FIXTURE)).toString('utf8'));
  const cfg = replayConfig(rec);
  const calm = { durationMs: 20, stalledMs: 0, startedLateMs: 0, loopBusy: 0.1 };

  it('doubles the interval when a poll overruns it, halves it after calm polls, clears the status', () => {
    let s = initialState(cfg);
    let o = overloadOf(s, cfg, { ...calm, durationMs: cfg.pollIntervalMs + 1 }, 1);
    expect(o.intervalMs).toBe(cfg.pollIntervalMs * 2);
    expect(o.stalled).toBe(false);
    expect(o.cause).toMatch(/^polls take longer than the interval: the last poll took/);
    s = { ...s, intervalMs: o.intervalMs, calmPolls: o.calmPolls, overloadSince: o.overloadSince };
    for (let k = 1; k < CALM_POLLS_TO_SHRINK; k++) {
      o = overloadOf(s, cfg, calm, 1 + k);
      expect(o.intervalMs).toBe(cfg.pollIntervalMs * 2);
      expect(o.cause).toMatch(/catching up/);
      s = { ...s, intervalMs: o.intervalMs, calmPolls: o.calmPolls, overloadSince: o.overloadSince };
    }
    o = overloadOf(s, cfg, calm, 10);
    expect(o.intervalMs).toBe(cfg.pollIntervalMs);
    expect(o.cause).toBeNull();
    expect(o.cleared).toBe(true);
  });

  it('never stretches past maxIntervalMs', () => {
    let s = initialState(cfg);
    for (let k = 0; k < 20; k++) {
      const o = overloadOf(s, cfg, { ...calm, stalledMs: 60_000, loopBusy: 1 }, k);
      s = { ...s, intervalMs: o.intervalMs, calmPolls: o.calmPolls, overloadSince: o.overloadSince };
    }
    expect(s.intervalMs).toBe(cfg.maxIntervalMs);
    expect(s.overloadSince).toBe(0);
  });
});
