'use client';
// What a page shows after its first render, loaded on demand so that it is not part of the
// page's initial JS (scripts/js-budget.ts): the charts (recharts) once there is data to draw,
// the log panel, the share dialog when it is opened. Each keeps its place while it loads.
import dynamic from 'next/dynamic';
import { MUTED } from './styles';

function Loading({ height, testId }: { height: number; testId: string }) {
  return (
    <div style={{ minHeight: height }} className={`grid place-items-center text-sm ${MUTED}`} data-testid={testId}>
      loading…
    </div>
  );
}

/** The score timeline (180 px chart + its legend). */
export const Timeline = dynamic(() => import('./Timeline').then((m) => m.Timeline), {
  ssr: false,
  loading: () => <Loading height={212} testId="timeline-loading" />,
});

/** A member's charts over the window. */
export const MemberCharts = dynamic(() => import('./member/MemberCharts').then((m) => m.MemberCharts), {
  ssr: false,
  loading: () => <Loading height={480} testId="member-charts-loading" />,
});

/** A member's log lines. */
export const LogPanel = dynamic(() => import('./member/LogPanel').then((m) => m.LogPanel), {
  ssr: false,
  loading: () => <Loading height={240} testId="log-panel-loading" />,
});

/** The share dialog: loaded on the first click on "Snapshot". */
export const ShareDialog = dynamic(() => import('./snapshot/ShareDialog').then((m) => m.ShareDialog), {
  ssr: false,
});
