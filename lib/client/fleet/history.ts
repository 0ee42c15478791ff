// A bounded member × time history per cluster, built in the browser from the fleet stream: every
// fleet tick carries each cluster's member shares, so the wall can draw any cluster's heatmap and
// score timeline (polled or Prometheus-sourced alike) without a second stream. Fixed-size rings
// of typed arrays: memory is set when a cluster first appears and never grows after; clusters
// that leave the fleet are dropped. No clock reads: time comes from the data.
import { imbalanceScore } from '../../analysis/score';
import type { FleetCluster, FleetMember, FleetState } from '../../fleet/types';
import { emptyDimRecord } from '../../dimensions';
import type { DimensionId, Frame } from '../../types';
import { fleetStaleAfterMs } from './store';

interface Ring {
  key: string;
  m: number;
  head: number;
  len: number;
  lastT: number;
  t: Float64Array;
  up: Uint8Array;
  leader: Int8Array;
  /** The server's headline (requests) score per column; NaN = none. */
  score: Float32Array;
  /** Per tracked dim: share and expected per (column, member); NaN = null. */
  share: Float32Array[];
  expected: Float32Array[];
  members: FleetMember[];
}

export interface ClusterHistory {
  members: FleetMember[];
  frames: Frame[];
}

const NO_NUMBERS: readonly (number | null)[] = Object.freeze([]);

export class FleetHistory {
  readonly capacity: number;
  readonly dims: readonly DimensionId[];
  private rings = new Map<string, Ring>();

  constructor(opts: { capacity: number; dims: readonly DimensionId[] }) {
    this.capacity = Math.max(2, Math.floor(opts.capacity));
    this.dims = [...new Set(opts.dims)];
  }

  /** Clusters tracked. */
  get size(): number {
    return this.rings.size;
  }

  /** One column per cluster at the state's time; clusters whose data is stale get none (a gap). */
  record(state: FleetState): void {
    const t = state.updatedAt;
    const present = new Set<string>();
    for (const c of state.clusters) {
      present.add(c.name);
      if (c.updatedAt === null) continue;
      if (t - c.updatedAt > fleetStaleAfterMs(Math.max(state.tickMs, c.pollIntervalMs))) continue;
      this.push(c, t);
    }
    for (const name of this.rings.keys()) if (!present.has(name)) this.rings.delete(name);
  }

  private push(c: FleetCluster, t: number): void {
    const key = c.members.map((m) => m.endpoint).join('\n');
    let r = this.rings.get(c.name);
    if (!r || r.key !== key) {
      // New cluster, or its members changed: the old columns no longer line up with the rows.
      r = this.ring(key, c.members.length);
      this.rings.set(c.name, r);
    }
    if (t <= r.lastT) return;
    const i = r.head;
    const m = r.m;
    r.t[i] = t;
    r.lastT = t;
    r.score[i] = c.score ?? Number.NaN;
    let leader = -1;
    for (let j = 0; j < m; j++) {
      const mem = c.members[j];
      r.up[i * m + j] = mem.status === 'down' ? 0 : 1;
      if (mem.isLeader && mem.status !== 'down') leader = j;
      this.dims.forEach((d, di) => {
        const v = mem.dims[d];
        r.share[di][i * m + j] = v?.share ?? Number.NaN;
        r.expected[di][i * m + j] = v?.expected ?? Number.NaN;
      });
    }
    r.leader[i] = leader;
    r.members = c.members;
    r.head = (i + 1) % this.capacity;
    r.len = Math.min(this.capacity, r.len + 1);
  }

  private ring(key: string, m: number): Ring {
    const cap = this.capacity;
    return {
      key,
      m,
      head: 0,
      len: 0,
      lastT: Number.NEGATIVE_INFINITY,
      t: new Float64Array(cap),
      up: new Uint8Array(cap * m),
      leader: new Int8Array(cap),
      score: new Float32Array(cap),
      share: this.dims.map(() => new Float32Array(cap * m)),
      expected: this.dims.map(() => new Float32Array(cap * m)),
      members: [],
    };
  }

  /** Frames (oldest first) for the cluster's heatmap and timeline, in the shape the cluster page uses. */
  frames(name: string, dim: DimensionId): ClusterHistory | null {
    const r = this.rings.get(name);
    if (!r) return null;
    const di = this.dims.indexOf(dim);
    const m = r.m;
    const out: Frame[] = [];
    const start = (r.head - r.len + this.capacity) % this.capacity;
    for (let k = 0; k < r.len; k++) {
      const i = (start + k) % this.capacity;
      const up: boolean[] = [];
      const share: (number | null)[] = [];
      const expected: (number | null)[] = [];
      for (let j = 0; j < m; j++) {
        up.push(r.up[i * m + j] === 1);
        share.push(di < 0 ? null : nullIfNaN(r.share[di][i * m + j]));
        expected.push(di < 0 ? null : nullIfNaN(r.expected[di][i * m + j]));
      }
      const shares = emptyDimRecord(() => NO_NUMBERS as (number | null)[]);
      const exps = emptyDimRecord(() => NO_NUMBERS as (number | null)[]);
      const scores = emptyDimRecord<number | null>(() => null);
      shares[dim] = share;
      exps[dim] = expected;
      scores[dim] = dim === 'requests' ? nullIfNaN(r.score[i]) : imbalanceScore(share, expected);
      out.push({
        t: r.t[i],
        up,
        leader: r.leader[i],
        values: emptyDimRecord(() => NO_NUMBERS as (number | null)[]),
        shares,
        expected: exps,
        scores,
        origin: 'poll',
      });
    }
    return { members: r.members, frames: out };
  }
}

function nullIfNaN(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}
