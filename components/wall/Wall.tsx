'use client';
// The wall screen: a TV nobody touches. Its URL configures it; its layout comes from the
// viewport (no scrolling, no input); it rotates through the fleet and the clusters with
// problems, lets a new critical finding take the screen, never claims fresher data than it has,
// reconnects forever, reloads itself for a new build, and holds bounded memory for weeks. ONE
// EventSource: the fleet stream, from which it also keeps each cluster's recent history.
import { useEffect, useMemo, useRef, useState } from 'react';
import { PALETTE_WORDS, cssGradient, relativePalette } from '@/lib/client/color';
import { FleetHistory } from '@/lib/client/fleet/history';
import { maxMembers } from '@/lib/client/fleet/grid';
import { sortWorstFirst } from '@/lib/client/fleet/order';
import { formatDuration, type WallParams } from '@/lib/client/fleet/params';
import { initialRotation, planSlides, slideKey, stepRotation } from '@/lib/client/fleet/rotation';
import { formatSelectors, selectorMatcher } from '@/lib/client/fleet/selectors';
import { fleetStaleAfterMs, freshness } from '@/lib/client/fleet/store';
import { useFleetStream } from '@/lib/client/fleet/useFleetStream';
import { pageSlice, wallLayout } from '@/lib/client/fleet/wallLayout';
import { SeedCache } from '@/lib/client/fleet/seed';
import { useNow } from '@/lib/client/hooks';
import { DIMENSIONS } from '@/lib/dimensions';
import type { FleetCluster } from '@/lib/fleet/types';
import { formatAge, formatClock } from '@/lib/format';
import { lazyComponent } from '../lazyComponent';
import { WallBlank } from './WallBlank';
import { WallFleet, clusterTone } from './WallFleet';
import { TONE_ICON, toneColor } from './tones';

// The first screen is the fleet: a cluster slide (its heatmap, and the timeline's recharts) loads
// when first shown (blank meanwhile).
const WallCluster = lazyComponent(() => import('./WallCluster').then((m) => m.WallCluster));

/** History columns kept per cluster (20 min at a 5 s tick); fixed-size rings. */
export const HISTORY_COLUMNS = 240;

function useViewport(): { width: number; height: number } | null {
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  useEffect(() => {
    const measure = () =>
      setSize((s) =>
        s && s.width === window.innerWidth && s.height === window.innerHeight
          ? s
          : { width: window.innerWidth, height: window.innerHeight },
      );
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, []);
  return size;
}

/** The wall owns the page: its theme (not the viewer's stored choice), its root font size, no scrolling. */
function usePageStyle(theme: 'dark' | 'light', rootFontPx: number | null) {
  useEffect(() => {
    const html = document.documentElement;
    const had = html.classList.contains('dark');
    const prev = { scheme: html.style.colorScheme, overflow: html.style.overflow };
    html.classList.toggle('dark', theme === 'dark');
    html.style.colorScheme = theme;
    html.style.overflow = 'hidden';
    return () => {
      html.classList.toggle('dark', had);
      html.style.colorScheme = prev.scheme;
      html.style.overflow = prev.overflow;
    };
  }, [theme]);
  useEffect(() => {
    if (rootFontPx === null) return;
    const html = document.documentElement;
    const prev = html.style.fontSize;
    html.style.fontSize = `${rootFontPx}px`;
    return () => {
      html.style.fontSize = prev;
    };
  }, [rootFontPx]);
}

export function Wall({ params }: { params: WallParams }) {
  const historyRef = useRef<FleetHistory | null>(null);
  if (historyRef.current === null) {
    historyRef.current = new FleetHistory({ capacity: HISTORY_COLUMNS, dims: ['requests', params.dim] });
  }
  const history = historyRef.current;
  const stream = useFleetStream({ onState: (s) => history.record(s) });
  const now = useNow(1000);
  const size = useViewport();
  const state = stream.state;
  const tickMs = state?.tickMs ?? 5000;
  const serverNow = now !== null ? now + stream.skewMs : null;

  const matcher = useMemo(() => selectorMatcher(params.clusters), [params.clusters]);
  const all = state?.clusters ?? NONE;
  const shown = useMemo(() => sortWorstFirst(all.filter(matcher)), [all, matcher]);
  const counts = useMemo(() => {
    const by = { critical: 0, warning: 0, ok: 0, idle: 0 };
    for (const c of shown) by[clusterTone(c)]++;
    return by;
  }, [shown]);
  const cols = useMemo(() => maxMembers(shown), [shown]);

  const fresh = freshness({
    now: now ?? 0,
    connected: stream.connected,
    hasState: state !== null,
    lastMessageAt: stream.lastDataAt,
    tickMs,
  });
  const banner = fresh !== 'live';

  const [rot, setRot] = useState(() => initialRotation(0));
  const focusName = rot.slide.kind === 'cluster' ? rot.slide.name : null;
  const focus = focusName ? (shown.find((c) => c.name === focusName) ?? null) : null;

  const layout = useMemo(
    () =>
      size
        ? wallLayout({
            width: size.width,
            height: size.height,
            clusters: shown.length,
            maxMembers: cols,
            focusMembers: focus?.members.length ?? cols,
            banner,
          })
        : null,
    [size, shown.length, cols, focus?.members.length, banner],
  );
  const pages = layout?.fleet.pages ?? 1;
  const roundSize = useMemo(() => planSlides(shown, pages).length, [shown, pages]);

  useEffect(() => {
    if (now === null || serverNow === null || state === null) return;
    setRot((r) => stepRotation(r, { clusters: shown, fleetPages: pages, rotateMs: params.rotateMs, now, serverNow }));
  }, [now, serverNow, state, shown, pages, params.rotateMs]);

  usePageStyle(params.theme, layout?.rootFontPx ?? null);

  const slide = rot.slide.kind === 'cluster' && !focus ? { kind: 'fleet' as const, page: 0, pages } : rot.slide;
  const hold = focus ? (rot.holds.find((h) => h.cluster === focus.name) ?? null) : null;
  // Older frames fetched for polled clusters' slides: kept across slides (bounded), used by WallCluster.
  const seedsRef = useRef<SeedCache | null>(null);
  seedsRef.current ??= new SeedCache();
  const ageMs = now !== null && stream.lastDataAt !== null ? now - stream.lastDataAt : null;
  const retryIn = now !== null && stream.retryAt !== null ? Math.max(0, stream.retryAt - now) : null;
  const theme = params.theme;
  const palette = params.palette;

  if (!layout) return <WallBlank />;

  const l = layout;
  const nextIn = params.rotateMs > 0 && now !== null ? Math.max(0, params.rotateMs - (now - rot.shownAt)) : null;
  const title =
    slide.kind === 'fleet'
      ? `Fleet${slide.pages > 1 ? ` · page ${slide.page + 1}/${slide.pages}` : ''}`
      : hold
        ? 'New critical finding'
        : 'Needs attention';

  return (
    <div
      data-testid="wall"
      data-freshness={fresh}
      data-slide={slideKey(slide)}
      data-holds={rot.holds.map((h) => h.cluster).join(',')}
      data-seq={state?.seq ?? 0}
      data-deltas={stream.deltas}
      data-build={state?.build ?? ''}
      data-clusters={shown.length}
      className="fixed inset-0 z-50 overflow-hidden bg-slate-100 text-slate-900 dark:bg-slate-950 dark:text-slate-100"
    >
      {/* top bar: what, how many, when */}
      <div
        className="absolute inset-x-0 top-0 flex items-center justify-between border-b border-slate-300 bg-white dark:border-slate-800 dark:bg-slate-900"
        style={{ height: l.topHeight, paddingLeft: l.pad, paddingRight: l.pad }}
      >
        <div className="min-w-0 flex-1">
          <div className="truncate font-semibold text-slate-500 dark:text-slate-400" style={{ fontSize: l.smallPx }}>
            ⚖ Fulcrum · {params.clusters.length ? formatSelectors(params.clusters) : 'all clusters'}
          </div>
          <div
            className="truncate font-bold"
            style={{ fontSize: Math.round(l.headlinePx * 0.55) }}
            data-testid="wall-title"
          >
            {title}
          </div>
        </div>
        <div className="flex items-end gap-[1.5em]" style={{ fontSize: l.headlinePx }} data-testid="wall-counts">
          <Count
            n={counts.critical}
            label="critical / down"
            tone="critical"
            l={l}
            theme={theme}
            palette={palette}
            testId="wall-count-critical"
          />
          <Count
            n={counts.warning}
            label="warning / degraded"
            tone="warning"
            l={l}
            theme={theme}
            palette={palette}
            testId="wall-count-degraded"
          />
          <Count
            n={counts.ok + counts.idle}
            label="OK"
            tone="ok"
            l={l}
            theme={theme}
            palette={palette}
            testId="wall-count-ok"
          />
        </div>
        <div className="flex min-w-0 flex-1 flex-col items-end">
          <div className="font-bold tabular-nums leading-none" style={{ fontSize: l.clockPx }} data-testid="wall-clock">
            {now !== null ? formatClock(now, false) : ''}
            <span className="text-slate-400 dark:text-slate-500" style={{ fontSize: Math.round(l.clockPx * 0.45) }}>
              {now !== null ? `:${String(new Date(now).getSeconds()).padStart(2, '0')}` : ''}
            </span>
          </div>
          <div
            className={`font-semibold tabular-nums ${fresh === 'live' ? 'text-slate-500 dark:text-slate-400' : 'text-red-700 dark:text-red-400'}`}
            style={{ fontSize: l.smallPx }}
            data-testid="wall-updated"
          >
            {ageMs === null ? 'no data yet' : `updated ${formatAge(ageMs)} ago`}
          </div>
        </div>
      </div>

      {banner && (
        <div
          role="alert"
          data-testid="wall-banner"
          data-state={fresh}
          className={`absolute inset-x-0 flex items-center justify-center gap-[0.6em] font-bold ${
            fresh === 'stale' ? 'bg-amber-400 text-slate-950' : 'bg-red-700 text-white dark:bg-red-600'
          }`}
          style={{ top: l.topHeight, height: l.bannerHeight, fontSize: Math.round(l.bannerHeight * 0.42) }}
        >
          <span aria-hidden>▲</span>
          {fresh === 'stale' && (
            <span>
              STALE: no update for {formatAge(ageMs)} (expected every {formatAge(tickMs)})
            </span>
          )}
          {fresh === 'offline' && (
            <span>
              FULCRUM UNREACHABLE: data is {ageMs === null ? 'missing' : `${formatAge(ageMs)} old`}
              {retryIn !== null ? ` · retrying in ${formatAge(retryIn)}` : ''}
            </span>
          )}
          {fresh === 'connecting' && <span>CONNECTING TO FULCRUM…</span>}
        </div>
      )}

      {/* the slide */}
      <div
        className={`absolute ${banner ? 'opacity-60' : ''}`}
        style={{ top: l.mainTop, left: l.pad, width: l.mainWidth, height: l.mainHeight }}
        data-testid="wall-main"
      >
        {state === null ? null : shown.length === 0 ? (
          <div
            className="flex h-full items-center justify-center text-slate-500"
            style={{ fontSize: l.headlinePx * 0.6 }}
          >
            No cluster matches {params.clusters.length ? formatSelectors(params.clusters) : 'this wall'}.
          </div>
        ) : slide.kind === 'fleet' ? (
          <WallFleet
            clusters={pageSlice(shown, slide.page, l.fleet.perPage)}
            tiles={l.fleet}
            width={l.mainWidth}
            height={l.mainHeight}
            dim={params.dim}
            theme={theme}
            palette={palette}
            cols={cols}
          />
        ) : focus && serverNow !== null ? (
          <WallCluster
            cluster={focus}
            history={history}
            seeds={seedsRef.current}
            seq={state?.seq ?? 0}
            now={now}
            hold={hold}
            layout={l.cluster}
            width={l.mainWidth}
            tickMs={tickMs}
            serverNow={serverNow}
            dim={params.dim}
            theme={theme}
            palette={palette}
          />
        ) : null}
      </div>

      {/* bottom bar: where the rotation is, what the colours mean */}
      <div
        className="absolute inset-x-0 bottom-0 flex items-center justify-between gap-6 text-slate-500 dark:text-slate-400"
        style={{ height: l.bottomHeight, paddingLeft: l.pad, paddingRight: l.pad, fontSize: l.smallPx }}
      >
        <div className="truncate" data-testid="wall-rotation">
          {rotationText(rot.holds.length, rot.index, roundSize, params.rotateMs, nextIn)}
        </div>
        <div className="flex shrink-0 items-center gap-3">
          <span>{DIMENSIONS[params.dim].label.toLowerCase()} share vs expected:</span>
          <span>{PALETTE_WORDS[palette].below} below</span>
          <span
            className="inline-block rounded-sm"
            style={{
              width: l.smallPx * 8,
              height: Math.round(l.smallPx * 0.7),
              background: cssGradient(relativePalette(theme, palette)),
            }}
          />
          <span>{PALETTE_WORDS[palette].above} above</span>
          <span>· hatched = down · stale after {formatAge(fleetStaleAfterMs(tickMs))}</span>
        </div>
      </div>
    </div>
  );
}

function rotationText(holds: number, index: number, size: number, rotateMs: number, nextIn: number | null): string {
  const next = nextIn === null ? '' : ` · next in ${formatAge(nextIn)}`;
  if (holds > 0) return `${TONE_ICON.critical} ${holds} held by a new critical finding${holds > 1 ? next : ''}`;
  if (rotateMs === 0) return 'rotation off';
  if (size <= 1) return 'no cluster needs attention: nothing to rotate to';
  return `slide ${Math.min(index, size - 1) + 1}/${size}${next} · every ${formatDuration(rotateMs)}`;
}

function Count({
  n,
  label,
  tone,
  l,
  theme,
  palette,
  testId,
}: {
  n: number;
  label: string;
  tone: 'critical' | 'warning' | 'ok';
  l: ReturnType<typeof wallLayout>;
  theme: 'dark' | 'light';
  palette: WallParams['palette'];
  testId: string;
}) {
  const muted = n === 0 && tone !== 'ok';
  return (
    <div className="flex flex-col items-center leading-none" data-testid={testId} data-count={n}>
      <div className="font-bold tabular-nums" style={{ color: muted ? undefined : toneColor(tone, theme, palette) }}>
        <span className={muted ? 'text-slate-300 dark:text-slate-700' : ''}>
          <span aria-hidden style={{ fontSize: '0.6em' }}>
            {TONE_ICON[tone]}
          </span>{' '}
          {n}
        </span>
      </div>
      <div
        className="mt-1 font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400"
        style={{ fontSize: l.smallPx }}
      >
        {label}
      </div>
    </div>
  );
}

const NONE: FleetCluster[] = [];
