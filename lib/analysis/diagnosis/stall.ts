// Is a member stalling? A process that is paused again and again (CPU throttling or starvation, a
// paused VM, long GC pauses, memory pressure) answers late to everyone, and everything it times
// itself stretches, while its disk and its network are fine. etcd's own request histograms barely
// show it: they start timing when a handler runs, and a request queued while the process was
// paused is invisible to them. What does show it:
//
//   outside timings (taken by others, so they include the pauses):
//     - Fulcrum's probe (the Status RPC, no disk, no raft): this member takes longer than the
//       fastest member in the same poll, Fulcrum's own lateness taken off;
//     - the peers' round trip towards it (rafthttp's prober, an HTTP handler: no disk either),
//       against the round trips among the others;
//   inside timings (taken by the member itself, stretched when a pause falls inside them):
//     - backend commit and WAL fsync p99, slow applies, Go GC pauses, and a leader's late
//       heartbeats, far above its peers'.
//
// A stall needs one outside timing and one inside timing. A slow disk stretches fsync (inside)
// but neither the probe nor the prober's round trip, which touch no disk. A slow network raises
// the round trips (outside) but stretches nothing the member times itself. Under a stall fsync
// can stretch too (a pause right after the syscall returns is counted in it): measured with a CFS
// quota on a follower, its fsync p99 went from 16 ms to 512 ms. So fsync alone never rules a stall
// out; the outside timings rule a slow disk out. Pure.
import { formatDuration, memberIdHex } from '../../format';
import { median } from '../../stats';
import type { Evidence, MemberState } from '../../types';
import { isLive } from '../live';
import type { DiagnosisInput } from './types';

/** Probes in the median before the probe says anything (a median of a few is noise). */
export const MIN_PROBES = 8;

export interface StallAssessment {
  member: MemberState;
  /** Probe excess median (ms) and the fastest member's median probe (ms), when the probe judged. */
  probe: { excessMs: number; excessP90Ms: number | null; ownP50Ms: number | null; fastestP50Ms: number | null } | null;
  probeSlow: boolean;
  /** The peers' round trip towards it and among themselves (s), when known. */
  rtt: { fromPeers: number; amongOthers: number | null } | null;
  rttSlow: boolean;
  /** The member's own timings that stretched, as evidence lines. */
  inside: Evidence[];
  stalling: boolean;
  /**
   * It stalls now, or its typical probe lateness passed the threshold within the probes kept
   * (the diagnosis window, at least two minutes) and is back to normal: the p99s of the window
   * (fsync, commit) and etcd's smoothed peer round trips (which take a minute or more to forget)
   * still hold its pauses.
   */
  recent: boolean;
}

const others = (input: DiagnosisInput, m: MemberState) => input.members.filter((x) => x !== m && isLive(x));

/** The round trips among the members other than `m` (their latest observations, seconds). */
export function rttAmongOthers(input: DiagnosisInput, m: MemberState): number[] {
  const rest = others(input, m);
  const out: number[] = [];
  for (const a of rest)
    for (const b of rest) {
      if (a === b) continue;
      const hex = memberIdHex(b.id);
      const v = hex ? a.signals.peerRttTo?.[hex] : undefined;
      if (v !== undefined) out.push(v);
    }
  return out;
}

/** Far above the peers: at least `floor`, and `ratio` times the peers' median (when they have one). */
function above(value: number | null, peers: Array<number | null>, floor: number, ratio: number): boolean {
  if (value === null || value < floor) return false;
  const med = median(peers);
  return med === null || value >= ratio * med;
}

const SLOW_APPLIES = 'slow applies (> 100 ms), last minute';

/** What the member's own timings say (inside timings far above its peers'). */
function insideEvidence(input: DiagnosisInput, m: MemberState): Evidence[] {
  const t = input.thresholds;
  const s = m.signals;
  const peers = others(input, m).map((x) => x.signals);
  const ev: Evidence[] = [];
  const peerText = (vals: Array<number | null>, f: (v: number | null) => string) =>
    `peers ${vals.map(f).join(', ') || 'n/a'}`;
  // A disk timing far above the peers' (the pauses stretch it), with theirs beside it.
  const timing = (key: 'backendCommitP99' | 'walFsyncP99', label: string, floor: number) => {
    const theirs = peers.map((p) => p[key]);
    if (above(s[key], theirs, floor, t.stallRatio))
      ev.push({
        label,
        value: formatDuration(s[key]),
        threshold: peerText(theirs, formatDuration),
        member: m.endpoint,
      });
  };
  timing('backendCommitP99', 'backend commit p99', t.backendCommitP99Seconds);
  timing('walFsyncP99', 'WAL fsync p99 (stretched by the pauses too)', t.walFsyncP99Seconds);
  const slow = s.slowApplies ?? 0;
  const peerSlow = peers.map((p) => p.slowApplies);
  if (slow >= 10 && slow >= t.stallRatio * Math.max(1, median(peerSlow) ?? 0))
    ev.push({
      label: SLOW_APPLIES,
      value: String(slow),
      threshold: peerText(peerSlow, (v) => (v === null ? 'n/a' : String(v))),
      member: m.endpoint,
    });
  if (s.gcPauseMean !== null && s.gcPauseMean >= 0.01)
    ev.push({
      label: 'Go GC pause, mean',
      value: formatDuration(s.gcPauseMean),
      threshold: '≥ 10 ms (Go pauses are normally well under 1 ms)',
      member: m.endpoint,
    });
  if (m.isLeader && (s.heartbeatFailures ?? 0) > 0)
    ev.push({
      label: 'leader heartbeats not sent on time, last minute',
      value: String(s.heartbeatFailures),
      threshold: '0',
      member: m.endpoint,
    });
  return ev;
}

export function assessStall(input: DiagnosisInput, m: MemberState): StallAssessment {
  const t = input.thresholds;
  const s = m.signals;
  const live = input.members.filter(isLive);
  let probe: StallAssessment['probe'] = null;
  let probeSlow = false;
  if (isLive(m) && s.probeExcessMs !== null && s.probeSamples >= MIN_PROBES && live.length >= 2) {
    const fastest = live
      .map((x) => x.signals.probeP50Ms)
      .filter((x): x is number => x !== null)
      .reduce<number | null>((a, b) => (a === null ? b : Math.min(a, b)), null);
    probe = {
      excessMs: s.probeExcessMs,
      excessP90Ms: s.probeExcessP90Ms,
      ownP50Ms: s.probeP50Ms,
      fastestP50Ms: fastest,
    };
    probeSlow = s.probeExcessMs >= t.stallProbeExcessMs;
  }
  let rtt: StallAssessment['rtt'] = null;
  let rttSlow = false;
  if (isLive(m) && s.rttFromPeers !== null) {
    const among = median(rttAmongOthers(input, m));
    rtt = { fromPeers: s.rttFromPeers, amongOthers: among };
    // A floor of a fifth of the peer-RTT threshold: 10 ms by default, far above a LAN's.
    rttSlow =
      s.rttFromPeers >= t.peerRttP99Seconds / 5 &&
      (among === null ? s.rttFromPeers >= t.peerRttP99Seconds : s.rttFromPeers >= t.stallRatio * among);
  }
  const inside = isLive(m) ? insideEvidence(input, m) : [];
  // The probe is current (every poll); the peers' round trips come every ~30 s and lag: they
  // decide only when there is no probe to ask (and corroborate it in the evidence).
  // Slow applies alone do not make a stall: a member catching up after a slow disk (or under a
  // heavy write load) applies slowly too. A pause stretches what the member times itself.
  const stretched = inside.some((e) => e.label !== SLOW_APPLIES);
  const stalling = (probe ? probeSlow : rttSlow) && stretched;
  // Its probe was late lately and is not now: whatever it was is over, but the window p99s and
  // the smoothed round trips still hold it. (Late now without inside evidence is not a stall: a
  // slow network to it, say, which peer-network must still see.)
  const over = (s.probeExcessPeakMs ?? 0) >= t.stallProbeExcessMs && (s.probeExcessMs ?? 0) < t.stallProbeExcessMs;
  const recent = stalling || (isLive(m) && over);
  return { member: m, probe, probeSlow, rtt, rttSlow, inside, stalling, recent };
}

/** Every live member's assessment, in member order. */
export function assessStalls(input: DiagnosisInput): StallAssessment[] {
  return input.members.map((m) => assessStall(input, m));
}

/** The member that leads and stalls (or did within the window), if any: every write waits for it. */
export function stallingLeader(input: DiagnosisInput): MemberState | null {
  return assessStalls(input).find((a) => a.recent && a.member.isLeader)?.member ?? null;
}

/**
 * Endpoints of the members that stall, or did within the diagnosis window: other detectors leave
 * their symptoms (slow fsync and commit, slow requests, slow round trips towards them) to
 * member-stall, also while the window still holds the stall's pauses after it ended.
 */
export function stallingMembers(input: DiagnosisInput): Set<string> {
  return new Set(
    assessStalls(input)
      .filter((a) => a.recent)
      .map((a) => a.member.endpoint),
  );
}
