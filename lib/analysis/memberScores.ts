// Each member's dimension values, shares and expected shares, and the cluster's scores, from the
// members and their values over the score window. Pure. The engine and the browser's store both
// call this one function: a stream delta carries only the values, and the browser works out the
// rest exactly as the server did (lib/stream/delta.ts).
import { emptyDimRecord } from '../dimensions';
import type { DimensionId, DimensionScore, DimensionValue, MemberState } from '../types';
import { round4 } from './frames';
import { isLive, leaderIndex } from './live';
import { scoreDimensions } from './score';

type Values = Record<DimensionId, (number | null)[]>;

/** The weights the scores are measured against: the configured ones, or 1 each when not weighted. */
export function scoreWeights(members: ReadonlyArray<Pick<MemberState, 'weight'>>, weighted: boolean): number[] {
  return members.map((m) => (weighted ? m.weight : 1));
}

export function scoreMembers(
  members: ReadonlyArray<Pick<MemberState, 'status' | 'isLeader' | 'weight' | 'endpoint'>>,
  values: Values,
  weighted: boolean,
  /** Per member: drained at the balancer (lib/analysis/intent.ts drainedNow). */
  drained?: boolean[],
): {
  dims: Array<Record<DimensionId, DimensionValue>>;
  scores: Record<DimensionId, DimensionScore>;
  shares: ReturnType<typeof scoreDimensions>['shares'];
} {
  // Values are kept to 4 significant digits before anything is computed from them: what the
  // browser receives is then all it needs to compute the same shares and scores.
  const rounded = emptyDimRecord((id) => values[id].map(round4));
  const scored = scoreDimensions(
    {
      up: members.map(isLive),
      leader: leaderIndex(members),
      weights: scoreWeights(members, weighted),
      weighted,
      values: rounded,
      drained,
    },
    members.map((m) => m.endpoint),
  );
  const dims = members.map((_, i) =>
    emptyDimRecord<DimensionValue>((id) => ({
      value: rounded[id][i],
      share: round4(scored.shares[id][i]),
      expectedShare: round4(scored.expected[id][i]),
    })),
  );
  return { dims, scores: scored.scores, shares: scored.shares };
}

/** The members' dimension values, as `scoreMembers` takes them. */
export function memberDimValues(members: ReadonlyArray<Pick<MemberState, 'dims'>>): Values {
  return emptyDimRecord((id) => members.map((m) => m.dims[id].value));
}
