'use client';
const SEG =
  'px-3 py-1.5 text-sm font-semibold first:rounded-l-md last:rounded-r-md border border-slate-300 -ml-px first:ml-0 dark:border-slate-700';
const ON = 'bg-slate-900 text-white border-slate-900 dark:bg-slate-100 dark:text-slate-900 dark:border-slate-100 z-10';
const OFF = 'bg-white text-slate-700 hover:bg-slate-100 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800';

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
