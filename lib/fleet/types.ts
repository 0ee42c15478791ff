// The fleet: every cluster Fulcrum knows (polled directly or read from Prometheus), one summary
// each. `GET /api/fleet` answers a FleetState; `GET /api/fleet/stream` sends `event: fleet` with
// a FleetState on connect, then `event: fleet-delta` with a FleetDelta per fleet tick. The fleet
// page and the wall screen render these shapes and nothing else.
import type { ClusterStatus, DimensionId, MemberStatus, Severity } from '../types';

/** How much Fulcrum can see of a cluster: `direct` is polled (everything), `prometheus` is metrics only. */
export type ClusterSource = 'direct' | 'prometheus';

export interface FleetMemberDim {
  /** This member's fraction of the cluster total, null when unknown. */
  share: number | null;
  /** The fraction it should carry (weights or equal), null when not part of the expectation. */
  expected: number | null;
}

export interface FleetMember {
  /** The member's key: the configured client URL, or the Prometheus member label's value. */
  endpoint: string;
  name: string;
  status: MemberStatus;
  isLeader: boolean;
  /** Shares of the scored dimensions (at least `requests`); absent dimensions are unknown. */
  dims: Partial<Record<DimensionId, FleetMemberDim>>;
}

export interface FleetWorstFinding {
  id: string;
  kind: string;
  severity: Severity;
  title: string;
  since: number;
  members: string[];
}

export interface FleetCluster {
  name: string;
  /** From config `labels`, or from the Prometheus series' labels (bounded, validated). */
  labels: Record<string, string>;
  source: ClusterSource;
  status: ClusterStatus;
  members: FleetMember[];
  /** Name of the leader, null when none known. */
  leader: string | null;
  /** Headline: requests score against the expected shares, and against equal shares. */
  score: number | null;
  scoreEqual: number | null;
  findings: Record<Severity, number>;
  worst: FleetWorstFinding | null;
  /** Time of the data this summary was computed from (ms), null before the first answer. */
  updatedAt: number | null;
  pollIntervalMs: number;
}

export interface FleetState {
  /** Fleet tick sequence number; a delta carries the next one. */
  seq: number;
  updatedAt: number;
  /** Fleet tick interval (ms): a view calls its data stale after 3 of these without a delta. */
  tickMs: number;
  /** The server's build: a wall screen reloads itself when it changes. */
  build: string;
  clusters: FleetCluster[];
}

export interface FleetDelta {
  seq: number;
  updatedAt: number;
  /** Clusters that are new or changed since the previous tick (whole summaries). */
  upserts: FleetCluster[];
  /** Names of clusters that disappeared (discovery no longer sees them). */
  removed: string[];
  /**
   * Clusters polled again with nothing else new: name → their new `updatedAt`. Absent when none.
   * A cluster is in at most one of `upserts`, `removed` and `fresh`.
   */
  fresh?: Record<string, number | null>;
}
