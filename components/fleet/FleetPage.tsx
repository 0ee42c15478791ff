'use client';
// The fleet page: every cluster Fulcrum knows, worst first, as a clusters × members heatmap fed
// by ONE EventSource (the fleet stream). Filters, search, dimension and palette live in the URL.
import { useRouter } from 'next/navigation';
import { useCallback, useDeferredValue, useEffect, useMemo, useState } from 'react';
import { pagePath } from '@/lib/client/apiPath';
import { PALETTES } from '@/lib/client/palette';
import { fleetCounts, sortWorstFirst } from '@/lib/client/fleet/order';
import {
  SOURCE_FILTERS,
  type FleetParams,
  type StatusFilter,
  parseFleetParams,
  serializeFleetParams,
  statusMatches,
} from '@/lib/client/fleet/params';
import { formatSelectors, parseSelectors, searchMatcher, selectorMatcher } from '@/lib/client/fleet/selectors';
import { freshness } from '@/lib/client/fleet/store';
import { useFleetStream } from '@/lib/client/fleet/useFleetStream';
import { formatAge } from '@/lib/formatTime';
import { useNow } from '@/lib/client/hooks';
import { useTheme } from '@/lib/client/theme';
import { DIMENSION_LIST, isDimensionId } from '@/lib/dimensions';
import type { FleetCluster } from '@/lib/fleet/types';
import { ConnectionIndicator } from '../ConnectionIndicator';
import { MUTED } from '../classes';
import { lazyComponent } from '../lazyComponent';
import { Segmented } from '../Segmented';

// Drawn by the server with the page and hydrated once their code arrives, after the page's own:
// neither answers the first click (the grid is empty until the stream's first state, the legend
// never does), so their code (the canvas, the colour tables) is not part of the initial JS.
const FleetGrid = lazyComponent(() => import('./FleetGrid').then((m) => m.FleetGrid));
const HeatmapLegend = lazyComponent(() => import('../HeatmapLegend').then((m) => m.HeatmapLegend));

const STATUS_CHIPS: Array<{ id: StatusFilter; label: string; icon: string; tone: string }> = [
  { id: 'all', label: 'All', icon: '', tone: '' },
  { id: 'problems', label: 'Problems', icon: '▲', tone: 'text-amber-800 dark:text-amber-300' },
  { id: 'down', label: 'Down', icon: '✕', tone: 'text-red-800 dark:text-red-300' },
  { id: 'degraded', label: 'Degraded', icon: '▲', tone: 'text-amber-800 dark:text-amber-300' },
  { id: 'unknown', label: 'Unknown', icon: '?', tone: 'text-slate-700 dark:text-slate-300' },
  { id: 'ok', label: 'OK', icon: '✓', tone: 'text-emerald-800 dark:text-emerald-300' },
];
const CHIP =
  'inline-flex items-baseline gap-1.5 rounded-lg border px-3 py-1.5 text-sm font-semibold tabular-nums transition';
const CHIP_ON = 'border-slate-900 bg-slate-900 text-white dark:border-slate-100 dark:bg-slate-100 dark:text-slate-900';
const CHIP_OFF =
  'border-slate-300 bg-white hover:bg-slate-100 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800';
const INPUT =
  'rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900 placeholder:text-slate-400';

export function FleetPage({ initialParams }: { initialParams: FleetParams }) {
  const router = useRouter();
  const [params, setParams] = useState(initialParams);
  const [selText, setSelText] = useState(formatSelectors(initialParams.sel));
  const stream = useFleetStream();
  const now = useNow(1000);
  const theme = useTheme();
  const state = stream.state;

  // Back/forward: the URL is the truth.
  useEffect(() => {
    const onPop = () => {
      const p = parseFleetParams(new URLSearchParams(window.location.search));
      setParams(p);
      setSelText(formatSelectors(p.sel));
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const update = useCallback(
    (patch: Partial<FleetParams>) => {
      setParams((p) => {
        const next = { ...p, ...patch };
        const qs = serializeFleetParams(next, new URLSearchParams(window.location.search));
        router.replace(qs ? `/?${qs}` : '/', { scroll: false });
        return next;
      });
    },
    [router],
  );

  const all = state?.clusters ?? NO_CLUSTERS;
  const counts = useMemo(() => fleetCounts(all), [all]);
  const q = useDeferredValue(params.q);
  const shown = useMemo(() => {
    const sel = selectorMatcher(params.sel);
    const text = searchMatcher(q);
    const out: FleetCluster[] = all.filter(
      (c) =>
        sel(c) && text(c) && statusMatches(params.status, c) && (params.source === 'all' || c.source === params.source),
    );
    return sortWorstFirst(out);
  }, [all, params.sel, params.status, params.source, q]);
  const labelKeys = useMemo(() => {
    const keys = new Set<string>();
    for (const c of all) for (const k of Object.keys(c.labels)) if (keys.size < 20) keys.add(k);
    return [...keys].sort();
  }, [all]);

  const open = useCallback((name: string) => router.push(pagePath.cluster(name)), [router]);
  const fresh = freshness({
    now: now ?? 0,
    connected: stream.connected,
    hasState: state !== null,
    lastMessageAt: stream.lastDataAt,
    tickMs: state?.tickMs ?? 5000,
  });
  const ageMs = now !== null && stream.lastDataAt !== null ? now - stream.lastDataAt : null;
  const selInvalid = parseSelectors(selText).invalid;
  const problems = all.filter((c) => statusMatches('problems', c)).length;
  const chipCount: Record<StatusFilter, number> = {
    all: counts.total,
    problems,
    down: counts.status.down,
    degraded: counts.status.degraded,
    unknown: counts.status.unknown,
    ok: counts.status.ok,
  };

  return (
    <div data-testid="fleet-page" data-freshness={fresh}>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold 2xl:text-3xl">
          Fleet{' '}
          <span className={`text-lg font-normal ${MUTED}`} data-testid="fleet-total">
            {counts.total} cluster{counts.total === 1 ? '' : 's'}
            {counts.total > 0 && ` · ${counts.source.direct} direct · ${counts.source.prometheus} from Prometheus`}
          </span>
        </h1>
        <div className="flex items-center gap-3">
          <span className={`text-sm ${MUTED}`} data-testid="fleet-updated">
            {ageMs === null ? '' : `updated ${formatAge(ageMs)} ago`}
          </span>
          <ConnectionIndicator
            live={{
              connection: fresh,
              lastMessageAt: stream.lastDataAt,
              error: stream.error,
            }}
            ageMs={ageMs}
          />
          <a
            href="/wall"
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-semibold hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
            title="Full-screen wall view for a TV"
          >
            ▣ Wall
          </a>
        </div>
      </div>

      <div className="mb-3 flex flex-wrap items-center gap-2" data-testid="fleet-counts">
        {STATUS_CHIPS.map((s) => (
          <button
            key={s.id}
            type="button"
            data-testid={`fleet-count-${s.id}`}
            data-count={chipCount[s.id]}
            aria-pressed={params.status === s.id}
            onClick={() => update({ status: params.status === s.id && s.id !== 'all' ? 'all' : s.id })}
            className={`${CHIP} ${params.status === s.id ? CHIP_ON : CHIP_OFF}`}
          >
            {s.icon && (
              <span aria-hidden className={params.status === s.id ? '' : s.tone}>
                {s.icon}
              </span>
            )}
            <span className="text-lg leading-none">{chipCount[s.id]}</span>
            <span className="font-normal">{s.label}</span>
          </button>
        ))}
        {counts.worst.critical > 0 && (
          <span className="ml-2 text-sm font-semibold text-red-700 dark:text-red-400" data-testid="fleet-critical">
            ✕ {counts.worst.critical} with a critical finding
          </span>
        )}
        {counts.membersDown > 0 && (
          <span className={`ml-2 text-sm ${MUTED}`}>
            {counts.membersDown} member{counts.membersDown === 1 ? '' : 's'} down
          </span>
        )}
      </div>

      <div className="mb-3 flex flex-wrap items-center gap-x-5 gap-y-2">
        <label className="flex items-center gap-2 text-sm font-semibold">
          Search
          <input
            type="search"
            data-testid="fleet-search"
            value={params.q}
            maxLength={100}
            placeholder="name, label, finding…"
            onChange={(e) => update({ q: e.target.value.slice(0, 100) })}
            className={`${INPUT} w-56 font-normal`}
          />
        </label>
        <label className="flex items-center gap-2 text-sm font-semibold">
          Filter
          <input
            type="text"
            data-testid="fleet-selector"
            value={selText}
            placeholder={labelKeys.length ? `${labelKeys[0]}=…, name-*` : 'env=prod, name-*'}
            onChange={(e) => {
              setSelText(e.target.value);
              update({ sel: parseSelectors(e.target.value).selectors });
            }}
            aria-invalid={selInvalid.length > 0}
            className={`${INPUT} w-64 font-mono font-normal ${selInvalid.length ? 'border-red-500 dark:border-red-400' : ''}`}
            title="Comma-separated: cluster names (* matches anything), label=value, label!=value. Names: any of them; labels: all of them."
          />
        </label>
        <Segmented
          label="Source"
          id="source"
          testId="fleet-source"
          value={params.source}
          options={SOURCE_FILTERS}
          text={(s) => (s === 'all' ? 'all' : s)}
          onPick={(source) => update({ source })}
        />
        <label className="flex items-center gap-2 text-sm font-semibold">
          Cells
          <select
            data-testid="fleet-dim"
            value={params.dim}
            onChange={(e) => {
              if (isDimensionId(e.target.value)) update({ dim: e.target.value });
            }}
            className={`${INPUT} font-semibold`}
          >
            {DIMENSION_LIST.filter((d) => d.kind !== 'latency').map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
        <Segmented
          label="Palette"
          id="palette"
          testId="fleet-palette"
          value={params.palette}
          options={PALETTES}
          text={(p) => (p === 'cb' ? 'colour-blind safe' : 'default')}
          onPick={(palette) => update({ palette })}
        />
      </div>
      {selInvalid.length > 0 && (
        <p className="mb-2 text-sm text-red-700 dark:text-red-400" role="alert">
          Ignored: {selInvalid.join(', ')} (use a cluster name, name-*, label=value or label!=value)
        </p>
      )}
      {labelKeys.length > 0 && <p className={`mb-2 text-xs ${MUTED}`}>Labels in this fleet: {labelKeys.join(', ')}</p>}

      <p className={`mb-1 text-sm ${MUTED}`} data-testid="fleet-shown" data-count={shown.length}>
        {state === null
          ? stream.error
            ? `No fleet data yet: ${stream.error}; retrying.`
            : 'Connecting to the fleet stream…'
          : `Showing ${shown.length} of ${counts.total}, worst first (severity, then imbalance). Click a row or press Enter to open it.`}
      </p>

      {state !== null && shown.length === 0 ? (
        <p className={`py-10 text-center ${MUTED}`}>
          {counts.total === 0 ? 'No clusters yet: configure some, or Prometheus discovery.' : 'No cluster matches.'}
        </p>
      ) : (
        <FleetGrid
          clusters={shown}
          dim={params.dim}
          palette={params.palette}
          theme={theme}
          serverNow={now !== null ? now + stream.skewMs : null}
          tickMs={state?.tickMs ?? 5000}
          onOpen={open}
          seq={state?.seq ?? 0}
          receivedAt={stream.lastDataAt}
        />
      )}
      <div className="mt-3">
        <HeatmapLegend mode="relative" dim={params.dim} absMax={0} theme={theme} palette={params.palette} />
      </div>
    </div>
  );
}

const NO_CLUSTERS: FleetCluster[] = [];
