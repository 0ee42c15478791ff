import { DIMENSIONS } from '@/lib/dimensions';
import {
  PALETTE_WORDS,
  type Palette,
  type Theme,
  absolutePalette,
  cssGradient,
  relativePalette,
} from '@/lib/client/color';
import { formatValue } from '@/lib/format';
import type { HeatmapMode } from '@/lib/client/viewParams';
import type { DimensionId } from '@/lib/types';

const RATIO_TICKS: Array<[number, string]> = [
  [0, '≤¼×'],
  [0.25, '½×'],
  [0.5, '1×'],
  [0.75, '2×'],
  [1, '≥4×'],
];

/** The colour scale and what it means, plus the non-colour marks (down, leader, gaps). */
export function HeatmapLegend({
  mode,
  dim,
  absMax,
  absClipped = false,
  theme,
  palette = 'default',
}: {
  mode: HeatmapMode;
  dim: DimensionId;
  absMax: number;
  absClipped?: boolean;
  theme: Theme;
  palette?: Palette;
}) {
  const spec = DIMENSIONS[dim];
  const words = PALETTE_WORDS[palette];
  const latency = spec.kind === 'latency';
  return (
    <div
      data-testid="heatmap-legend"
      className="mt-2 flex flex-wrap items-center gap-x-6 gap-y-2 text-xs text-slate-600 dark:text-slate-300"
    >
      <div className="flex items-center gap-6">
        <div className="mx-4 w-56 shrink-0">
          <div
            className="h-3 rounded-sm ring-1 ring-slate-300 dark:ring-slate-700"
            style={{
              background: cssGradient(mode === 'relative' ? relativePalette(theme, palette) : absolutePalette()),
            }}
          />
          <div className="relative mt-0.5 h-4 tabular-nums">
            {mode === 'relative' ? (
              RATIO_TICKS.map(([p, label]) => (
                <span key={label} className="absolute -translate-x-1/2" style={{ left: `${p * 100}%` }}>
                  {label}
                </span>
              ))
            ) : (
              <>
                <span className="absolute left-0">0</span>
                <span className="absolute right-0">
                  {absMax > 0 ? `${absClipped ? '≥' : ''}${formatValue(absMax, spec.unit)}` : '—'}
                </span>
              </>
            )}
          </div>
        </div>
        <p className="max-w-md">
          {mode === 'relative' ? (
            latency ? (
              <>
                <b>p99 ÷ peers’ median</b> (log scale): <b>{words.above}</b> = slower than its peers,{' '}
                <b>{words.below}</b> = faster, neutral = like the others.
              </>
            ) : (
              <>
                <b>share ÷ expected share</b> (log scale): <b>{words.above}</b> = carries more than expected,{' '}
                <b>{words.below}</b> = less, neutral = as expected.
              </>
            )
          ) : (
            <>
              <b>{spec.label}</b> in {spec.unit}, 0 to the highest value in view
              {absClipped ? ' (a few spikes above the 99th percentile share the top colour)' : ''}.
            </>
          )}
        </p>
      </div>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
        <span className="inline-flex items-center gap-1.5">
          <span className="hatched inline-block h-3 w-5 rounded-sm ring-1 ring-slate-300 dark:ring-slate-700" /> down
        </span>
        <span className="inline-flex items-center gap-1.5">
          <span className="inline-block h-3 w-5 rounded-sm bg-slate-400/25 ring-1 ring-slate-300 dark:bg-slate-500/25 dark:ring-slate-700" />{' '}
          no data
          {spec.leaderHeavy ? ' / leader (not scored)' : ''}
        </span>
        <span className="inline-flex items-center gap-1.5">
          <span className="inline-flex h-3 w-5 items-end rounded-sm ring-1 ring-slate-300 dark:ring-slate-700">
            <span className="h-[3px] w-full bg-slate-900 dark:bg-slate-50" />
          </span>
          ♛ leader
        </span>
        <span className="inline-flex items-center gap-1.5">
          <span className="inline-block h-3 w-0 border-l-2 border-dashed border-violet-600 dark:border-violet-400" />{' '}
          leader change
        </span>
        <span>blank = no data received</span>
      </div>
    </div>
  );
}
