// Fulcrum's weight proposal: how much of its current load each member can carry, from measured
// latency (as etcd and as a client see it) and CPU per request, compared with its peers. Pure.
// The ONE implementation behind the weight fixes of the detectors (request-skew, capacity-mismatch,
// slow-member), the what-if panel and the weights agent (agent.ts).
//
// How etcd behaves decides what each signal may say:
// - etcd's own p99 times a request from when its handler runs: a member that is paused again and
//   again (CPU throttling, SIGSTOP, a starved VM) queues requests where the histogram cannot see
//   them, so its p99 swings with where the pauses fall. It lowers a member only when clearly
//   above its peers', follower against followers (the leader answers writes without forwarding).
// - Fulcrum's probe is timed by a client: a paused member answers it late, whoever asks. Its
//   lateness (against the fastest member in the same poll, Fulcrum's own lateness taken off, median
//   of the last polls) is judged over a window (signals.ts, lateSpell): it must hold above the
//   floor for 8 polls in a row before it lowers the member, and it keeps it lowered until its
//   probes are on time again for 8 polls in a row, so a duty-cycled stall (whose median swings
//   while its tail holds) does not flip the verdict from poll to poll. Every member alike: the
//   probe (Status) needs no raft round, the leader answers it as a follower does.
// - CPU per request: the leader's is higher by design (it replicates every write), and a paused
//   follower's is lower (it runs less), which makes a healthy follower compared with it look
//   twice as expensive. So CPU is compared follower with follower, and it lowers a member only
//   when its latency agrees (slower than its peers by more than the noise): more CPU per request
//   at the same speed is headroom spent, not capacity missing.
import { formatDuration, formatNumber } from '../../format';
import { clamp, median } from '../../stats';
import type { MemberSignals, MemberState } from '../../types';
import { MIN_PROBES } from '../diagnosis/stall';
import { isLive } from '../live';

/** A member as the proposal sees it. */
export interface CapacityInput {
  name: string;
  /** It answers (isLive); a member that is down gets no proposal. */
  live: boolean;
  isLeader: boolean;
  /**
   * Latencies of this member by signal, in seconds (null: unknown, or too few samples): etcd's
   * own p99 and, where measured, what a client waits for a tiny request (Fulcrum's probe). Every
   * member lists the same signals in the same order.
   */
  latency: ReadonlyArray<{
    label: string;
    value: number | null;
    /** Smallest gap to the peers that counts (seconds); default CapacityOptions.latencyFloorS. */
    floorS?: number;
    /**
     * Compare followers with followers only: etcd's p99 is lower on the leader by design (it
     * answers writes without forwarding them), so a follower is not slow for being slower than it.
     */
    followersApart?: boolean;
  }>;
  /** Fulcrum's probe of the member (null: not probed). */
  probe?: ProbeInput | null;
  /** CPU in cores and requests per second over the same window (null: unknown). */
  cpu: number | null;
  requests: number | null;
}

/** Fulcrum's probe of one member, as MemberSignals carries it (ms). */
export interface ProbeInput {
  /** Median time of the last probes. */
  p50Ms: number | null;
  /** Median lateness over the fastest member in the same poll, Fulcrum's own lateness taken off. */
  lateMs: number | null;
  /** The lateness of its current late spell (MemberSignals.probeLateSpellMs; null: too few polls yet). */
  spellMs: number | null;
  /** Probes in the median. */
  samples: number;
}

/** etcd's p99 over the diagnosis window, only when the member saw enough calls for it to mean something. */
export function serverP99(m: Pick<MemberState, 'signals'>, minLatencySamples: number): number | null {
  const s = m.signals;
  return s.latencyP99 !== null && (s.latencyCount ?? 0) >= minLatencySamples ? s.latencyP99 : null;
}

/** etcd's p99 of one member moves by tens of milliseconds from window to window: smaller gaps are noise. */
export const P99_FLOOR_S = 0.02;

/**
 * A member's inputs from its state: etcd's p99 (only with at least `minLatencySamples` calls in
 * the window, as the detectors count it), CPU and requests over the score window.
 */
export function capacityInputOf(m: MemberState, minLatencySamples: number): CapacityInput {
  const p99 = serverP99(m, minLatencySamples);
  return {
    name: m.name,
    live: isLive(m),
    isLeader: m.isLeader,
    latency: [{ label: 'p99', value: p99, floorS: P99_FLOOR_S, followersApart: true }],
    probe: probeInputOf(m.signals),
    cpu: m.dims.cpu.value,
    requests: m.dims.requests.value,
  };
}

/** A member's probe as the proposal reads it from its signals (null: not probed). */
export function probeInputOf(s: MemberSignals): ProbeInput | null {
  return s.probeSamples > 0
    ? { p50Ms: s.probeP50Ms, lateMs: s.probeExcessMs, spellMs: s.probeLateSpellMs, samples: s.probeSamples }
    : null;
}

export interface CapacityOptions {
  /**
   * A member counts as slower when its value is at least this many times its peers' median (the
   * capacity-mismatch detector's default): a follower's p99 or CPU per request wanders 1.5× from
   * its peers' in healthy clusters (forwarded writes, sampling), which is no reason to move load.
   */
  ratio: number;
  /** …and at least this much above it (seconds; a signal may set its own): 2 ms against 1 ms is noise. */
  latencyFloorS: number;
  /** The lowest factor proposed in one step (a 4× change at most). */
  minFactor: number;
  /** CPU per request is compared only above this many requests per second on the member. */
  cpuMinRequests: number;
  /**
   * A member is late by Fulcrum's probe when its typical lateness held at least this long (ms) for
   * 8 polls in a row, and stays late until its probes are on time again for as long (the
   * diagnosis's stallProbeExcessMs: the lateness member-stall names a stall at).
   */
  probeLateMs: number;
}

export const DEFAULT_CAPACITY: CapacityOptions = {
  ratio: 2,
  latencyFloorS: 0.005,
  minFactor: 0.25,
  cpuMinRequests: 1,
  probeLateMs: 20,
};

export interface CapacityFactor {
  /** Share of its current load the member can carry (1: as its peers; below 1: slower). */
  factor: number;
  /** What bound it: the signal's label, 'cpu', or null (as its peers, or no data). */
  bound: string | null;
  /** One line for the member: the numbers behind the factor. */
  why: string;
  /**
   * The member's comparisons are settled: it had data for at least one, and none is still deciding
   * (the probe warming up, or late but not yet for long enough). The agent holds a weight while not.
   */
  measured: boolean;
}

type ProbeVerdict =
  | { state: 'none' }
  | { state: 'warming'; text: string }
  | { state: 'rising'; text: string }
  | { state: 'fine'; text: string }
  | { state: 'late'; factor: number; text: string };

/**
 * The probe's verdict on member i: late (with its factor: the peers' typical probe time over the
 * member's, i.e. theirs plus its lateness), fine, or not decided yet. Judged over a window: late
 * while its late spell (spellMs) is at least the floor; above the floor now but not for long
 * enough yet, rising (undecided); too few probes yet, warming (undecided).
 */
function probeVerdict(i: number, members: readonly CapacityInput[], opts: CapacityOptions): ProbeVerdict {
  const p = members[i].probe;
  if (!p || p.samples === 0) return { state: 'none' };
  const peers = members.filter((x, j) => j !== i && x.live && x.probe && x.probe.samples > 0);
  const ref = median(peers.map((x) => x.probe!.p50Ms));
  if (ref === null || p.lateMs === null) return { state: 'none' };
  if (p.samples < MIN_PROBES || p.spellMs === null)
    return { state: 'warming', text: `probe: ${p.samples} of ${MIN_PROBES} polls yet` };
  const floor = opts.probeLateMs;
  const lateText = (late: number) =>
    `probe ${formatDuration(late / 1000)} late (peers answer in ${formatDuration(ref / 1000)})`;
  if (p.spellMs >= floor) {
    // The lateness the spell held, or more now: a paused member's median swings within a spell.
    const late = Math.max(p.lateMs, p.spellMs);
    const factor = Math.round(clamp(ref / (ref + late), opts.minFactor, 1) * 100) / 100;
    return { state: 'late', factor, text: lateText(late) };
  }
  if (p.lateMs >= floor) return { state: 'rising', text: `${lateText(p.lateMs)}, not for long enough yet` };
  return { state: 'fine', text: `probe ${formatDuration(p.lateMs / 1000)} late` };
}

interface Compared {
  factor: number;
  text: string;
}

/** value against the median of the peers' values: a factor below 1 when clearly slower. */
function compare(
  i: number,
  values: ReadonlyArray<number | null>,
  ok: ReadonlyArray<boolean>,
  ratio: number,
  floor: number,
  minFactor: number,
): { factor: number; value: number; ref: number } | null {
  const v = values[i];
  if (!ok[i] || v === null || !(v >= 0)) return null;
  const ref = median(values.filter((x, j) => j !== i && ok[j] && x !== null && x >= 0));
  if (ref === null) return null;
  const slow = v >= ratio * ref && v - ref >= floor && v > 0;
  // Two decimals: what the explanation shows is what is used.
  return { factor: slow ? Math.round(clamp(ref / v, minFactor, 1) * 100) / 100 : 1, value: v, ref };
}

/**
 * Each member's capacity factor against its peers: the lowest of its latency factors (peers'
 * median / its own, when clearly slower) and its CPU-per-request factor (followers only: the
 * leader's replication work is not per request). 1 for a member as fast as its peers, or without
 * data; never below `minFactor`, never above 1 (a fast member is not promised more than it has).
 */
export function capacityFactors(
  members: readonly CapacityInput[],
  opts: CapacityOptions = DEFAULT_CAPACITY,
): CapacityFactor[] {
  const live = members.map((m) => m.live);
  const signals =
    members[0]?.latency.map((l) => ({
      label: l.label,
      floor: l.floorS ?? opts.latencyFloorS,
      apart: l.followersApart ?? false,
    })) ?? [];
  const followers = members.filter((m) => m.live && !m.isLeader).length;
  const lat = signals.map((_, k) => members.map((m) => m.latency[k]?.value ?? null));
  const follower = members.map((m) => m.live && !m.isLeader && (m.requests ?? 0) >= opts.cpuMinRequests);
  const cpuPerReq = members.map((m) =>
    m.cpu !== null && m.requests !== null && m.requests > 0 ? m.cpu / m.requests : null,
  );
  return members.map((m, i) => {
    if (!m.live) return { factor: 1, bound: null, why: `${m.name}: down, nothing to propose`, measured: false };
    let best: Compared & { bound: string | null } = { factor: 1, bound: null, text: '' };
    const seen: string[] = [];
    const lower = (factor: number, bound: string, text: string) => {
      if (factor < best.factor) best = { factor, bound, text };
    };
    // Latency slower than the peers' by more than the noise (even if not `ratio` times): CPU may speak.
    let slower = false;
    signals.forEach(({ label, floor, apart }, k) => {
      // A follower against the other followers (when it has one); the leader against the followers.
      const like =
        apart && (m.isLeader || followers >= 2) ? members.map((x, j) => live[j] && (j === i || !x.isLeader)) : live;
      const c = compare(i, lat[k], like, opts.ratio, floor, opts.minFactor);
      if (!c) return;
      seen.push(`${label} ${formatDuration(c.value)} (peers ${formatDuration(c.ref)})`);
      if (c.value - c.ref >= floor) slower = true;
      lower(c.factor, label, `${label} ${formatDuration(c.value)} vs peers' ${formatDuration(c.ref)}`);
    });
    const probe = probeVerdict(i, members, opts);
    if (probe.state !== 'none') seen.push(probe.text);
    if (probe.state === 'late') {
      slower = true;
      lower(probe.factor, 'probe', probe.text);
    }
    // CPU seconds per request, among followers with real load: a slower or busier machine spends
    // more. It lowers a member only when its latency agrees.
    const c = compare(i, cpuPerReq, follower, opts.ratio, 0, opts.minFactor);
    if (c) {
      const text = `CPU ${formatNumber(c.value * 1000)} ms/request (peers ${formatNumber(c.ref * 1000)})`;
      if (c.factor < 1 && !slower) seen.push(`${text}, not used: its latency is as its peers'`);
      else seen.push(text);
      if (slower)
        lower(
          c.factor,
          'cpu',
          `CPU ${formatNumber(c.value * 1000)} ms per request vs peers' ${formatNumber(c.ref * 1000)} (its latency agrees)`,
        );
    }
    const leaderNote = m.isLeader ? '; leader: CPU not compared (replication work)' : '';
    const undecided = probe.state === 'warming' || probe.state === 'rising';
    if (seen.length === 0)
      return { factor: 1, bound: null, why: `${m.name}: no latency or CPU data to compare yet: kept`, measured: false };
    if (best.bound === null)
      return {
        factor: 1,
        bound: null,
        why: undecided
          ? `${m.name}: not decided yet (${seen.join(', ')}): kept${leaderNote}`
          : `${m.name}: as fast as its peers (${seen.join(', ')})${leaderNote}`,
        measured: !undecided,
      };
    return {
      factor: best.factor,
      bound: best.bound,
      why: `${m.name}: ${best.text} → ×${best.factor.toFixed(2)}${leaderNote}`,
      measured: true,
    };
  });
}

/** Integer weights (1..256) proportional to `raw`, keeping the old total where possible. */
export function integerWeights(raw: readonly number[], total: number): number[] {
  const sum = raw.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) return raw.map(() => 1);
  const scale = Math.min(total > 0 ? total : raw.length * 10, 256 * raw.length) / sum;
  let out = raw.map((w) => (w > 0 ? Math.max(1, Math.round(w * scale)) : 0));
  const max = Math.max(...out);
  if (max > 256) out = out.map((w) => (w > 0 ? Math.max(1, Math.round((w * 256) / max)) : 0));
  return out;
}

/**
 * New integer weights: each member's current weight times its capacity factor, scaled back to the
 * current total (so the others take what the slow one gives up). A weight of 0 stays 0 (drained on
 * purpose); a member without a factor keeps its weight's proportion.
 */
export function proposeWeights(current: readonly number[], factors: readonly CapacityFactor[]): number[] {
  const raw = current.map((w, i) => Math.max(0, w) * (factors[i]?.factor ?? 1));
  if (raw.every((w, i) => w === Math.max(0, current[i]))) return current.map((w) => Math.max(0, Math.round(w)));
  return integerWeights(
    raw,
    current.reduce((a, b) => a + Math.max(0, b), 0),
  );
}
