import { describe, expect, it } from 'vitest';
import { emptySignals } from '../../member';
import { balancer, input, member, server, three, withLoad } from '../testkit';
import { FINDING_KINDS } from '../types';
import { currentView, DETECTORS, diagnose } from './index';

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

describe('the registry', () => {
  it('lists every finding kind once, and each detector reports only its own kind', () => {
    expect(DETECTORS.map((d) => d.kind).sort()).toEqual([...FINDING_KINDS].sort());
    // A cluster with something wrong for most detectors, so their candidates are checked too.
    const m = [
      member(1, { version: '3.4.23', signals: { ...emptySignals(), walFsyncP99: 0.5, peerRttP99: 0.2 } }),
      member(2, { version: '3.5.17', alarms: ['NOSPACE'], dbSizeBytes: 2048, quotaBackendBytes: 2048 }),
      member(3, { status: 'down' }),
    ];
    const { members, scores } = withLoad(m, [10, 80, null], [0.002, 2, null]);
    const b = balancer(members.map((x) => server(x, { checkLayer: 'L4', checkStatus: 'L4OK' })));
    const view = input({ members, scores, balancer: b, leaderChangesLastMinute: 6 });
    let firing = 0;
    for (const d of DETECTORS) {
      const r = d.run(view);
      expect(r.check.kind, d.kind).toBe(d.kind);
      expect(r.candidates.every((c) => c.kind === d.kind)).toBe(true);
      if (r.candidates.length) firing++;
    }
    expect(firing).toBeGreaterThanOrEqual(8);
  });
});

describe('a member that is down', () => {
  // What the engine hands over for a member that stopped answering: its last signals, kept.
  const stale = {
    ...emptySignals(),
    walFsyncP99: 0.5,
    backendCommitP99: 0.4,
    peerRttP99: 0.3,
    latencyP99: 3,
    latencyCount: 5000,
    heartbeatFailures: 7,
  };
  const cluster = (status: 'up' | 'down' | 'unknown') => {
    const m = [member(1), member(2), member(3, { status, signals: stale })];
    const { members, scores } = withLoad(m, [100, 100, status === 'up' ? 100 : null], [0.002, 0.002, null]);
    members[2] = { ...members[2], signals: stale };
    return input({ members, scores, leaderChangesLastMinute: 4 });
  };
  const kinds = (i: ReturnType<typeof cluster>) => diagnose(i).candidates.map((c) => `${c.kind} ${c.members[0]}`);

  it('raises slow-disk, slow-member and peer-network from these signals while it is up', () => {
    const k = kinds(cluster('up'));
    for (const kind of ['slow-disk', 'slow-member', 'peer-network'])
      expect(k).toContain(`${kind} http://10.0.0.3:2379`);
  });

  it('raises member-down only: its last disk, latency and network signals are history, not evidence', () => {
    const i = cluster('down');
    const r = diagnose(i);
    const k = r.candidates.map((c) => `${c.kind} ${c.members[0]}`);
    expect(k).toContain('member-down http://10.0.0.3:2379');
    expect(k.filter((x) => x.endsWith('10.0.0.3:2379'))).toEqual(['member-down http://10.0.0.3:2379']);
    // leader-churn still fires (4/min is real) but does not blame the dead member's old disk.
    const churn = r.candidates.find((c) => c.kind === 'leader-churn');
    expect(churn?.evidence.find((e) => e.label === 'likely driver')?.value).not.toContain('etcd-3');
    expect(r.checks.find((c) => c.kind === 'slow-disk')?.state).not.toBe('firing');
  });

  it('keeps the signals of a member that missed one poll (unknown), like it keeps its role', () => {
    expect(kinds(cluster('unknown'))).toContain('slow-disk http://10.0.0.3:2379');
  });

  it('leaves the input it was given alone', () => {
    const i = cluster('down');
    diagnose(i);
    expect(i.members[2].signals).toBe(stale);
    expect(currentView(i).members[2].signals.walFsyncP99).toBeNull();
  });
});
