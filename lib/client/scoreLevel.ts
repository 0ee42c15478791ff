// How good a score is, in words: pure and tiny, so a page that shows a score does not load the
// colour scales (d3-scale-chromatic) with it.

export type ScoreLevel = 'none' | 'good' | 'warn' | 'bad';

/** Score thresholds for the colour of a score: below WARN it is "balanced", from BAD "skewed". */
export const SCORE_WARN = 0.2;
export const SCORE_BAD = 0.5;

export function scoreLevel(score: number | null | undefined): ScoreLevel {
  if (score === null || score === undefined || !Number.isFinite(score)) return 'none';
  if (score >= SCORE_BAD) return 'bad';
  if (score >= SCORE_WARN) return 'warn';
  return 'good';
}

export const SCORE_LEVEL_LABEL: Record<ScoreLevel, string> = {
  none: 'no score',
  good: 'balanced',
  warn: 'uneven',
  bad: 'skewed',
};
