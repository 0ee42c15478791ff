'use client';
import { DIMENSION_LIST } from '@/lib/dimensions';
import { MODES, RANGES, type ViewParams } from '@/lib/client/viewParams';
import { isDimensionId } from '@/lib/dimensions';
import { Segmented } from './Segmented';

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
