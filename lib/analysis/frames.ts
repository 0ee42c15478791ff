// History columns (frames) from per-member values, live or from Prometheus. Pure.
import { emptyDimRecord } from '../dimensions';
import { DIMENSION_IDS, type DimensionId, type Frame } from '../types';
import { scoreDimensions } from './score';

/** Keeps 4 significant digits: frames are sent to browsers by the thousand. */
export function round4(x: number | null): number | null {
  if (x === null || !Number.isFinite(x)) return null;
  if (x === 0) return 0;
  return Number(x.toPrecision(4));
}

export interface FrameInput {
  t: number;
  origin: Frame['origin'];
  up: boolean[];
  leader: number;
  weights: number[];
  endpoints: string[];
  values: Record<DimensionId, (number | null)[]>;
  noiseFloors?: Partial<Record<DimensionId, number>>;
  /** Per member: drained at the balancer (expected share 0 on traffic dimensions). */
  drained?: boolean[];
}

/**
 * A history column. Values are kept to 4 significant digits before the shares and scores are
 * computed from them, so the values alone say the whole frame: the stream sends only them, and
 * the browser builds the rest with this same function (lib/stream/delta.ts).
 */
export function buildFrame(input: FrameInput): Frame {
  const r = (a: (number | null)[]) => a.map(round4);
  const values = emptyDimRecord((id) => r(input.values[id]));
  const { shares, expected, scores } = scoreDimensions(
    {
      up: input.up,
      leader: input.leader,
      weights: input.weights,
      values,
      noiseFloors: input.noiseFloors,
      drained: input.drained,
    },
    input.endpoints,
  );
  return {
    t: input.t,
    up: input.up.slice(),
    leader: input.leader,
    values,
    shares: emptyDimRecord((id) => r(shares[id])),
    expected: emptyDimRecord((id) => r(expected[id])),
    scores: emptyDimRecord((id) => round4(scores[id].score)),
    origin: input.origin,
  };
}

/** Per dimension (and for up/leader), per member: unix-seconds → value. */
export interface MemberMatrix {
  values: Record<DimensionId, Array<Map<number, number>>>;
  up: Array<Map<number, number>>;
  isLeader: Array<Map<number, number>>;
}

/** Frames at `timestamps` (unix seconds) from Prometheus range results. */
export function framesFromMatrix(
  timestamps: number[],
  m: MemberMatrix,
  weights: number[],
  endpoints: string[],
  noiseFloors?: Partial<Record<DimensionId, number>>,
): Frame[] {
  const n = endpoints.length;
  return timestamps.map((ts) => {
    const up = Array.from({ length: n }, (_, i) => (m.up[i]?.get(ts) ?? 0) > 0);
    const leader = Array.from({ length: n }, (_, i) => i).find((i) => up[i] && (m.isLeader[i]?.get(ts) ?? 0) > 0) ?? -1;
    const values = {} as Record<DimensionId, (number | null)[]>;
    for (const id of DIMENSION_IDS) {
      values[id] = Array.from({ length: n }, (_, i) => {
        const v = up[i] ? m.values[id][i]?.get(ts) : undefined;
        return v === undefined || !Number.isFinite(v) ? null : v;
      });
    }
    return buildFrame({ t: ts * 1000, origin: 'prometheus', up, leader, weights, endpoints, values, noiseFloors });
  });
}
