import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../analysis/diagnosis/thresholds';
import { emptySignals } from '../analysis/member';
import { makeServer, quietSignals } from '../testkit';
import type { BalancerServer } from '../types';
import {
  checkKind,
  checkStatusText,
  disagreement,
  serverErrors,
  serverTone,
  SIGNAL_DEFAULTS,
  clientLatencyLines,
  signalAlerts,
  signalRows,
  weightChanged,
} from './signals';

const quiet = quietSignals({ probeMs: 3, probeP50Ms: 3, probeSamples: 12, probeExcessMs: 0.2, probeExcessP90Ms: 0.5 });

const server = (over: Partial<BalancerServer> = {}): BalancerServer =>
  makeServer({
    member: 'http://a:2379',
    address: '127.0.0.1:2379',
    weight: 30,
    initialWeight: 30,
    scur: 3,
    sessionRate: 12,
    ...over,
  });

describe('signals', () => {
  it('the defaults the table marks against are the diagnosis defaults', () => {
    expect(SIGNAL_DEFAULTS).toEqual({
      walFsyncP99Seconds: DEFAULT_THRESHOLDS.walFsyncP99Seconds,
      backendCommitP99Seconds: DEFAULT_THRESHOLDS.backendCommitP99Seconds,
      peerRttP99Seconds: DEFAULT_THRESHOLDS.peerRttP99Seconds,
      latencyP99Seconds: DEFAULT_THRESHOLDS.latencyP99Seconds,
      leaderChangesPerMinute: DEFAULT_THRESHOLDS.leaderChangesPerMinute,
      raftStalledPolls: DEFAULT_THRESHOLDS.raftStalledPolls,
      stallProbeExcessMs: DEFAULT_THRESHOLDS.stallProbeExcessMs,
    });
  });
  it('a quiet member has every signal known and none past its threshold', () => {
    const rows = signalRows(quiet);
    expect(rows.every((r) => r.known)).toBe(true);
    expect(signalAlerts(quiet)).toEqual([]);
    expect(rows.find((r) => r.key === 'walFsyncP99')?.value).toBe('2 ms');
    expect(rows.find((r) => r.key === 'latencyP99')?.label).toContain('(5000 calls)');
    expect(rows.find((r) => r.key === 'probeP50Ms')).toMatchObject({
      value: '3 ms',
      label: expect.stringContaining('of 12'),
    });
  });
  it("marks a probe that waits far longer than the fastest member's", () => {
    const rows = signalAlerts({ ...quiet, probeExcessMs: 180 });
    expect(rows.map((r) => [r.key, r.value])).toEqual([['probeExcessMs', '+180 ms']]);
    expect(
      signalRows({ ...quiet, probeP50Ms: null, probeExcessMs: null })
        .filter((r) => !r.known)
        .map((r) => r.key),
    ).toEqual(['probeP50Ms', 'probeExcessMs']);
  });
  it('client-side latency at the balancer: one line per source, what each measured', () => {
    expect(clientLatencyLines(server())).toEqual([]);
    const lines = clientLatencyLines(
      server({
        timers: {
          source: 'haproxy-stats',
          per: 'session',
          queueMs: 0,
          connectMs: 1,
          responseMs: null,
          totalMs: 2500,
          connectHighMs: 3,
          responseHighMs: null,
          totalHighMs: 9000,
          count: null,
        },
        logTimers: {
          source: 'logs',
          per: 'request',
          queueMs: null,
          connectMs: 0.5,
          responseMs: 12,
          totalMs: 14,
          connectHighMs: 1,
          responseHighMs: 200,
          totalHighMs: 500,
          count: 340,
        },
      }),
    );
    expect(lines).toEqual([
      'queue 0 ms, connect 1 ms, session 2.5 s; max 9 s (stats, per session)',
      'connect 500 µs, response 12 ms, total 14 ms; p99 200 ms (log, 340 lines)',
    ]);
  });
  it('marks slow disks, churn, failures, a missing leader and a stalled apply', () => {
    const alerts = signalAlerts({
      ...quiet,
      walFsyncP99: 0.045,
      backendCommitP99: 0.03,
      leaderChanges: 3,
      heartbeatFailures: 2,
      hasLeader: false,
      appliedStalledPolls: 5,
      grpcErrorRate: 0.5,
    });
    expect(alerts.map((a) => a.key)).toEqual([
      'walFsyncP99',
      'backendCommitP99',
      'heartbeatFailures',
      'leaderChanges',
      'hasLeader',
      'appliedStalledPolls',
      'grpcErrorRate',
    ]);
    expect(alerts[0]).toMatchObject({ value: '45 ms', threshold: '> 10 ms (default)' });
  });
  it('at the threshold is not past it; unknown values are never marked', () => {
    expect(signalAlerts({ ...quiet, walFsyncP99: 0.01, leaderChanges: 1, appliedStalledPolls: 4 })).toEqual([]);
    const unknown = emptySignals(); // every signal unknown; stalled polls are counted (0)
    expect(signalAlerts(unknown)).toEqual([]);
    expect(
      signalRows(unknown)
        .filter((r) => r.known)
        .map((r) => r.key),
    ).toEqual(['appliedStalledPolls']);
  });
});

describe('balancer server view', () => {
  it('reads HAProxy status words', () => {
    expect(['UP', 'UP 1/3', 'no check', 'DOWN', 'DOWN 1/2', 'MAINT', 'DRAIN', 'NOLB', 'weird'].map(serverTone)).toEqual(
      ['up', 'up', 'up', 'down', 'down', 'maint', 'maint', 'maint', 'other'],
    );
    expect(checkStatusText(server({ checkStatus: '* L4OK' }))).toBe('L4OK');
    expect(checkStatusText(server({ checkStatus: null }))).toBeNull();
    const kind = (checkLayer: BalancerServer['checkLayer'], checkStatus: string | null) =>
      checkKind({ checkLayer, checkStatus }).label;
    expect([kind('L7', 'L7OK'), kind('L7', 'L7STS'), kind('L4', 'L4OK'), kind('none', null)]).toEqual([
      'HTTP check',
      'HTTP check',
      'TCP check',
      'no check',
    ]);
    // A failed connect says where the check failed, not what kind of check it is.
    expect(kind('L4', 'L4CON')).toBe('check can’t connect');
    expect(kind('L4', '* L4TOUT')).toBe('check can’t connect');
    // The config file, when read, wins.
    expect(
      checkKind(
        { checkLayer: 'L4', checkStatus: 'L4CON' },
        { type: 'http', method: 'GET', path: '/health', interMs: {} },
      ),
    ).toMatchObject({ label: 'HTTP check', tcpOnly: false });
    expect(
      checkKind({ checkLayer: 'L4', checkStatus: 'L4OK' }, { type: 'tcp', method: null, path: null, interMs: {} }),
    ).toMatchObject({ label: 'TCP check', tcpOnly: true });
  });
  it('flags a member etcd reports down that the balancer keeps in rotation, naming a TCP check', () => {
    expect(disagreement({ status: 'down' }, server({ checkLayer: 'L4', checkStatus: 'L4OK' }))).toEqual({
      kind: 'still-serving',
      text: 'etcd says down, the balancer still sends it traffic: a TCP check only sees the port open',
    });
    expect(disagreement({ status: 'unhealthy' }, server())).toEqual({
      kind: 'still-serving',
      text: 'etcd says unhealthy, the balancer still sends it traffic',
    });
    expect(disagreement({ status: 'up' }, server({ status: 'DOWN' }))?.kind).toBe('ejected');
    expect(disagreement({ status: 'up' }, server())).toBeNull();
    expect(disagreement({ status: 'down' }, server({ status: 'DOWN' }))).toBeNull();
    expect(disagreement({ status: 'down' }, null)).toBeNull();
  });
  it('weights changed at run time and error sums', () => {
    expect(weightChanged(server({ weight: 80 }))).toBe(true);
    expect(weightChanged(server())).toBe(false);
    expect(weightChanged(server({ initialWeight: null, weight: 5 }))).toBe(false);
    expect(serverErrors(server({ errors: { econ: 1, eresp: 2, wretr: 0, wredis: 0, hrsp5xx: 3, srvAbrt: 0 } }))).toBe(
      6,
    );
  });
});
