import { describe, expect, it } from 'vitest';
import { emptySignals } from '../member';
import {
  balancerErrors,
  capacityMismatch,
  connectionPinning,
  diagnose,
  healthCheckGap,
  leaderChurn,
  memberDown,
  peerNetwork,
  quotaPressure,
  raftLag,
  requestSkew,
  slowDisk,
  slowMember,
  unhealthyServing,
  versionSkew,
} from './detectors';
import { FINDING_KINDS } from './types';
import { balancer, input, member, server, withLoad } from './testkit';

const three = () => [member(1), member(2), member(3)];
const fixText = (c: { fixes: Array<{ body: string }> }) => c.fixes.map((f) => f.body).join('\n');

describe('every detector', () => {
  it('reports a check for every kind, and nothing on a healthy, even 3.5 cluster', () => {
    const { members, scores } = withLoad(three(), [100, 100, 100], [0.002, 0.0021, 0.0019]);
    const r = diagnose(input({ members, scores, balancer: balancer(members.map((m) => server(m))) }));
    expect(r.checks.map((c) => c.kind).sort()).toEqual([...FINDING_KINDS].sort());
    expect(r.candidates).toEqual([]);
  });

  it('copes with one member and with a member that has no data', () => {
    const one = withLoad([member(1)], [50], [0.01]);
    expect(diagnose(input(one)).candidates).toEqual([]);
    const m = three();
    m[2] = member(3, { version: null, raftAppliedIndex: null, dbSizeBytes: null, quotaBackendBytes: null });
    const r = diagnose(input(withLoad(m, [100, 100, null])));
    expect(r.candidates).toEqual([]);
  });
});

describe('member-down', () => {
  it('raises critical on the down member with its error, and says when quorum is lost', () => {
    const m = [
      member(1),
      member(2, { status: 'down', error: '14 UNAVAILABLE: ECONNREFUSED' }),
      member(3, { status: 'down' }),
    ];
    const r = memberDown(input({ members: m }));
    expect(r.candidates.map((c) => c.members[0])).toEqual([m[1].endpoint, m[2].endpoint]);
    expect(r.candidates[0].severity).toBe('critical');
    expect(r.candidates[0].summary).toContain('lost quorum');
    expect(r.candidates[0].evidence.find((e) => e.label === 'error')?.value).toContain('ECONNREFUSED');
    expect(fixText(r.candidates[0])).toContain(`member remove ${BigInt(m[1].id!).toString(16)}`);
  });
});

describe('unhealthy-serving', () => {
  it('fires when a down member is still UP in the balancer with traffic', () => {
    const m = [member(1), member(2, { status: 'down', error: 'deadline exceeded' }), member(3)];
    const b = balancer(m.map((x) => server(x, { checkLayer: 'L4', checkStatus: 'L4OK' })));
    const r = unhealthyServing(
      input({ members: m, balancer: b, balancerRef: { type: 'haproxy', backend: 'etcd', runtimeApi: '/run/h.sock' } }),
    );
    expect(r.candidates).toHaveLength(1);
    expect(r.candidates[0].members).toEqual([m[1].endpoint]);
    expect(fixText(r.candidates[0])).toContain('set server etcd/etcd-2 state maint');
    expect(fixText(r.candidates[0])).toContain('option httpchk GET /readyz');
  });
  it('stays quiet when the balancer already took it out, and says what it could not check without one', () => {
    const m = [member(1), member(2, { status: 'down' }), member(3)];
    expect(
      unhealthyServing(
        input({ members: m, balancer: balancer(m.map((x, i) => server(x, { status: i === 1 ? 'DOWN' : 'UP' }))) }),
      ).candidates,
    ).toEqual([]);
    expect(unhealthyServing(input({ members: m })).check.state).toBe('not-checked');
  });
  it('counts a member whose applied index stalled as unhealthy', () => {
    const m = [member(1), member(2, { signals: { ...emptySignals(), appliedStalledPolls: 9 } }), member(3)];
    const r = unhealthyServing(input({ members: m, balancer: balancer(m.map((x) => server(x))) }));
    expect(r.candidates[0].summary).toContain('applied index');
  });
});

describe('quota-pressure', () => {
  it('warns near the quota and is critical with NOSPACE, with the safe recovery order', () => {
    const quota = 16 * 1024 * 1024;
    const near = [member(1), member(2), member(3, { dbSizeBytes: 0.9 * quota, quotaBackendBytes: quota })];
    const w = quotaPressure(input({ members: near }));
    expect(w.candidates.map((c) => [c.severity, c.members[0]])).toEqual([['warning', near[2].endpoint]]);
    const full = [
      member(1, { alarms: [] }),
      member(2),
      member(3, {
        alarms: ['NOSPACE'],
        dbSizeBytes: quota,
        quotaBackendBytes: quota,
        signals: { ...emptySignals(), revision: '4242' },
      }),
    ];
    const c = quotaPressure(input({ members: full })).candidates[0];
    expect(c.severity).toBe('critical');
    const body = fixText(c);
    expect(body).toContain('compact 4242');
    // followers first, the leader (etcd-1) last, then disarm
    const order = ['etcd-2', 'etcd-3', 'etcd-1 (leader)', 'alarm disarm'].map((s) => body.indexOf(s));
    expect(order.every((x, i) => x > 0 && (i === 0 || x > order[i - 1]))).toBe(true);
  });
});

describe('request-skew', () => {
  it('fires on the hottest member and blames changed balancer weights with commands to restore them', () => {
    const m = [member(1, { weight: 30 }), member(2, { weight: 20 }), member(3, { weight: 10 })];
    const { members, scores } = withLoad(m, [100, 100, 800], undefined, true);
    const b = balancer(members.map((x, i) => server(x, { weight: [10, 10, 80][i] })));
    const r = requestSkew(
      input({
        members,
        scores,
        weighted: true,
        balancer: b,
        balancerRef: { type: 'haproxy', backend: 'etcd', runtimeApi: '127.0.0.1:9999' },
      }),
    );
    expect(r.candidates).toHaveLength(1);
    const c = r.candidates[0];
    expect(c.members).toEqual([members[2].endpoint]);
    expect(c.summary).toContain("balancer's weights (10/10/80)");
    expect(fixText(c)).toContain('set server etcd/etcd-3 weight 10');
    expect(fixText(c)).toContain('set server etcd/etcd-1 weight 30');
    expect(fixText(c)).toContain('tcp-connect:127.0.0.1:9999');
  });
  it('lists the causes it could not rule out without a balancer, and stays quiet below the threshold', () => {
    const skew = withLoad(three(), [10, 10, 80]);
    const c = requestSkew(input(skew)).candidates[0];
    expect(c.evidence.find((e) => e.label === 'candidate causes')?.value).toMatch(/pinning/);
    expect(requestSkew(input(withLoad(three(), [34, 33, 33]))).candidates).toEqual([]);
  });
});

describe('connection-pinning', () => {
  it('fires when a member serves far more requests than its share of new connections', () => {
    const { members, scores } = withLoad(three(), [50, 50, 400]);
    const b = balancer(members.map((m) => server(m, { sessionRate: 5, scur: 3 })));
    const r = connectionPinning(input({ members, scores, balancer: b }));
    expect(r.candidates.map((c) => c.members[0])).toEqual([members[2].endpoint]);
    expect(fixText(r.candidates[0])).toContain(members.map((m) => m.endpoint).join(','));
  });
  it('does not call weights pinning: new connections follow the requests', () => {
    const { members, scores } = withLoad(three(), [50, 50, 400]);
    const b = balancer(members.map((m, i) => server(m, { sessionRate: [1, 1, 8][i] })));
    expect(connectionPinning(input({ members, scores, balancer: b })).candidates).toEqual([]);
  });
});

describe('capacity-mismatch', () => {
  it('proposes weights from latency headroom when shares are right but one member is slow', () => {
    const m = [member(1, { weight: 10 }), member(2, { weight: 10 }), member(3, { weight: 10 })];
    const { members, scores } = withLoad(m, [100, 100, 100], [0.02, 0.02, 0.16], true);
    const r = capacityMismatch(input({ members, scores, weighted: true }));
    expect(r.candidates).toHaveLength(1);
    expect(r.candidates[0].members).toEqual([members[2].endpoint]);
    // 0.02 / 0.16 -> clamped to a 4x change: 10 -> 2.5; renormalised to the old total 30
    expect(fixText(r.candidates[0])).toMatch(/set server etcd\/etcd-3 weight [1-5]\b/);
    expect(fixText(r.candidates[0])).toMatch(/set server etcd\/etcd-1 weight 1[0-3]\b/);
  });
});

describe('health-check-gap', () => {
  it('flags TCP-only checks, wrong paths and long intervals, with the NOSPACE trade-off', () => {
    const m = three().map((x) => ({ ...x, version: '3.4.23' }));
    const tcp = healthCheckGap(
      input({ members: m, balancer: balancer(m.map((x) => server(x, { checkLayer: 'L4', checkStatus: 'L4OK' }))) }),
    );
    expect(tcp.candidates[0].members).toHaveLength(3);
    expect(tcp.candidates[0].summary).toContain('TCP-only');
    expect(fixText(tcp.candidates[0])).toContain('option httpchk GET /health');
    expect(tcp.candidates[0].fixes[0].risk).toContain('NOSPACE');
    const cfg = {
      type: 'http' as const,
      method: 'GET',
      path: '/healthz',
      interMs: { 'etcd-1': 30_000, 'etcd-2': 2000, 'etcd-3': 2000 },
    };
    const wrong = healthCheckGap(
      input({
        members: m,
        balancer: balancer(
          m.map((x) => server(x)),
          { check: cfg },
        ),
      }),
    );
    expect(wrong.candidates[0].severity).toBe('critical');
    expect(wrong.candidates[0].summary).toContain('/healthz');
    expect(wrong.candidates[0].summary).toContain('etcd-1 30 s');
  });
  it('accepts HTTP checks on /health every 5 s', () => {
    const m = three();
    const cfg = {
      type: 'http' as const,
      method: 'GET',
      path: '/health',
      interMs: { 'etcd-1': 5000, 'etcd-2': 5000, 'etcd-3': 5000 },
    };
    expect(
      healthCheckGap(
        input({
          members: m,
          balancer: balancer(
            m.map((x) => server(x)),
            { check: cfg },
          ),
        }),
      ).candidates,
    ).toEqual([]);
  });
});

describe('leader-churn', () => {
  it('fires above 1/min, names a slow-disk driver and derives election flags from RTT', () => {
    const m = three();
    m[1] = member(2, { signals: { ...emptySignals(), walFsyncP99: 0.2, peerRttP99: 0.2 } });
    const r = leaderChurn(input({ members: m, leaderChangesLastMinute: 4 }));
    expect(r.candidates).toHaveLength(1);
    expect(r.candidates[0].summary).toContain('etcd-2 WAL fsync p99 200 ms');
    expect(fixText(r.candidates[0])).toContain('--heartbeat-interval=300');
    expect(fixText(r.candidates[0])).toContain('--election-timeout=3000');
    expect(leaderChurn(input({ members: m, leaderChangesLastMinute: 1 })).candidates).toEqual([]);
    expect(leaderChurn(input({ members: m, leaderChangesLastMinute: null })).check.state).toBe('not-checked');
  });
});

describe('slow-member and slow-disk', () => {
  it('flags a member far slower than its peers, and one above the absolute limit', () => {
    const rel = withLoad(three(), [10, 10, 10], [0.002, 0.003, 0.2]);
    expect(slowMember(input(rel)).candidates.map((c) => [c.members[0], c.severity])).toEqual([
      [rel.members[2].endpoint, 'warning'],
    ]);
    const abs = withLoad(three(), [10, 10, 10], [1.5, 1.4, 1.6]);
    expect(slowMember(input(abs)).candidates.every((c) => c.severity === 'critical')).toBe(true);
    // 2 ms vs 0.5 ms is "4x" but far below the floor
    expect(slowMember(input(withLoad(three(), [10, 10, 10], [0.0005, 0.0005, 0.002]))).candidates).toEqual([]);
  });
  it('flags slow fsync/commit and cites log lines', () => {
    const m = three();
    m[0] = member(1, { signals: { ...emptySignals(), walFsyncP99: 0.05, backendCommitP99: 0.01 } });
    const r = slowDisk(input({ members: m, logSignals: { [m[0].endpoint]: { 'slow fdatasync': 7 } } }));
    expect(r.candidates[0].members).toEqual([m[0].endpoint]);
    expect(r.candidates[0].evidence.find((e) => e.label.includes('slow fdatasync'))?.value).toBe('7');
  });
});

describe('raft-lag', () => {
  it('measures lag with BigInt on uint64 indexes and flags stalled followers', () => {
    const m = [
      member(1, { raftIndex: '18446744073709551000' }),
      member(2, { raftAppliedIndex: '18446744073709540000' }),
      member(3, { raftAppliedIndex: '18446744073709551000' }),
    ];
    const r = raftLag(input({ members: m }));
    expect(r.candidates.map((c) => c.members[0])).toEqual([m[1].endpoint]);
    expect(r.candidates[0].evidence.find((e) => e.label === 'lag (entries)')?.value).toBe('11000');
    const stalled = [member(1), member(2, { signals: { ...emptySignals(), appliedStalledPolls: 6 } }), member(3)];
    expect(raftLag(input({ members: stalled })).candidates[0].severity).toBe('critical');
  });
});

describe('peer-network and balancer-errors', () => {
  it('flags high peer RTT or failed peer sends', () => {
    const m = three().map((x) => ({ ...x, signals: { ...emptySignals(), peerRttP99: 0.001, peerSendFailures: 0 } }));
    expect(peerNetwork(input({ members: m })).candidates).toEqual([]);
    m[2] = { ...m[2], signals: { ...m[2].signals, peerSendFailures: 12 } };
    expect(peerNetwork(input({ members: m })).candidates.map((c) => c.members[0])).toEqual([m[2].endpoint]);
  });
  it('flags rising balancer errors on one server', () => {
    const m = three();
    const b = balancer(
      m.map((x, i) =>
        server(x, {
          errors: { econ: i === 0 ? 40 : 0, eresp: 0, wretr: 0, wredis: 0, hrsp5xx: 0, srvAbrt: i === 2 ? 50 : 0 },
        }),
      ),
    );
    // etcd-3 is down: its aborted connections are member-down's evidence, not balancer-errors
    m[2] = { ...m[2], status: 'down' };
    const r = balancerErrors(input({ members: m, balancer: b }));
    expect(r.candidates.map((c) => c.members[0])).toEqual([m[0].endpoint]);
  });
  it('does not blame the network for failed sends to a peer that is down', () => {
    const m = three().map((x) => ({ ...x, signals: { ...emptySignals(), peerRttP99: 0.001, peerSendFailures: 30 } }));
    m[1] = { ...m[1], status: 'down' };
    expect(peerNetwork(input({ members: m })).candidates).toEqual([]);
  });
});

describe('version-skew', () => {
  it('warns on mixed versions and notes 3.4 as info', () => {
    const mixed = [
      member(1, { version: '3.5.17' }),
      member(2, { version: '3.4.23' }),
      member(3, { version: '3.5.17' }),
    ];
    const r = versionSkew(input({ members: mixed })).candidates[0];
    expect(r.severity).toBe('warning');
    expect(r.members).toEqual([mixed[1].endpoint]);
    const old = three().map((x) => ({ ...x, version: '3.4.23' }));
    expect(versionSkew(input({ members: old })).candidates[0].severity).toBe('info');
  });
});
