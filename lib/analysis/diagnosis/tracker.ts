// Hysteresis for findings: a condition must hold for N polls before its finding is raised and
// be gone for M polls before it clears, so findings don't flap. No I/O, no clock: the time
// of each poll is passed in.
import type { Finding } from '../../types';
import type { Candidate, FindingKind } from './types';

/** Kinds about the cluster as a whole: one finding however the member list changes. */
const CLUSTER_WIDE = new Set<FindingKind>(['leader-churn', 'health-check-gap', 'version-skew']);

interface Entry {
  candidate: Candidate;
  streak: number;
  absent: number;
  active: boolean;
  since: number;
}

export function findingKey(c: Pick<Candidate, 'kind' | 'members'>): string {
  return CLUSTER_WIDE.has(c.kind) ? c.kind : `${c.kind}:${[...c.members].sort().join(',')}`;
}

export class FindingTracker {
  private entries = new Map<string, Entry>();
  private resolvedList: Finding[] = [];

  constructor(
    private readonly cluster: string,
    private readonly raiseAfter: number,
    private readonly clearAfter: number,
    /** How long a cleared finding stays listed as resolved (ms), and how many at most. */
    private readonly keepResolvedMs = 15 * 60_000,
    private readonly keepResolvedMax = 50,
  ) {}

  /** Feeds one poll's candidates; returns the active findings, most severe first. */
  update(candidates: Candidate[], t: number): Finding[] {
    const seen = new Set<string>();
    for (const c of candidates) {
      const key = findingKey(c);
      if (seen.has(key)) continue;
      seen.add(key);
      let e = this.entries.get(key);
      if (!e) {
        e = { candidate: c, streak: 0, absent: 0, active: false, since: t };
        this.entries.set(key, e);
      }
      e.candidate = c;
      e.streak++;
      e.absent = 0;
      if (!e.active && e.streak >= (c.raiseAfter ?? this.raiseAfter)) e.active = true;
    }
    for (const [key, e] of this.entries) {
      if (seen.has(key)) continue;
      e.streak = 0;
      e.absent++;
      if (!e.active) this.entries.delete(key);
      else if (e.absent >= this.clearAfter) {
        this.entries.delete(key);
        this.resolvedList.unshift({ ...this.toFinding(key, e), until: t });
      }
    }
    this.resolvedList = this.resolvedList
      .filter((f) => (f.until ?? t) >= t - this.keepResolvedMs)
      .slice(0, this.keepResolvedMax);
    return this.active();
  }

  /** Findings that cleared recently, newest first. */
  resolved(): Finding[] {
    return this.resolvedList;
  }

  private toFinding(key: string, e: Entry): Finding {
    return {
      id: key,
      kind: e.candidate.kind,
      cluster: this.cluster,
      members: e.candidate.members,
      severity: e.candidate.severity,
      since: e.since,
      title: e.candidate.title,
      summary: e.candidate.summary,
      evidence: e.candidate.evidence,
      fixes: e.candidate.fixes,
      confidence: e.candidate.confidence,
    };
  }

  active(): Finding[] {
    const rank = { critical: 0, warning: 1, info: 2 } as const;
    return [...this.entries.entries()]
      .filter(([, e]) => e.active)
      .map(([key, e]) => this.toFinding(key, e))
      .sort((a, b) => rank[a.severity] - rank[b.severity] || a.since - b.since);
  }
}
