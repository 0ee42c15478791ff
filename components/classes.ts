// Class names shared by most components, apart from ./styles (which re-exports them) so that a
// page's first paint does not load every status and event style.
export const CARD = 'rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900';
export const MUTED = 'text-slate-500 dark:text-slate-400';
