// Worst first: the order of the fleet page's rows and of the wall's rotation. Pure.
import type { FleetCluster } from '../../fleet/types';
import type { ClusterStatus, Severity } from '../../types';

/**
 * Higher is worse. A cluster that is down ranks with a critical finding, a degraded one with a
 * warning, one nobody can see (its sources did not answer) with an info finding.
 */
export const SEVERITY_WEIGHT: Record<Severity, number> = { info: 1, warning: 2, critical: 3 };
const STATUS_WEIGHT: Record<ClusterStatus, number> = { ok: 0, starting: 0, unknown: 1, degraded: 2, down: 3 };

/** Scores closer than this are ties (then by name): rows don't swap on every tick's noise. */
export const SCORE_STEP = 0.02;

export function severityOf(c: Pick<FleetCluster, 'status' | 'worst' | 'findings'>): number {
  let f = 0;
  if (c.worst) f = SEVERITY_WEIGHT[c.worst.severity] ?? 0;
  else if (c.findings.critical > 0) f = 3;
  else if (c.findings.warning > 0) f = 2;
  else if (c.findings.info > 0) f = 1;
  return Math.max(f, STATUS_WEIGHT[c.status] ?? 0);
}

function scoreKey(score: number | null): number {
  return score === null || !Number.isFinite(score) ? -1 : Math.round(score / SCORE_STEP);
}

/** Within a severity: down, then degraded, then unknown, then the rest. */
const STATUS_TIE: Record<ClusterStatus, number> = { down: 3, degraded: 2, unknown: 1, ok: 0, starting: 0 };

/**
 * The fraction of its members that are down. 'degraded' covers a member down as well as one
 * missed read or an unhealthy member: a cluster that lost a member ranks above a skewed one whose
 * member missed a scrape.
 */
function downFraction(c: Pick<FleetCluster, 'members'>): number {
  if (c.members.length === 0) return 0;
  let down = 0;
  for (const m of c.members) if (m.status === 'down') down++;
  return down / c.members.length;
}

/**
 * Comparator: severity (findings and status), then status, then the fraction of members down,
 * then score (quantised), then name.
 */
export function worstFirst(a: FleetCluster, b: FleetCluster): number {
  return (
    severityOf(b) - severityOf(a) ||
    (STATUS_TIE[b.status] ?? 0) - (STATUS_TIE[a.status] ?? 0) ||
    downFraction(b) - downFraction(a) ||
    scoreKey(b.score) - scoreKey(a.score) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

export function sortWorstFirst(clusters: readonly FleetCluster[]): FleetCluster[] {
  return [...clusters].sort(worstFirst);
}

export interface FleetCounts {
  total: number;
  status: Record<ClusterStatus, number>;
  /** Clusters whose worst open finding has this severity. */
  worst: Record<Severity, number>;
  source: { direct: number; prometheus: number };
  membersDown: number;
}

export function fleetCounts(clusters: readonly FleetCluster[]): FleetCounts {
  const out: FleetCounts = {
    total: clusters.length,
    status: { ok: 0, degraded: 0, down: 0, unknown: 0, starting: 0 },
    worst: { info: 0, warning: 0, critical: 0 },
    source: { direct: 0, prometheus: 0 },
    membersDown: 0,
  };
  for (const c of clusters) {
    if (c.status in out.status) out.status[c.status]++;
    const w = c.worst?.severity;
    if (w && w in out.worst) out.worst[w]++;
    if (c.source in out.source) out.source[c.source]++;
    for (const m of c.members) if (m.status === 'down') out.membersDown++;
  }
  return out;
}
