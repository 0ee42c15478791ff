// One cluster's fleet summary (FleetCluster) from its state. Pure: the same function serves
// polled engines and Prometheus-read clusters.
import { DIMENSIONS } from '../dimensions';
import { DIMENSION_IDS, type ClusterState, type Finding, type Severity } from '../types';
import type { ClusterSource, FleetCluster, FleetMember, FleetWorstFinding } from './types';

export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];
const RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };

/** Shares travel to every wall screen on every tick: 0.1 % is finer than any colour step. */
export function round3(x: number | null | undefined): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  return Math.round(x * 1000) / 1000;
}

export interface SummaryInput {
  name: string;
  labels: Record<string, string>;
  source: ClusterSource;
  pollIntervalMs: number;
  state: Pick<ClusterState, 'status' | 'members' | 'scores' | 'findings' | 'updatedAt'>;
}

/** Worst first: severity, then confidence, then the oldest. */
export function worstFinding(findings: readonly Finding[]): Finding | null {
  let best: Finding | null = null;
  for (const f of findings) {
    if (
      !best ||
      RANK[f.severity] > RANK[best.severity] ||
      (RANK[f.severity] === RANK[best.severity] &&
        (f.confidence > best.confidence || (f.confidence === best.confidence && f.since < best.since)))
    )
      best = f;
  }
  return best;
}

export function fleetCluster(input: SummaryInput): FleetCluster {
  const { state } = input;
  const members: FleetMember[] = state.members.map((m) => {
    const dims: FleetMember['dims'] = {};
    for (const id of DIMENSION_IDS) {
      if (!DIMENSIONS[id].scored) continue;
      const d = m.dims[id];
      const share = round3(d?.share);
      const expected = round3(d?.expectedShare);
      if (share !== null || expected !== null) dims[id] = { share, expected };
    }
    return { endpoint: m.endpoint, name: m.name, status: m.status, isLeader: m.isLeader, dims };
  });
  const leader = state.members.find((m) => m.isLeader && m.status !== 'down');
  const findings: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of state.findings) findings[f.severity]++;
  const w = worstFinding(state.findings);
  const worst: FleetWorstFinding | null = w
    ? { id: w.id, kind: w.kind, severity: w.severity, title: w.title, since: w.since, members: w.members }
    : null;
  return {
    name: input.name,
    labels: input.labels,
    source: input.source,
    status: state.status,
    members,
    leader: leader ? leader.name : null,
    score: round3(state.scores.requests.score),
    scoreEqual: round3(state.scores.requests.scoreEqual),
    findings,
    worst,
    updatedAt: state.updatedAt,
    pollIntervalMs: input.pollIntervalMs,
  };
}
