'use client';
import { useHydrated } from '@/lib/client/hooks';
import { setTheme, useTheme } from '@/lib/client/theme';

export function ThemeToggle() {
  const theme = useTheme();
  const hydrated = useHydrated();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      data-testid="theme-toggle"
      data-theme={hydrated ? theme : undefined}
      onClick={() => setTheme(next)}
      title={`Switch to the ${next} theme`}
      aria-label={`Switch to the ${next} theme`}
      className="inline-flex items-center gap-2 rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
    >
      <span aria-hidden className="text-base leading-none">
        {hydrated ? (theme === 'dark' ? '☾' : '☀') : '◐'}
      </span>
      <span>{hydrated ? (theme === 'dark' ? 'Dark' : 'Light') : 'Theme'}</span>
    </button>
  );
}
