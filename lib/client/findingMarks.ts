// Where the active findings go on the views: a span per finding on the timeline, and a span per
// (finding, member row) on the heatmap, each from its `since` to the right edge of the window.
// Derived from `state.findings` only, so live and snapshot pages draw the same. Pure.
import type { Finding, MemberState, Severity } from '../types';

export type MarkFinding = Pick<Finding, 'id' | 'kind' | 'members' | 'severity' | 'since' | 'title'>;

/** Most severe first: drawn last (on top) and listed first. */
export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export interface TimelineMark {
  id: string;
  kind: string;
  severity: Severity;
  title: string;
  since: number;
  /** Start of the span inside the window: max(since, from). */
  x1: number;
  /** End of the span: the window's right edge. */
  x2: number;
  /** Started before the window: the start marker is not drawn (it is off the left edge). */
  clipped: boolean;
}

/**
 * Findings to mark on a timeline of [from, to]: warnings and criticals that started before `to`,
 * most severe first. Info findings (e.g. "3.4 is an older release") are listed, not drawn: a
 * band across every row and the whole plot would drown the marks that matter.
 */
export function timelineMarks(findings: readonly MarkFinding[], from: number, to: number): TimelineMark[] {
  if (!(to > from)) return [];
  return findings
    .filter((f) => f.severity !== 'info' && Number.isFinite(f.since) && f.since <= to)
    .map((f) => ({
      id: f.id,
      kind: f.kind,
      severity: f.severity,
      title: f.title,
      since: f.since,
      x1: Math.max(f.since, from),
      x2: to,
      clipped: f.since < from,
    }))
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.since - b.since);
}

/** Findings active at time t (started at or before it), most severe first. */
export function findingsAt<F extends MarkFinding>(findings: readonly F[], t: number, member?: string | null): F[] {
  return findings
    .filter((f) => f.since <= t && (member === undefined || member === null || f.members.includes(member)))
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.since - b.since);
}

export interface HeatmapMark {
  id: string;
  severity: Severity;
  row: number;
  /** Lane within the row (0 = top), when a member has several findings. */
  lane: number;
  /** Device-pixel span [x0, x1) on a canvas `width` px wide showing [from, to]. */
  x0: number;
  x1: number;
  clipped: boolean;
}

/** Row index of a member named by a finding (endpoint or name), -1 when none. */
export function rowOf(members: ReadonlyArray<Pick<MemberState, 'endpoint' | 'name'>>, ref: string): number {
  const i = members.findIndex((m) => m.endpoint === ref);
  return i >= 0 ? i : members.findIndex((m) => m.name === ref);
}

/**
 * Heatmap spans for the findings' members: one per (finding, member), from max(since, from) to
 * the right edge, in device pixels. A row with several findings stacks them in lanes, most
 * severe on top; at most `maxLanes` per row (the rest are counted in the row label instead).
 */
export function heatmapMarks(
  findings: readonly MarkFinding[],
  members: ReadonlyArray<Pick<MemberState, 'endpoint' | 'name'>>,
  from: number,
  to: number,
  width: number,
  maxLanes = 3,
): HeatmapMark[] {
  if (!(to > from) || width <= 0) return [];
  const scale = width / (to - from);
  const lanes = new Map<number, number>();
  const out: HeatmapMark[] = [];
  for (const f of timelineMarks(findings, from, to)) {
    const full = findings.find((x) => x.id === f.id)!;
    const rows = new Set(full.members.map((ref) => rowOf(members, ref)).filter((r) => r >= 0));
    for (const row of rows) {
      const lane = lanes.get(row) ?? 0;
      if (lane >= maxLanes) continue;
      lanes.set(row, lane + 1);
      let x0 = Math.round((f.x1 - from) * scale);
      x0 = Math.min(Math.max(0, x0), width - 1);
      out.push({
        id: f.id,
        severity: f.severity,
        row,
        lane,
        x0,
        x1: Math.max(x0 + 1, Math.round(width)),
        clipped: f.clipped,
      });
    }
  }
  return out;
}

/** The most severe active finding per member row (for the row labels), indexed like `members`. */
export function worstPerRow(
  findings: readonly MarkFinding[],
  members: ReadonlyArray<Pick<MemberState, 'endpoint' | 'name'>>,
): Array<MarkFinding[]> {
  const out: MarkFinding[][] = members.map(() => []);
  for (const f of [...findings].sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.since - b.since,
  )) {
    for (const r of new Set(f.members.map((ref) => rowOf(members, ref)).filter((i) => i >= 0))) out[r].push(f);
  }
  return out;
}

/**
 * The timeline's tint: non-overlapping segments coloured by the worst severity active in each
 * (every finding runs to the right edge, so the worst can only rise from left to right).
 */
export function worstSegments(marks: readonly TimelineMark[]): Array<{ x1: number; x2: number; severity: Severity }> {
  const byStart = [...marks].sort((a, b) => a.x1 - b.x1);
  const out: Array<{ x1: number; x2: number; severity: Severity }> = [];
  for (const m of byStart) {
    const cur = out.at(-1);
    if (cur && SEVERITY_RANK[m.severity] >= SEVERITY_RANK[cur.severity]) continue;
    if (cur) {
      if (m.x1 <= cur.x1) {
        out.pop();
      } else {
        cur.x2 = m.x1;
      }
    }
    out.push({ x1: m.x1, x2: m.x2, severity: m.severity });
  }
  return out;
}
