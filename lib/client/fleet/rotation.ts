// What the wall shows, slide by slide: the fleet heatmap (a page per screenful), then the
// clusters with problems, worst first; a new critical finding interrupts and holds its cluster
// on screen while it stays critical. A pure reducer: the wall calls it on every tick of its
// clock and every fleet update, with the time passed in.
import type { FleetCluster } from '../../fleet/types';
import { severityOf, worstFirst } from './order';

export type Slide = { kind: 'fleet'; page: number; pages: number } | { kind: 'cluster'; name: string };

export function slideKey(s: Slide): string {
  return s.kind === 'fleet' ? `fleet:${s.page}` : `cluster:${s.name}`;
}

/** At most this many cluster slides per round: a round stays short, the fleet page comes back. */
export const MAX_CLUSTER_SLIDES = 12;
/** A critical finding this young when the wall (re)loads still interrupts: a reload must not drop an incident. */
export const FRESH_CRITICAL_MS = 10 * 60_000;
/** Bound on simultaneous holds (each is a cluster with a critical finding). */
export const MAX_HOLDS = 24;

/** The round: fleet pages, then clusters that are down/degraded or have a warning or critical, worst first. */
export function planSlides(clusters: readonly FleetCluster[], fleetPages: number): Slide[] {
  const pages = Math.max(1, Math.floor(fleetPages));
  const out: Slide[] = [];
  for (let p = 0; p < pages; p++) out.push({ kind: 'fleet', page: p, pages });
  const bad = clusters.filter((c) => severityOf(c) >= 2).sort(worstFirst);
  for (const c of bad.slice(0, MAX_CLUSTER_SLIDES)) out.push({ kind: 'cluster', name: c.name });
  return out;
}

export interface Hold {
  cluster: string;
  findingId: string;
  title: string;
  /** When the finding started (server time). */
  since: number;
}

export interface RotationState {
  slide: Slide;
  /** Position of `slide` in the round when it was chosen (to continue from when it disappears). */
  index: number;
  /** When the current slide came on screen (browser clock). */
  shownAt: number;
  /** Clusters held on screen by a critical finding, newest first. */
  holds: Hold[];
  /** Ids of the critical findings seen at the last step (bounded by the number of clusters). */
  criticalIds: string[];
  /** False until the first step with data: the first step decides what counts as "new". */
  primed: boolean;
}

export function initialRotation(now: number): RotationState {
  return {
    slide: { kind: 'fleet', page: 0, pages: 1 },
    index: 0,
    shownAt: now,
    holds: [],
    criticalIds: [],
    primed: false,
  };
}

export interface RotationInput {
  clusters: readonly FleetCluster[];
  fleetPages: number;
  rotateMs: number;
  now: number;
  /** Server time of the data (to age findings against on the first step). */
  serverNow: number;
}

function criticalOf(c: FleetCluster) {
  return c.worst && c.worst.severity === 'critical' ? c.worst : null;
}

/** One step: the slide to show now. Returns the same object when nothing changed. */
export function stepRotation(s: RotationState, input: RotationInput): RotationState {
  const { clusters, now, rotateMs } = input;
  const slides = planSlides(clusters, input.fleetPages);

  // 1. Holds: keep those still critical, add new critical findings (newest first).
  const critical = new Map<string, NonNullable<ReturnType<typeof criticalOf>>>();
  for (const c of clusters) {
    const w = criticalOf(c);
    if (w) critical.set(c.name, w);
  }
  const seen = new Set(s.criticalIds);
  const fresh: Hold[] = [];
  for (const [cluster, w] of critical) {
    const isNew = s.primed ? !seen.has(w.id) : input.serverNow - w.since <= FRESH_CRITICAL_MS;
    if (isNew) fresh.push({ cluster, findingId: w.id, title: w.title, since: w.since });
  }
  fresh.sort((a, b) => b.since - a.since || (a.cluster < b.cluster ? -1 : 1));
  const freshNames = new Set(fresh.map((h) => h.cluster));
  const kept = s.holds
    .filter((h) => critical.has(h.cluster) && !freshNames.has(h.cluster))
    .map((h) => {
      const w = critical.get(h.cluster)!;
      // Same cluster, another critical finding now worst: keep holding, show the current one.
      return w.id === h.findingId ? h : { ...h, findingId: w.id, title: w.title, since: Math.min(h.since, w.since) };
    });
  const holds = [...fresh, ...kept].slice(0, MAX_HOLDS);
  const criticalIds = [...critical.values()].map((w) => w.id);
  const base = { ...s, holds, criticalIds, primed: true };

  // 2. Held: a new critical takes the screen now; otherwise rotate among the held clusters.
  if (holds.length > 0) {
    const cur =
      s.slide.kind === 'cluster' ? holds.findIndex((h) => h.cluster === (s.slide as { name: string }).name) : -1;
    if (fresh.length > 0) return show(base, { kind: 'cluster', name: fresh[0].cluster }, 0, now);
    if (cur < 0) return show(base, { kind: 'cluster', name: holds[0].cluster }, 0, now);
    if (rotateMs > 0 && holds.length > 1 && now - s.shownAt >= rotateMs) {
      const i = (cur + 1) % holds.length;
      return show(base, { kind: 'cluster', name: holds[i].cluster }, i, now);
    }
    return same(s, base, cur);
  }

  // 3. The round. The first step starts it: the first slide, shown from now.
  if (!s.primed) return show(base, slides[0], 0, now);
  const key = slideKey(s.slide);
  const at = slides.findIndex((x) => slideKey(x) === key);
  if (rotateMs <= 0) {
    // No rotation: the fleet's first page stays (a cluster slide only while something holds it).
    const first = slides[0];
    if (at === 0 && s.slide.kind === 'fleet' && s.slide.pages === (first as { pages: number }).pages)
      return same(s, base, 0);
    return show(base, first, 0, now);
  }
  if (at < 0) {
    // The slide left the round (its cluster recovered, or the fleet has fewer pages): carry on from its place.
    const i = Math.min(s.index, slides.length - 1);
    return show(base, slides[i], i, now);
  }
  if (now - s.shownAt >= rotateMs) {
    const i = (at + 1) % slides.length;
    return show(base, slides[i], i, now);
  }
  // Same slide; a fleet page's page count may have changed.
  const cur = slides[at];
  if (cur.kind === 'fleet' && s.slide.kind === 'fleet' && cur.pages !== s.slide.pages)
    return { ...base, slide: cur, index: at };
  return same(s, base, at);
}

function show(base: RotationState, slide: Slide, index: number, now: number): RotationState {
  return { ...base, slide, index, shownAt: now };
}

/** Keeps the previous object when nothing a view reads changed (React skips the render). */
function same(prev: RotationState, next: RotationState, index: number): RotationState {
  if (
    prev.primed &&
    prev.index === index &&
    prev.holds.length === next.holds.length &&
    prev.holds.every((h, i) => h === next.holds[i]) &&
    prev.criticalIds.length === next.criticalIds.length &&
    prev.criticalIds.every((id, i) => id === next.criticalIds[i])
  ) {
    return prev;
  }
  return { ...next, index };
}
