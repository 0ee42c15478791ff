// What the time charts (the cluster's score timeline, a member's charts) share: grid and axis
// colours per theme, and the time axis over [from, to] with wall-clock ticks.
import { useMemo } from 'react';
import type { XAxisProps } from 'recharts';
import type { Theme } from '@/lib/client/color';
import { timeTicks } from '@/lib/client/heatmap';
import { formatClock } from '@/lib/format';

export const GRID = { light: '#e2e8f0', dark: '#1e293b' } as const;
export const AXIS = { light: '#64748b', dark: '#94a3b8' } as const;

/** recharts XAxis props: time over [from, to], at most maxTicks clock ticks (with seconds below a minute's step). */
export function useTimeAxis(from: number, to: number, maxTicks: number, theme: Theme, fontSize: number): XAxisProps {
  return useMemo(() => {
    const { ticks, step } = timeTicks(from, to, maxTicks);
    return {
      dataKey: 't',
      type: 'number',
      scale: 'time',
      domain: [from, to],
      allowDataOverflow: true,
      ticks,
      tickFormatter: (t: number) => formatClock(t, step < 60_000),
      stroke: AXIS[theme],
      fontSize,
    };
  }, [from, to, maxTicks, theme, fontSize]);
}
