import type { ClusterState, SourceStatus } from '@/lib/types';

export interface HistoryStatus {
  loading: boolean;
  source: 'memory' | 'prometheus' | null;
  error: string | null;
  frames: number;
}

function Source({ name, s, testId }: { name: string; s: SourceStatus | null; testId: string }) {
  if (!s) {
    return (
      <span data-testid={testId} data-ok="none" className="text-slate-500 dark:text-slate-400">
        {name}: not configured
      </span>
    );
  }
  return (
    <span
      data-testid={testId}
      data-ok={s.ok ? 'true' : 'false'}
      className={s.ok ? 'text-emerald-700 dark:text-emerald-400' : 'font-semibold text-red-700 dark:text-red-400'}
    >
      <span aria-hidden>{s.ok ? '✓' : '✕'}</span> {name}: {s.ok ? 'ok' : (s.error ?? 'failing')}
      {s.ok && s.latencyMs !== null && <span className="text-slate-500 dark:text-slate-400"> ({s.latencyMs} ms)</span>}
    </span>
  );
}

/** Where the numbers come from, and which source is failing: a dead source degrades, never breaks. */
export function SourcesLine({
  sources,
  history,
}: {
  sources: ClusterState['sources'];
  history?: HistoryStatus | null;
}) {
  return (
    <p data-testid="sources-line" className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
      <span className="text-slate-500 dark:text-slate-400">Sources:</span>
      <Source name="etcd" s={sources.etcd} testId="source-etcd" />
      <Source name="Prometheus" s={sources.prometheus} testId="source-prometheus" />
      {sources.balancer && <Source name="balancer" s={sources.balancer} testId="source-balancer" />}
      {sources.logs && <Source name="logs" s={sources.logs} testId="source-logs" />}
      {/* Fulcrum itself: shown when it is overloaded or a poll crashed inside it. */}
      {sources.engine && !sources.engine.ok && <Source name="Fulcrum" s={sources.engine} testId="source-engine" />}
      {history && (
        <span
          data-testid="source-history"
          className={history.error ? 'text-amber-700 dark:text-amber-400' : 'text-slate-500 dark:text-slate-400'}
        >
          {history.loading
            ? 'history: loading…'
            : history.error
              ? `▲ older history unavailable: ${history.error}`
              : history.frames === 0
                ? `history: nothing older ${history.source === 'prometheus' ? 'in Prometheus' : 'in memory'}`
                : `history: ${history.frames} older columns from ${history.source === 'prometheus' ? 'Prometheus' : 'memory'}`}
        </span>
      )}
    </p>
  );
}
