// The stream's delta: what one poll changed, and nothing that follows from it. Pure; shared by
// the engine (makeDelta) and the browser's store (applyDelta). A property test runs random
// sequences of polls through both and checks that the browser's copy is the server's state.
//
// A delta carries
//   - `frame`: this poll's frame values (per dimension, per member). The frame's time is the
//     poll's, its up/leader follow from the members, its shares and scores from the values
//     (buildFrame, the function the engine used);
//   - `dims`: the members' values over the score window, when any changed. Their shares and the
//     cluster's scores follow from them (scoreMembers, the function the engine used);
//   - `patch`: everything else that changed (members' other fields, findings, checks, the
//     balancer, sources, status), as a JSON patch (patch.ts);
//   - `events`: the events of this poll.
import { buildFrame } from '../analysis/frames';
import { drainedNow } from '../analysis/intent';
import { isLive, leaderIndex } from '../analysis/live';
import { memberDimValues, scoreMembers, scoreWeights } from '../analysis/memberScores';
import { emptyDimRecord } from '../dimensions';
import { type ClusterDelta, type ClusterEvent, type ClusterState, DIMENSION_IDS, type MemberState } from '../types';
import { apply, diff, jsonEqual } from './patch';

/** Events a state keeps (oldest dropped first): the engine and the browser alike. */
export const MAX_EVENTS = 500;

/** What a patch covers: the state without what deltas carry otherwise or what follows from it. */
export type ClusterHead = Omit<
  ClusterState,
  'seq' | 'updatedAt' | 'frames' | 'events' | 'scores' | 'score' | 'members'
> & {
  members: Array<Omit<MemberState, 'dims'>>;
};

export function headOf(s: ClusterState): ClusterHead {
  const { seq: _seq, updatedAt: _u, frames: _f, events: _e, scores: _sc, score: _s, members, ...rest } = s;
  return { ...rest, members: members.map(({ dims: _d, ...m }) => m) };
}

const columns = (v: Record<string, (number | null)[]>) => DIMENSION_IDS.map((id) => v[id]);
const record = (cols: (number | null)[][]) => emptyDimRecord((id) => cols[DIMENSION_IDS.indexOf(id)]);

/** The delta from `prev` to `next`, the state after one poll (its newest frame is the poll's). */
export function makeDelta(prev: ClusterState, next: ClusterState, newEvents: readonly ClusterEvent[]): ClusterDelta {
  const frame = next.frames[next.frames.length - 1];
  if (!frame || next.updatedAt === null || frame.t !== next.updatedAt)
    throw new Error('makeDelta: the state has no frame of its poll');
  const d: ClusterDelta = { seq: next.seq, updatedAt: next.updatedAt, frame: columns(frame.values) };
  const patch = diff(headOf(prev), headOf(next));
  if (patch !== undefined) d.patch = patch;
  const dims = columns(memberDimValues(next.members));
  if (!jsonEqual(columns(memberDimValues(prev.members)), dims)) d.dims = dims;
  if (newEvents.length) d.events = newEvents.slice();
  return d;
}

export type ApplyResult = { kind: 'applied'; state: ClusterState } | { kind: 'ignored' } | { kind: 'resync' };

/**
 * Applies one delta. A delta older than the state is ignored; a gap (missed deltas) or a delta
 * that does not fit the state asks for a resync (the caller reconnects and gets the full state).
 * Frames older than the history window are dropped.
 */
export function applyDelta(state: ClusterState, d: ClusterDelta): ApplyResult {
  if (d.seq <= state.seq) return { kind: 'ignored' };
  if (d.seq !== state.seq + 1) return { kind: 'resync' };
  let head: ClusterHead;
  try {
    head = apply(headOf(state), d.patch);
  } catch {
    return { kind: 'resync' };
  }
  const n = head.members.length;
  const values = d.dims ? record(d.dims) : memberDimValues(state.members);
  if (n !== state.members.length || d.frame.length !== DIMENSION_IDS.length || d.frame.some((c) => c.length !== n))
    return { kind: 'resync' };
  const drained = drainedNow(head.members, head.balancer, state.balancer);
  const scored = scoreMembers(head.members, values, head.weighted, drained);
  const members: MemberState[] = head.members.map((m, i) => ({ ...m, dims: scored.dims[i] }));
  const frame = buildFrame({
    t: d.updatedAt,
    origin: 'poll',
    up: members.map(isLive),
    leader: leaderIndex(members),
    weights: scoreWeights(members, head.weighted),
    endpoints: members.map((m) => m.endpoint),
    values: record(d.frame),
    drained,
  });
  const cutoff = d.updatedAt - state.historyMs;
  const frames = state.frames.filter((f) => f.t >= cutoff);
  frames.push(frame);
  const events = d.events?.length ? [...state.events, ...d.events].slice(-MAX_EVENTS) : state.events;
  return {
    kind: 'applied',
    state: {
      ...head,
      seq: d.seq,
      updatedAt: d.updatedAt,
      members,
      scores: scored.scores,
      score: scored.scores.requests.score,
      frames,
      events,
    },
  };
}
