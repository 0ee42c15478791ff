'use client';
import { DIMENSION_LIST } from '@/lib/dimensions';
import { MODES, RANGES, type ViewParams } from '@/lib/client/viewParams';
import { isDimensionId } from '@/lib/dimensions';

const SEG = 'px-3 py-1.5 text-sm font-semibold first:rounded-l-md last:rounded-r-md border border-slate-300 -ml-px first:ml-0 dark:border-slate-700';
const ON = 'bg-slate-900 text-white border-slate-900 dark:bg-slate-100 dark:text-slate-900 dark:border-slate-100 z-10';
const OFF = 'bg-white text-slate-700 hover:bg-slate-100 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800';

const RANGE_LABEL: Record<(typeof RANGES)[number], string> = { '5m': '5m', '15m': '15m', '1h': '1h', '6h': '6h', '24h': '24h' };

/** Dimension, time range and heatmap mode: the view state the URL holds. */
export function ViewControls({ view, onChange }: { view: ViewParams; onChange: (v: ViewParams) => void }) {
  return (
    <div className="flex flex-wrap items-center gap-x-6 gap-y-3">
      <label className="flex items-center gap-2 text-sm font-semibold">
        Dimension
        <select
          data-testid="dimension-select"
          value={view.dim}
          onChange={(e) => {
            if (isDimensionId(e.target.value)) onChange({ ...view, dim: e.target.value });
          }}
          className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm font-semibold dark:border-slate-700 dark:bg-slate-900"
        >
          {DIMENSION_LIST.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label} ({d.unit})
            </option>
          ))}
        </select>
      </label>
      <div className="flex items-center gap-2">
        <span className="text-sm font-semibold" id="range-label">
          Range
        </span>
        <div role="radiogroup" aria-labelledby="range-label" data-testid="range-select" data-value={view.range} className="inline-flex">
          {RANGES.map((r) => (
            <button
              key={r}
              type="button"
              role="radio"
              aria-checked={view.range === r}
              data-value={r}
              onClick={() => onChange({ ...view, range: r })}
              className={`${SEG} ${view.range === r ? ON : OFF}`}
            >
              {RANGE_LABEL[r]}
            </button>
          ))}
        </div>
      </div>
      <div className="flex items-center gap-2">
        <span className="text-sm font-semibold" id="mode-label">
          Colour
        </span>
        <div role="radiogroup" aria-labelledby="mode-label" data-testid="mode-toggle" data-value={view.mode} className="inline-flex">
          {MODES.map((m) => (
            <button
              key={m}
              type="button"
              role="radio"
              aria-checked={view.mode === m}
              data-value={m}
              onClick={() => onChange({ ...view, mode: m })}
              className={`${SEG} ${view.mode === m ? ON : OFF}`}
            >
              {m === 'relative' ? 'vs expected' : 'absolute'}
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}
