import { DIMENSIONS } from '@/lib/dimensions';
import { SCORE_EXPLANATION, basisText, slowestVsMedian } from '@/lib/client/describe';
import { formatPercent, formatRatio, formatScore, formatValue } from '@/lib/format';
import { liveCount, currentLeader } from '@/lib/analysis/live';
import type { ClusterState, DimensionId } from '@/lib/types';
import { ClusterStatusBadge } from './Badges';
import { ConnectionIndicator, type LiveInfo } from './ConnectionIndicator';
import { ScoreNumber } from './ScoreNumber';
import { SourcesLine, type HistoryStatus } from './SourcesLine';
import { Clock } from './Time';
import { MUTED } from './styles';

export interface ClusterHeaderProps {
  state: ClusterState;
  dim: DimensionId;
  live: LiveInfo | null;
  /** How old the newest data is, ms (null before hydration). */
  ageMs: number | null;
  history?: HistoryStatus | null;
}

/** Name, status, connection, and the headline score of the selected dimension with its basis. */
export function ClusterHeader({ state, dim, live, ageMs, history }: ClusterHeaderProps) {
  const spec = DIMENSIONS[dim];
  const sc = state.scores[dim];
  const up = liveCount(state.members);
  const leader = currentLeader(state.members);
  const hottest = sc.hottest ? state.members.find((m) => m.endpoint === sc.hottest) : undefined;
  const slow = spec.kind === 'latency' ? slowestVsMedian(state.members, dim) : null;
  // Not live: what we show is the last known state, and says so.
  const lastKnown = live !== null && live.connection !== 'live';

  return (
    <header className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_auto] lg:items-start">
      <div className="min-w-0 space-y-2">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="truncate text-3xl font-bold tracking-tight 2xl:text-4xl" data-testid="cluster-name">
            {state.name}
          </h1>
          <span className={lastKnown ? 'opacity-60' : ''} title={lastKnown ? 'last known status' : undefined}>
            <ClusterStatusBadge status={state.status} size="lg" />
          </span>
          <ConnectionIndicator live={live} ageMs={ageMs} />
        </div>
        <p className="text-base 2xl:text-lg">
          <span
            className={up < state.members.length ? 'font-semibold text-red-700 dark:text-red-400' : 'font-semibold'}
            data-testid="members-up"
          >
            {up < state.members.length ? '✕ ' : ''}
            {up}/{state.members.length} members up
          </span>
          <span className={MUTED}> · leader </span>
          {leader ? (
            <span className="font-semibold text-violet-700 dark:text-violet-300">
              ♛ {leader.name}
              {leader.raftTerm && <span className={`font-normal ${MUTED}`}> (term {leader.raftTerm})</span>}
            </span>
          ) : (
            <span className="font-semibold text-red-700 dark:text-red-400">none</span>
          )}
          <span className={MUTED}>
            {' '}
            · updated <Clock t={state.updatedAt} /> · poll every {state.pollIntervalMs / 1000} s
          </span>
        </p>
        <SourcesLine sources={state.sources} history={history} />
      </div>

      <div
        className={`rounded-xl border border-slate-200 bg-white p-4 shadow-sm lg:min-w-[30rem] lg:max-w-[40rem] dark:border-slate-800 dark:bg-slate-900 ${lastKnown ? 'opacity-70' : ''}`}
        data-testid="score-panel"
        data-last-known={lastKnown ? 'true' : 'false'}
      >
        <div className={`text-xs font-semibold uppercase tracking-wide ${MUTED}`}>
          {spec.label} imbalance {spec.scored ? '(score vs expected)' : ''}
          {lastKnown && <span className="ml-2 normal-case text-amber-700 dark:text-amber-400">· last known</span>}
        </div>
        {spec.scored ? (
          <>
            <div className="mt-1 flex flex-wrap items-end gap-x-6 gap-y-2">
              <ScoreNumber score={sc.score} size="lg" testId="cluster-score" />
              <div className="pb-1 text-sm" data-testid="score-equal" data-score={sc.scoreEqual ?? ''}>
                <span className={MUTED}>vs equal shares </span>
                <span className="text-2xl font-bold tabular-nums">{formatScore(sc.scoreEqual)}</span>
              </div>
            </div>
            <p className="mt-2 text-sm font-semibold" data-testid="score-basis" data-basis={sc.basis}>
              {basisText(state.members, dim, sc.basis)}
            </p>
            {sc.score === null && sc.reason && <p className={`text-sm ${MUTED}`}>no score: {sc.reason}</p>}
            {hottest && sc.score !== null && (
              <p className="text-sm">
                <span className={MUTED}>busiest vs expected: </span>
                <b>{hottest.name}</b> {formatPercent(hottest.dims[dim].share)}
                <span className={MUTED}>
                  {' '}
                  of {spec.label.toLowerCase()}, expected {formatPercent(hottest.dims[dim].expectedShare)}
                </span>
              </p>
            )}
            <p className={`mt-1 text-xs ${MUTED}`} data-testid="score-explanation">
              {SCORE_EXPLANATION}
            </p>
          </>
        ) : (
          <>
            <div className="mt-1 flex items-end gap-4" data-testid="cluster-score" data-score="">
              <span className="text-6xl font-bold tabular-nums leading-none 2xl:text-7xl">
                {slow ? formatRatio(slow.ratio) : '—'}
              </span>
              <span className="pb-1 text-sm">
                {slow ? (
                  <>
                    slowest <b>{slow.name}</b>: {formatValue(slow.value, spec.unit)} vs median{' '}
                    {formatValue(slow.median, spec.unit)}
                  </>
                ) : (
                  'not enough members with data'
                )}
              </span>
            </div>
            <p className="mt-2 text-sm font-semibold" data-testid="score-basis" data-basis="median">
              {basisText(state.members, dim, sc.basis)}
            </p>
            <p className={`mt-1 text-xs ${MUTED}`} data-testid="score-explanation">
              Latency has no share: each member’s p99 is compared with the median of its peers (1× = like the others).
            </p>
          </>
        )}
      </div>
    </header>
  );
}
