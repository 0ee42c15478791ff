import { SCORE_LEVEL_LABEL, scoreLevel } from '@/lib/client/scoreLevel';
import { formatScore } from '@/lib/format';
import { SCORE_ICON, SCORE_TEXT } from './styles';

const SIZES = {
  sm: 'text-xl',
  md: 'text-4xl 2xl:text-5xl',
  lg: 'text-6xl 2xl:text-7xl',
} as const;

/** A score in [0,1] as a big coloured number with its level in words (not colour alone). */
export function ScoreNumber({
  score,
  size = 'md',
  testId,
  showLevel = true,
}: {
  score: number | null;
  size?: keyof typeof SIZES;
  testId?: string;
  showLevel?: boolean;
}) {
  const level = scoreLevel(score);
  return (
    <span className="inline-flex items-baseline gap-2" data-testid={testId} data-score={score ?? ''} data-level={level}>
      <span className={`font-bold tabular-nums leading-none ${SIZES[size]} ${SCORE_TEXT[level]}`}>
        {formatScore(score)}
      </span>
      {showLevel && (
        <span className={`text-sm font-semibold uppercase tracking-wide ${SCORE_TEXT[level]}`}>
          <span aria-hidden>{SCORE_ICON[level]} </span>
          {SCORE_LEVEL_LABEL[level]}
        </span>
      )}
    </span>
  );
}
