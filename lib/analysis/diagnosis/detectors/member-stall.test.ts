import { describe, expect, it } from 'vitest';
import type { MemberState } from '../../../types';
import { emptySignals } from '../../member';
import { input, member, probed, withPeers } from '../testkit';
import type { DiagnosisInput } from '../types';
import { diagnose } from './index';
import { memberStall } from './member-stall';
import { peerNetwork } from './peer-network';
import { slowDisk } from './slow-disk';
import { slowMember } from './slow-member';

// A healthy 3-member cluster on a LAN: 1-2 ms fsync, 10 ms commits, sub-ms round trips, 2 ms probes.
function healthy(): MemberState[] {
  return [1, 2, 3].map((i) =>
    probed(
      member(i, {
        isLeader: i === 1,
        signals: {
          ...emptySignals(),
          walFsyncP99: 0.002,
          backendCommitP99: 0.012,
          slowApplies: 0,
          gcPauseMean: 0.0002,
          latencyP99: 0.01,
          latencyCount: 5000,
        },
        dims: { ...member(i).dims, cpu: { value: 0.2, share: null, expectedShare: null } },
      }),
      2,
      0,
    ),
  );
}

const LAN = () => 0.0008;
/** Round trips involving member index `x` (either way) are `slow`, the rest LAN. */
const towards = (x: number, slow: number) => (a: number, b: number) => (a === x || b === x ? slow : 0.0008);

function stalled(m: MemberState, over: Partial<MemberState['signals']> = {}): MemberState {
  return {
    ...probed(m, 95, 90),
    signals: {
      ...probed(m, 95, 90).signals,
      walFsyncP99: 0.2,
      backendCommitP99: 0.45,
      slowApplies: 60,
      ...over,
    },
    dims: { ...m.dims, cpu: { value: 0.04, share: null, expectedShare: null } },
  };
}

const kinds = (view: DiagnosisInput, severities = ['warning', 'critical']) =>
  diagnose(view)
    .candidates.filter((c) => severities.includes(c.severity))
    .map((c) => `${c.kind}:${c.members.map((e) => e.slice(-6)).join(',')}`);

describe('member-stall', () => {
  it('names a follower whose process keeps pausing, with the evidence and the fixes, and nothing else', () => {
    const m = healthy();
    m[1] = stalled(m[1]);
    const view = input({ members: withPeers(m, towards(1, 0.12)) });
    const r = memberStall.run(view);
    expect(r.candidates).toHaveLength(1);
    const c = r.candidates[0];
    expect(c.members).toEqual([m[1].endpoint]);
    expect(c.severity).toBe('warning');
    expect(c.title).toContain('etcd-2 is stalling');
    const ev = (label: string) => c.evidence.find((e) => e.label.startsWith(label))?.value ?? '';
    expect(ev("Fulcrum's probe")).toContain('+90 ms');
    expect(ev("peers' round trip towards it")).toBe('120 ms');
    expect(c.evidence.find((e) => e.label.startsWith("peers' round trip"))?.threshold).toContain('800 µs');
    expect(ev('backend commit p99')).toBe('450 ms');
    expect(ev('WAL fsync p99 / backend commit p99')).toBe('200 ms / 450 ms');
    expect(ev('process CPU')).toContain('0.04');
    // Less CPU than its peers for the same job: throttled or starved.
    expect(c.summary).toContain('CPU throttling or starvation');
    expect(c.fixes.map((f) => f.title).join('\n')).toMatch(/throttling[\s\S]*CPU limit[\s\S]*Dedicated nodes[\s\S]*GC/);
    // Its stretched fsync is not a slow disk, its slow round trips are not the network, and the
    // healthy members measuring it are not blamed.
    expect(kinds(view)).toEqual([`member-stall:${m[1].endpoint.slice(-6)}`]);
    expect(slowDisk.run(view).check.note).toContain('etcd-2: slow fsync/commit timings, but the member stalls');
    expect(peerNetwork.run(view).check.note).toContain('it stalls');
  });

  it('is critical when the leader stalls: every member waits for it, so their slowness is not theirs', () => {
    const m = healthy();
    m[0] = stalled(m[0], { heartbeatFailures: 4 });
    m[1] = { ...m[1], signals: { ...m[1].signals, latencyP99: 1.5 } };
    const view = input({ members: withPeers(m, towards(0, 0.2)) });
    const c = memberStall.run(view).candidates[0];
    expect(c.severity).toBe('critical');
    expect(c.summary).toContain('It leads');
    expect(c.evidence.some((e) => e.label.startsWith('leader heartbeats'))).toBe(true);
    expect(slowMember.run(view).candidates).toEqual([]);
    expect(slowMember.run(view).check.note).toContain('the leader stalls');
  });

  it('is not a slow disk: slow fsync with a fast probe and normal round trips is slow-disk only', () => {
    const m = healthy();
    m[2] = { ...m[2], signals: { ...m[2].signals, walFsyncP99: 0.127, slowApplies: 40 } };
    const view = input({ members: withPeers(m, LAN) });
    expect(memberStall.run(view).candidates).toEqual([]);
    expect(kinds(view)).toEqual([`slow-disk:${m[2].endpoint.slice(-6)}`]);
  });

  it('is not a stall: a member catching up after a slow disk (late probe, slow applies, nothing else stretched)', () => {
    const m = healthy();
    // Recorded on the real stack just after its WAL device was unthrottled: probe +23 ms, 208 slow applies.
    m[2] = probed({ ...m[2], signals: { ...m[2].signals, slowApplies: 208 } }, 25, 23);
    expect(memberStall.run(input({ members: withPeers(m, LAN) })).candidates).toEqual([]);
    // The same with its commits stretched far above its peers' is a stall.
    m[2] = { ...m[2], signals: { ...m[2].signals, backendCommitP99: 0.3 } };
    expect(memberStall.run(input({ members: withPeers(m, LAN) })).candidates.map((c) => c.members)).toEqual([
      [m[2].endpoint],
    ]);
  });

  it('is not the network: slow round trips with it and a slow probe, but nothing it times itself, is peer-network on it alone', () => {
    const m = healthy();
    m[2] = probed(m[2], 42, 40);
    const view = input({ members: withPeers(m, towards(2, 0.09)) });
    expect(memberStall.run(view).candidates).toEqual([]);
    const p = peerNetwork.run(view).candidates;
    expect(p.map((c) => c.members)).toEqual([[m[2].endpoint]]);
    expect(p[0].title).toBe('etcd-3 is hard to reach for its peers');
  });

  it("is not Fulcrum's own lateness: probes late for every member leave no excess", () => {
    const m = healthy().map((x) => probed(x, 180, 0));
    m[1] = { ...m[1], signals: { ...m[1].signals, backendCommitP99: 0.2 } };
    expect(memberStall.run(input({ members: withPeers(m, LAN) })).candidates).toEqual([]);
  });

  it("needs enough probes, and decides from the peers' round trips only without a probe", () => {
    const m = healthy();
    m[1] = stalled(m[1]);
    const few = [...m];
    few[1] = probed(few[1], 95, 90, 3);
    expect(memberStall.run(input({ members: withPeers(few, LAN) })).candidates).toEqual([]);
    // No probe at all (say, a cluster read from Prometheus): the peers' round trips decide.
    const none = m.map((x) => ({
      ...x,
      signals: { ...x.signals, probeSamples: 0, probeExcessMs: null, probeP50Ms: null, probeExcessPeakMs: null },
    }));
    expect(memberStall.run(input({ members: withPeers(none, towards(1, 0.12)) })).candidates).toHaveLength(1);
    expect(memberStall.run(input({ members: withPeers(none, LAN) })).candidates).toEqual([]);
  });

  it('keeps the stall as the explanation while the window still holds its pauses', () => {
    // Stalled a minute ago: the probe is back to normal, the window p99s and the smoothed round
    // trips are not yet.
    const m = healthy();
    m[1] = {
      ...probed(m[1], 3, 0),
      signals: { ...probed(m[1], 3, 0).signals, probeExcessPeakMs: 85, walFsyncP99: 0.19, backendCommitP99: 0.3 },
    };
    const view = input({ members: withPeers(m, towards(1, 0.1)) });
    expect(memberStall.run(view).candidates).toEqual([]);
    expect(kinds(view)).toEqual([]);
  });

  it('says why it could not judge', () => {
    const m = healthy().map((x) => ({ ...x, signals: emptySignals() }));
    expect(memberStall.run(input({ members: m })).check.state).toBe('not-checked');
  });
});
