// Fleet deltas: what changed between two fleet ticks, and applying them. Pure. The server
// keeps each cluster's summary as JSON text, so a cluster that did not change costs one string
// comparison, and the delta (and the full state) are assembled from those strings: encoded
// once per tick whatever the number of viewers. A cluster polled again with nothing else new
// travels as its name and data time (`fresh`), not its whole summary.
import type { FleetCluster, FleetDelta, FleetState } from './types';

export type FleetApplyResult = { kind: 'applied'; state: FleetState } | { kind: 'ignored' } | { kind: 'resync' };

/**
 * Applies one delta. Order is kept: an upsert of a known cluster replaces it where it is, a new
 * one goes to the end, removed ones leave. An old delta is ignored; a gap asks for a resync.
 */
export function applyFleetDelta(state: FleetState, d: FleetDelta): FleetApplyResult {
  if (d.seq <= state.seq) return { kind: 'ignored' };
  if (d.seq !== state.seq + 1) return { kind: 'resync' };
  let clusters = state.clusters;
  const fresh = d.fresh ?? {};
  if (d.upserts.length || d.removed.length || Object.keys(fresh).length) {
    const up = new Map(d.upserts.map((c) => [c.name, c]));
    const gone = new Set(d.removed);
    clusters = [];
    for (const c of state.clusters) {
      if (gone.has(c.name)) continue;
      const u = up.get(c.name);
      const t = Object.hasOwn(fresh, c.name) ? fresh[c.name] : undefined;
      clusters.push(u ?? (t !== undefined ? { ...c, updatedAt: t } : c));
      up.delete(c.name);
    }
    for (const c of up.values()) clusters.push(c);
  }
  return { kind: 'applied', state: { ...state, seq: d.seq, updatedAt: d.updatedAt, clusters } };
}

export interface FleetStep {
  seq: number;
  /** `event: fleet-delta` payload as JSON text. */
  deltaJson: string;
  upserts: number;
  removed: number;
  /** Clusters whose only news is a newer `updatedAt` (sent as name → time). */
  fresh: number;
}

/** A summary as JSON text, with and without its `updatedAt` (what a new poll alone changes). */
interface Encoded {
  json: string;
  body: string;
  updatedAt: number | null;
}

function encode(c: FleetCluster): Encoded {
  const { updatedAt, ...rest } = c;
  const body = JSON.stringify(rest);
  return { json: `${body.slice(0, -1)},"updatedAt":${JSON.stringify(updatedAt)}}`, body, updatedAt };
}

/** The server side: cluster summaries in, one delta per step out, the full state on demand. */
export class FleetDiffer {
  private seq = 0;
  private updatedAt = 0;
  /** name → the summary as JSON text, in fleet order. */
  private readonly current = new Map<string, Encoded>();
  private fullCache: { seq: number; json: string } | null = null;

  constructor(private readonly header: () => Pick<FleetState, 'tickMs' | 'build'>) {}

  get size(): number {
    return this.current.size;
  }

  get seqNow(): number {
    return this.seq;
  }

  /** Takes this tick's summaries (every cluster the fleet has now). */
  step(clusters: Iterable<FleetCluster>, t: number): FleetStep {
    const upserts: string[] = [];
    /** Clusters polled again with nothing else new: their name and data time, not their summary. */
    const fresh: string[] = [];
    const seen = new Set<string>();
    for (const c of clusters) {
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      const e = encode(c);
      const was = this.current.get(c.name);
      if (was?.json === e.json) continue;
      this.current.set(c.name, e);
      if (was?.body === e.body) fresh.push(`${JSON.stringify(c.name)}:${JSON.stringify(e.updatedAt)}`);
      else upserts.push(e.json);
    }
    const removed: string[] = [];
    for (const name of this.current.keys()) if (!seen.has(name)) removed.push(name);
    for (const name of removed) this.current.delete(name);
    this.seq++;
    this.updatedAt = t;
    const freshJson = fresh.length ? `,"fresh":{${fresh.join(',')}}` : '';
    const deltaJson = `{"seq":${this.seq},"updatedAt":${t},"upserts":[${upserts.join(',')}],"removed":${JSON.stringify(removed)}${freshJson}}`;
    return { seq: this.seq, deltaJson, upserts: upserts.length, removed: removed.length, fresh: fresh.length };
  }

  /** The whole fleet as JSON text (cached per tick). */
  stateJson(): string {
    if (this.fullCache?.seq === this.seq) return this.fullCache.json;
    const h = this.header();
    const json = `{"seq":${this.seq},"updatedAt":${this.updatedAt},"tickMs":${h.tickMs},"build":${JSON.stringify(h.build)},"clusters":[${[...this.current.values()].map((e) => e.json).join(',')}]}`;
    this.fullCache = { seq: this.seq, json };
    return json;
  }

  state(): FleetState {
    return JSON.parse(this.stateJson()) as FleetState;
  }
}
