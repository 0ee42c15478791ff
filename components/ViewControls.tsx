'use client';
import { DIMENSION_LIST } from '@/lib/dimensions';
import { MODES, RANGES, type ViewParams } from '@/lib/client/viewParams';
import { isDimensionId } from '@/lib/dimensions';

const SEG =
  'px-3 py-1.5 text-sm font-semibold first:rounded-l-md last:rounded-r-md border border-slate-300 -ml-px first:ml-0 dark:border-slate-700';
const ON = 'bg-slate-900 text-white border-slate-900 dark:bg-slate-100 dark:text-slate-900 dark:border-slate-100 z-10';
const OFF = 'bg-white text-slate-700 hover:bg-slate-100 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800';

const RANGE_LABEL: Record<(typeof RANGES)[number], string> = {
  '5m': '5m',
  '15m': '15m',
  '1h': '1h',
  '6h': '6h',
  '24h': '24h',
};

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
      <Segmented
        label="Range"
        id="range"
        testId="range-select"
        value={view.range}
        options={RANGES}
        text={(r) => RANGE_LABEL[r]}
        onPick={(range) => onChange({ ...view, range })}
      />
      <Segmented
        label="Colour"
        id="mode"
        testId="mode-toggle"
        value={view.mode}
        options={MODES}
        text={(m) => (m === 'relative' ? 'vs expected' : 'absolute')}
        onPick={(mode) => onChange({ ...view, mode })}
      />
    </div>
  );
}

/** A labelled row of radio buttons (range, colour mode). */
export function Segmented<T extends string>(p: {
  label: string;
  id: string;
  testId: string;
  value: T;
  options: readonly T[];
  text: (v: T) => string;
  onPick: (v: T) => void;
}) {
  return (
    <div className="flex items-center gap-2">
      <span className="text-sm font-semibold" id={`${p.id}-label`}>
        {p.label}
      </span>
      <div
        role="radiogroup"
        aria-labelledby={`${p.id}-label`}
        data-testid={p.testId}
        data-value={p.value}
        className="inline-flex"
      >
        {p.options.map((o) => (
          <button
            key={o}
            type="button"
            role="radio"
            aria-checked={p.value === o}
            data-value={o}
            onClick={() => p.onPick(o)}
            className={`${SEG} ${p.value === o ? ON : OFF}`}
          >
            {p.text(o)}
          </button>
        ))}
      </div>
    </div>
  );
}
