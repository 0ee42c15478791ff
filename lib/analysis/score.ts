// Shares, expected shares and the imbalance score. Pure.
//
// Score (documented in the README and shown in the UI):
//   score = max over members i of (s_i - e_i) / (1 - e_i), clamped to [0, 1]
// where s_i is member i's observed share of the cluster total and e_i its expected share.
// In words: how far the most over-loaded member has moved from its expected share toward
// carrying everything. 0 when every member carries its expected share (no member can be
// above without another below), 1 when one member carries all of it. It follows the hottest
// member, which is the one whose latency climbs first.

import { DIMENSIONS, emptyDimRecord } from '../dimensions';
import { DIMENSION_IDS, type DimensionId, type DimensionScore } from '../types';
import { sharesFromWeights } from './weights/shares';

/**
 * Expected shares proportional to `weights` among eligible members (the balancer's own model:
 * weights/shares.ts); equal when no eligible member has a positive weight.
 */
export function expectedShares(weights: number[], eligible: boolean[]): (number | null)[] {
  const s = sharesFromWeights(weights, eligible);
  if (s.some((x) => x !== null && x > 0)) return s;
  const n = eligible.filter(Boolean).length;
  return eligible.map((e) => (e ? 1 / n : null));
}

/** Each eligible member's fraction of the eligible total; null when the total is not positive. */
export function observedShares(values: (number | null)[], eligible: boolean[]): (number | null)[] {
  let total = 0;
  values.forEach((v, i) => {
    if (eligible[i] && v !== null && v > 0) total += v;
  });
  return values.map((v, i) => {
    if (!eligible[i] || v === null || !(total > 0)) return null;
    return Math.max(0, v) / total;
  });
}

/** The imbalance score of `shares` against `expected` (both over the same eligible members). */
export function imbalanceScore(shares: (number | null)[], expected: (number | null)[]): number | null {
  let best = 0;
  let counted = 0;
  for (let i = 0; i < shares.length; i++) {
    const s = shares[i];
    const e = expected[i];
    if (s === null || e === null) continue;
    counted++;
    if (e >= 1) continue;
    best = Math.max(best, (s - e) / (1 - e));
  }
  if (counted < 2) return null;
  return Math.min(1, Math.max(0, best));
}

/** Index of the member furthest above its expected share, or -1. */
export function hottestMember(shares: (number | null)[], expected: (number | null)[]): number {
  let best = -1;
  let bestExcess = -Infinity;
  shares.forEach((s, i) => {
    const e = expected[i];
    if (s === null || e === null) return;
    const excess = e < 1 ? (s - e) / (1 - e) : 0;
    if (excess > bestExcess) {
      bestExcess = excess;
      best = i;
    }
  });
  return best;
}

/** Below these totals a dimension's shares are noise: the score is withheld. */
export const DEFAULT_NOISE_FLOORS: Record<DimensionId, number> = {
  requests: 1,
  reads: 1,
  writes: 1,
  bytesIn: 1024,
  bytesOut: 1024,
  watchStreams: 10,
  dbSize: 1,
  latencyP99: 0,
  cpu: 0.02,
  peerBytesOut: 1024,
};

export interface ScoreInput {
  /** Per member: does it count (it answered this poll)? */
  up: boolean[];
  /** Index of the leader, -1 when unknown. */
  leader: number;
  /** Configured weights (1 each when not configured). */
  weights: number[];
  /** Weights were configured (else expectations are equal shares and say so). Default true. */
  weighted?: boolean;
  values: Record<DimensionId, (number | null)[]>;
  noiseFloors?: Partial<Record<DimensionId, number>>;
  /**
   * Per member: drained at the balancer on purpose (lib/analysis/intent.ts). For traffic
   * dimensions its expected share is 0 and the score is taken over the others, their shares and
   * expectations renormalised: what it still serves over old connections is not a skew.
   */
  drained?: boolean[];
}

export interface ScoreOutput {
  shares: Record<DimensionId, (number | null)[]>;
  expected: Record<DimensionId, (number | null)[]>;
  scores: Record<DimensionId, DimensionScore>;
}

export function scoreDimensions(input: ScoreInput, endpoints: string[]): ScoreOutput {
  const n = input.up.length;
  const equalWeights = new Array<number>(n).fill(1);
  const shares = emptyDimRecord<(number | null)[]>(() => new Array(n).fill(null));
  const expected = emptyDimRecord<(number | null)[]>(() => new Array(n).fill(null));
  const scores = emptyDimRecord<DimensionScore>(() => ({
    score: null,
    scoreEqual: null,
    basis: 'equal',
    total: null,
    hottest: null,
    reason: null,
  }));
  for (const id of DIMENSION_IDS) {
    const spec = DIMENSIONS[id];
    const values = input.values[id];
    const basis = spec.weighted && input.weighted !== false ? 'weights' : 'equal';
    scores[id].basis = basis;
    if (!spec.scored) {
      scores[id].reason = 'compared with the peers, not scored as a share';
      continue;
    }
    const eligible = values.map((v, i) => input.up[i] && v !== null && !(spec.leaderHeavy && i === input.leader));
    const total = values.reduce<number>((acc, v, i) => acc + (eligible[i] && v !== null && v > 0 ? v : 0), 0);
    scores[id].total = total;
    const drained = spec.weighted ? input.drained : undefined;
    const out = (i: number) => Boolean(drained?.[i]);
    // Drained members expect nothing; the others share the expectation among themselves.
    const w = (spec.weighted ? input.weights : equalWeights).map((x, i) => (out(i) ? 0 : x));
    const serving = eligible.map((e, i) => e && !out(i));
    const servingExp = expectedShares(w, serving);
    const exp = eligible.map((e, i) => (!e ? null : out(i) ? 0 : servingExp[i]));
    const obs = observedShares(values, eligible);
    expected[id] = exp;
    shares[id] = obs;
    const eligibleCount = serving.filter(Boolean).length;
    if (eligibleCount < 2) {
      scores[id].reason =
        drained && eligible.some((e, i) => e && out(i))
          ? 'fewer than two members left once the drained ones are set aside'
          : spec.leaderHeavy
            ? 'fewer than two followers with data'
            : 'fewer than two members with data';
      continue;
    }
    const floor = input.noiseFloors?.[id] ?? DEFAULT_NOISE_FLOORS[id];
    if (!(total >= floor) || total === 0) {
      scores[id].reason = `too little load to judge (total ${formatNumber(total)} ${spec.unit})`;
      continue;
    }
    // Scored over the serving members only (shares renormalised among them).
    const servingObs = observedShares(values, serving);
    scores[id].score = imbalanceScore(servingObs, servingExp);
    scores[id].scoreEqual = imbalanceScore(servingObs, expectedShares(equalWeights, serving));
    const hot = hottestMember(servingObs, servingExp);
    scores[id].hottest = hot >= 0 ? (endpoints[hot] ?? null) : null;
  }
  return { shares, expected, scores };
}

function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(3);
}
