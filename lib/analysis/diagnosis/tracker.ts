// Hysteresis for findings: a condition must hold for N polls before its finding is raised and
// be gone for M polls before it clears, so findings don't flap. Pure: the tracker's memory is a
// value passed in and returned (`TrackerState`), the time of each poll is passed in, and the
// previous state is never changed.
import type { Finding } from '../../types';
import type { Candidate, FindingKind } from './types';

/** Kinds about the cluster as a whole: one finding however the member list changes. */
const CLUSTER_WIDE = new Set<FindingKind>(['leader-churn', 'health-check-gap', 'version-skew', 'balancer-outage']);

/** Said before anything else of the same severity: clients get no etcd (or too little of it). */
const OUTAGE_KINDS = new Set<string>(['balancer-outage']);

export interface TrackerEntry {
  key: string;
  candidate: Candidate;
  /** Polls in a row the condition held (0 while it is absent). */
  streak: number;
  /** Polls in a row the condition was absent. */
  absent: number;
  active: boolean;
  since: number;
  /**
   * The severity shown. Raising the severity of an active finding is a raise too: it waits the
   * same number of polls as raising it did (an info that turns into a warning for one poll stays
   * an info). Absent on entries of states written before it: the candidate's.
   */
  shown?: Finding['severity'];
  /** Polls in a row the candidate asked for more than `shown`. */
  escalating?: number;
}

/** What the tracker remembers between polls: conditions seen (in first-seen order) and cleared findings. */
export interface TrackerState {
  entries: readonly TrackerEntry[];
  /** Findings that cleared recently, newest first. */
  resolved: readonly Finding[];
}

export interface TrackerConfig {
  cluster: string;
  raiseAfter: number;
  clearAfter: number;
  /** How long a cleared finding stays listed as resolved (ms), and how many at most. */
  keepResolvedMs?: number;
  keepResolvedMax?: number;
}

export const emptyTracker = (): TrackerState => ({ entries: [], resolved: [] });

export function findingKey(c: Pick<Candidate, 'kind' | 'members'>): string {
  return CLUSTER_WIDE.has(c.kind) ? c.kind : `${c.kind}:${[...c.members].sort().join(',')}`;
}

function toFinding(cluster: string, e: TrackerEntry): Finding {
  return {
    id: e.key,
    kind: e.candidate.kind,
    cluster,
    members: e.candidate.members,
    severity: e.shown ?? e.candidate.severity,
    since: e.since,
    title: e.candidate.title,
    summary: e.candidate.summary,
    evidence: e.candidate.evidence,
    fixes: e.candidate.fixes,
    confidence: e.candidate.confidence,
  };
}

const RANK = { critical: 0, warning: 1, info: 2 } as const;

/** Display order: most severe first, an outage before anything else, then oldest first. */
export function compareFindings(
  a: Pick<Finding, 'severity' | 'kind' | 'since'>,
  b: Pick<Finding, 'severity' | 'kind' | 'since'>,
): number {
  const outage = (f: Pick<Finding, 'kind'>) => (OUTAGE_KINDS.has(f.kind) ? 0 : 1);
  return RANK[a.severity] - RANK[b.severity] || outage(a) - outage(b) || a.since - b.since;
}

/** The active findings of a tracker state, in display order (compareFindings). */
export function activeFindings(state: TrackerState, cluster: string): Finding[] {
  return state.entries
    .filter((e) => e.active)
    .map((e) => toFinding(cluster, e))
    .sort(compareFindings);
}

/** Feeds one poll's candidates; returns the next state and its active findings. */
export function trackFindings(
  prev: TrackerState,
  candidates: readonly Candidate[],
  t: number,
  cfg: TrackerConfig,
): { state: TrackerState; active: Finding[] } {
  const keepMs = cfg.keepResolvedMs ?? 15 * 60_000;
  const keepMax = cfg.keepResolvedMax ?? 50;
  // Copies of the entries, in first-seen order (a Map keeps insertion order).
  const entries = new Map(prev.entries.map((e) => [e.key, { ...e }]));
  const seen = new Set<string>();
  for (const c of candidates) {
    const key = findingKey(c);
    if (seen.has(key)) continue;
    seen.add(key);
    let e = entries.get(key);
    if (!e) {
      e = { key, candidate: c, streak: 0, absent: 0, active: false, since: t };
      entries.set(key, e);
    }
    e.candidate = c;
    e.streak++;
    e.absent = 0;
    const after = c.raiseAfter ?? cfg.raiseAfter;
    if (!e.active) {
      if (e.streak >= after) {
        e.active = true;
        e.shown = c.severity;
        e.escalating = 0;
      }
    } else if (RANK[c.severity] < RANK[e.shown ?? c.severity]) {
      e.escalating = (e.escalating ?? 0) + 1;
      if (e.escalating >= after) {
        e.shown = c.severity;
        e.escalating = 0;
      }
    } else {
      e.shown = c.severity;
      e.escalating = 0;
    }
  }
  const resolved = [...prev.resolved];
  for (const [key, e] of entries) {
    if (seen.has(key)) continue;
    e.streak = 0;
    e.absent++;
    if (!e.active) entries.delete(key);
    else if (e.absent >= cfg.clearAfter) {
      entries.delete(key);
      resolved.unshift({ ...toFinding(cfg.cluster, e), until: t });
    }
  }
  const state: TrackerState = {
    entries: [...entries.values()],
    resolved: resolved.filter((f) => (f.until ?? t) >= t - keepMs).slice(0, keepMax),
  };
  return { state, active: activeFindings(state, cfg.cluster) };
}
