// Test helpers: frames built by hand (not a test file itself).
import { emptyDimRecord } from '../dimensions';
import type { DimensionId, Frame } from '../types';

export function frame(
  t: number,
  opts: {
    up?: boolean[];
    leader?: number;
    origin?: Frame['origin'];
    values?: Partial<Record<DimensionId, (number | null)[]>>;
    shares?: Partial<Record<DimensionId, (number | null)[]>>;
    expected?: Partial<Record<DimensionId, (number | null)[]>>;
    scores?: Partial<Record<DimensionId, number | null>>;
    n?: number;
  } = {},
): Frame {
  const n = opts.n ?? opts.up?.length ?? 3;
  const nulls = () => new Array<number | null>(n).fill(null);
  return {
    t,
    up: opts.up ?? new Array(n).fill(true),
    leader: opts.leader ?? 0,
    origin: opts.origin ?? 'poll',
    values: emptyDimRecord((id) => opts.values?.[id] ?? nulls()),
    shares: emptyDimRecord((id) => opts.shares?.[id] ?? nulls()),
    expected: emptyDimRecord((id) => opts.expected?.[id] ?? nulls()),
    scores: emptyDimRecord((id) => opts.scores?.[id] ?? null),
  };
}
