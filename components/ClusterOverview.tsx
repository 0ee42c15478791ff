'use client';
import { useEffect, useState } from 'react';
import { formatAge } from '@/lib/format';
import { api } from '@/lib/client/api';
import { useNow } from '@/lib/client/hooks';
import type { ClusterSummary } from '@/lib/types';
import { ClusterCard } from './ClusterCard';
import { MUTED } from './styles';

const REFRESH_MS = 3000;

/**
 * Every configured cluster, refreshed by polling /api/clusters (one small request for all of
 * them: no stream per cluster).
 */
export function ClusterOverview({ initial }: { initial: ClusterSummary[] }) {
  const [clusters, setClusters] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [fetchedAt, setFetchedAt] = useState<number | null>(null);
  const now = useNow(1000);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let ctrl: AbortController | null = null;
    const poll = async () => {
      if (document.visibilityState === 'visible') {
        ctrl = new AbortController();
        const r = await api.clusters({ signal: ctrl.signal, timeoutMs: REFRESH_MS * 2 });
        if (!stopped) {
          if (r.ok) {
            setClusters(r.data.clusters);
            setError(null);
            setFetchedAt(Date.now());
          } else if (r.error.kind !== 'aborted') {
            setError(r.error.kind === 'timeout' ? 'timed out' : r.error.message);
          }
        }
      }
      if (!stopped) timer = setTimeout(poll, REFRESH_MS);
    };
    timer = setTimeout(poll, REFRESH_MS);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      ctrl?.abort();
    };
  }, []);

  const down = clusters.filter((c) => c.status !== 'ok').length;
  return (
    <div>
      <div className="mb-4 flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-bold 2xl:text-3xl">
          Clusters <span className={`text-lg font-normal ${MUTED}`}>({clusters.length})</span>
        </h1>
        <p className={`text-sm ${MUTED}`} data-testid="overview-refresh" data-error={error ? 'true' : 'false'}>
          {error ? (
            <span className="font-semibold text-amber-700 dark:text-amber-400">
              ▲ Couldn’t refresh ({error}); showing data from{' '}
              {fetchedAt && now ? `${formatAge(now - fetchedAt)} ago` : 'page load'}
            </span>
          ) : (
            <>
              {down > 0 ? `${down} not OK · ` : ''}score = request imbalance against expected shares (0 = as expected, 1
              = one member carries it all) · refreshes every {REFRESH_MS / 1000} s
            </>
          )}
        </p>
      </div>
      {clusters.length === 0 ? (
        <p className={MUTED}>No clusters configured.</p>
      ) : (
        <div className="grid grid-cols-[repeat(auto-fill,minmax(20rem,1fr))] gap-4 2xl:grid-cols-[repeat(auto-fill,minmax(24rem,1fr))]">
          {clusters.map((c) => (
            <ClusterCard key={c.name} summary={c} now={now} />
          ))}
        </div>
      )}
    </div>
  );
}
