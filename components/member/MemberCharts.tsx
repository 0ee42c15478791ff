'use client';
// Small multiples: each load dimension of this member over the window (bold), the cluster's
// other members faint behind it. recharts: a few hundred points per chart at most.
import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TooltipContentProps } from 'recharts';
import { formatClock, formatValue } from '@/lib/format';
import { useTheme } from '@/lib/client/theme';
import { DIMENSION_LIST } from '@/lib/dimensions';
import type { DimensionSpec, Frame, MemberState } from '@/lib/types';
import { axisTick, memberSeries, type MemberPoint } from './model';
import { AXIS, GRID, useTimeAxis } from '../chartAxes';

const SELF = { light: '#c2410c', dark: '#fb923c' } as const;
const OTHER = { light: '#64748b', dark: '#94a3b8' } as const;

export interface MemberChartsProps {
  frames: readonly Frame[];
  members: ReadonlyArray<Pick<MemberState, 'endpoint' | 'name'>>;
  index: number;
  from: number;
  to: number;
  pollIntervalMs: number;
  /** A span to shade (e.g. the clicked moment ± a poll). */
  mark?: { from: number; to: number } | null;
}

function ChartTooltip({
  active,
  payload,
  spec,
  members,
  index,
}: TooltipContentProps & { spec: DimensionSpec; members: MemberChartsProps['members']; index: number }) {
  if (!active || !payload?.length) return null;
  const p = payload[0].payload as MemberPoint;
  return (
    <div className="rounded-lg border border-slate-200 bg-white/95 p-2 text-xs shadow-lg dark:border-slate-700 dark:bg-slate-800/95">
      <div className="font-semibold tabular-nums">{formatClock(p.t)}</div>
      <div className="font-bold text-orange-700 dark:text-orange-300">
        {members[index]?.name}: {formatValue(p.self, spec.unit)}
      </div>
      {members.map((m, k) =>
        k === index ? null : (
          <div key={m.endpoint} className="text-slate-600 dark:text-slate-300">
            {m.name}: {formatValue(p[`m${k}`] ?? null, spec.unit)}
          </div>
        ),
      )}
    </div>
  );
}

function Chart({ spec, props }: { spec: DimensionSpec; props: MemberChartsProps }) {
  const theme = useTheme();
  const { frames, members, index, from, to, pollIntervalMs, mark } = props;
  const data = useMemo(
    () => memberSeries(frames, index, spec.id, from, to, pollIntervalMs, 240),
    [frames, index, spec.id, from, to, pollIntervalMs],
  );
  const timeAxis = useTimeAxis(from, to, 4, theme, 10);
  const hasSelf = data.some((p) => p.self !== null);
  return (
    <figure
      data-testid="member-chart"
      data-dim={spec.id}
      data-points={data.length}
      className="min-w-0 rounded-lg border border-slate-200 p-2 dark:border-slate-800"
    >
      <figcaption className="flex items-baseline justify-between gap-2 px-1 text-sm">
        <span className="font-semibold">{spec.label}</span>
        <span className="text-xs text-slate-500 dark:text-slate-400">{spec.unit}</span>
      </figcaption>
      <div className="relative h-32 w-full">
        <ResponsiveContainer width="100%" height="100%" minWidth={0} initialDimension={{ width: 320, height: 128 }}>
          <LineChart data={data} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={GRID[theme]} vertical={false} />
            <XAxis {...timeAxis} />
            <YAxis
              width={56}
              stroke={AXIS[theme]}
              fontSize={10}
              tickFormatter={(v: number) => axisTick(v, spec.unit)}
              allowDecimals={spec.unit !== 'streams'}
            />
            {mark && (
              <ReferenceArea
                x1={mark.from}
                x2={mark.to}
                fill={SELF[theme]}
                fillOpacity={0.12}
                stroke="none"
                ifOverflow="hidden"
              />
            )}
            {members.map((m, k) =>
              k === index ? null : (
                <Line
                  key={m.endpoint}
                  type="linear"
                  dataKey={`m${k}`}
                  stroke={OTHER[theme]}
                  strokeOpacity={0.45}
                  strokeWidth={1}
                  dot={false}
                  isAnimationActive={false}
                  connectNulls={false}
                />
              ),
            )}
            <Line
              type="linear"
              dataKey="self"
              stroke={SELF[theme]}
              strokeWidth={2.25}
              dot={false}
              isAnimationActive={false}
              connectNulls={false}
            />
            <Tooltip
              isAnimationActive={false}
              content={(p: TooltipContentProps) => <ChartTooltip {...p} spec={spec} members={members} index={index} />}
            />
          </LineChart>
        </ResponsiveContainer>
        {!hasSelf && (
          <p className="pointer-events-none absolute inset-0 flex items-center justify-center text-xs text-slate-500 dark:text-slate-400">
            no data for this member
          </p>
        )}
      </div>
    </figure>
  );
}

export function MemberCharts(props: MemberChartsProps) {
  const theme = useTheme();
  return (
    <div data-testid="member-charts">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-5">
        {DIMENSION_LIST.map((spec) => (
          <Chart key={spec.id} spec={spec} props={props} />
        ))}
      </div>
      <p className="mt-2 flex flex-wrap gap-x-4 text-xs text-slate-600 dark:text-slate-300">
        <span className="inline-flex items-center gap-1.5">
          <span className="inline-block h-0.5 w-5" style={{ background: SELF[theme] }} />{' '}
          {props.members[props.index]?.name}
        </span>
        <span className="inline-flex items-center gap-1.5">
          <span className="inline-block h-0.5 w-5 opacity-50" style={{ background: OTHER[theme] }} /> the other members
        </span>
        {props.mark && <span>shaded: the moment you clicked</span>}
      </p>
    </div>
  );
}
