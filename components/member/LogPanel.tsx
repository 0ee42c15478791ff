'use client';
// A member's log lines and the balancer's lines about it: newest first, paged, searchable,
// level filter, signal lines highlighted and counted per minute, a clear message per source
// that can't be read. Log text is untrusted: it is only ever rendered as React text (never
// HTML), with control characters made visible.
import { useEffect, useMemo, useState } from 'react';
import { formatBytes } from '@/lib/format';
import { useHydrated } from '@/lib/client/hooks';
import {
  LOG_LEVELS,
  SIGNAL_BY_ID,
  levelRank,
  type LogLevel,
  type LogLine,
  type LogSourceChoice,
  type LogSourceError,
  type SignalCount,
} from '@/lib/logs/types';
import { MUTED } from '../styles';
import { lineSummary, signalGrid, splitHighlight, visibleText } from './model';

export interface LogQueryState {
  q: string;
  level: LogLevel | '';
  source: LogSourceChoice;
  /** Only lines with a known signal (default false). */
  signals?: boolean;
}

export interface LogPanelData {
  lines: LogLine[];
  errors: LogSourceError[];
  notes?: LogSourceError[];
  signalCounts: SignalCount[];
  scannedBytes?: number;
  truncated?: boolean;
  /** More (older) lines can be loaded. */
  hasMore: boolean;
}

export interface LogPanelProps {
  data: LogPanelData | null;
  from: number;
  to: number;
  query: LogQueryState;
  /** Live: the query runs on the server. Absent (a frozen snapshot): filters apply to `data.lines` here. */
  onQueryChange?: (q: LogQueryState) => void;
  onMore?: () => void;
  loading?: boolean;
  /** The request itself failed (network, HTTP error). */
  error?: string | null;
}

const LEVEL_TONE: Record<LogLevel, string> = {
  debug: 'text-slate-500 dark:text-slate-400',
  info: 'text-sky-700 dark:text-sky-300',
  warn: 'text-amber-700 dark:text-amber-300',
  error: 'text-red-700 dark:text-red-400',
  fatal: 'text-red-800 dark:text-red-300 font-bold',
};

const SEG =
  'px-2.5 py-1 text-sm font-semibold first:rounded-l-md last:rounded-r-md border border-slate-300 -ml-px first:ml-0 dark:border-slate-700';
const ON = 'bg-slate-900 text-white border-slate-900 dark:bg-slate-100 dark:text-slate-900 dark:border-slate-100 z-10';
const OFF = 'bg-white text-slate-700 hover:bg-slate-100 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800';

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** HH:MM:SS.mmm local time (after hydration: the server doesn't know the viewer's zone). */
function LineTime({ t }: { t: number | null }) {
  const hydrated = useHydrated();
  if (t === null) return <span className={MUTED}>—</span>;
  if (!hydrated) return <span>&nbsp;</span>;
  const d = new Date(t);
  return (
    <time dateTime={d.toISOString()} title={d.toLocaleString()}>
      {pad(d.getHours())}:{pad(d.getMinutes())}:{pad(d.getSeconds())}.{pad(d.getMilliseconds(), 3)}
    </time>
  );
}

function Highlighted({ text, q }: { text: string; q: string }) {
  const parts = splitHighlight(visibleText(text), q ? visibleText(q) : '');
  return (
    <>
      {parts.map((p, i) =>
        p.hit ? (
          <mark key={i} className="rounded-sm bg-yellow-200 px-0.5 text-inherit dark:bg-yellow-500/40">
            {p.text}
          </mark>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}

function SignalBadge({ id }: { id: string }) {
  const s = SIGNAL_BY_ID[id];
  return (
    <span
      title={s?.hint}
      data-testid="signal-badge"
      data-signal={id}
      className="inline-flex items-center gap-1 whitespace-nowrap rounded-md bg-amber-100 px-1.5 py-0.5 text-xs font-semibold text-amber-900 ring-1 ring-inset ring-amber-600/30 dark:bg-amber-500/15 dark:text-amber-200 dark:ring-amber-400/30"
    >
      <span aria-hidden>⚑</span>
      {s?.label ?? id}
    </span>
  );
}

function LogRow({ line, q }: { line: LogLine; q: string }) {
  const [open, setOpen] = useState(false);
  const hasSignal = line.signals.length > 0;
  const fields = Object.entries(line.fields);
  return (
    <li
      data-testid="log-line"
      data-t={line.t ?? ''}
      data-source={line.source}
      data-level={line.level ?? ''}
      data-signals={line.signals.join(' ')}
      data-format={line.format}
      className={`border-b border-l-4 border-slate-100 px-2 py-1 last:border-b-0 dark:border-b-slate-800 ${
        hasSignal ? 'border-l-amber-500 bg-amber-50 dark:bg-amber-500/10' : 'border-l-transparent'
      }`}
    >
      <button
        type="button"
        onClick={() => setOpen((o) => !o)}
        className="flex w-full items-start gap-2 text-left"
        aria-expanded={open}
      >
        <span className="w-28 shrink-0 font-mono text-xs leading-5 tabular-nums text-slate-500 dark:text-slate-400">
          <LineTime t={line.t} />
        </span>
        <span
          className={`w-8 shrink-0 text-center text-[11px] font-bold uppercase leading-5 ${line.source === 'balancer' ? 'text-violet-700 dark:text-violet-300' : 'text-slate-600 dark:text-slate-300'}`}
          title={line.source === 'balancer' ? "the balancer's log" : "the member's own log"}
        >
          {line.source === 'balancer' ? 'LB' : 'etcd'}
        </span>
        <span
          className={`w-10 shrink-0 text-xs font-semibold uppercase leading-5 ${line.level ? LEVEL_TONE[line.level] : MUTED}`}
        >
          {line.level ?? '—'}
        </span>
        <span
          className="min-w-0 flex-1 whitespace-pre-wrap break-words font-mono text-xs leading-5"
          data-testid="log-msg"
        >
          <Highlighted text={lineSummary(line)} q={q} />
        </span>
        {hasSignal && (
          <span className="flex shrink-0 flex-wrap justify-end gap-1">
            {line.signals.map((s) => (
              <SignalBadge key={s} id={s} />
            ))}
          </span>
        )}
      </button>
      {open && (
        <div className="mt-1 space-y-1 pl-[12.5rem] text-xs" data-testid="log-line-detail">
          {fields.length > 0 && (
            <dl className="grid grid-cols-[minmax(6rem,auto)_1fr] gap-x-3 gap-y-0.5 font-mono">
              {fields.map(([k, v]) => (
                <div key={k} className="contents">
                  <dt className="text-slate-500 dark:text-slate-400">{visibleText(k)}</dt>
                  <dd className="min-w-0 whitespace-pre-wrap break-all">{visibleText(v)}</dd>
                </div>
              ))}
            </dl>
          )}
          <pre className="overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-[11px] dark:bg-slate-950">
            {visibleText(line.raw)}
          </pre>
        </div>
      )}
    </li>
  );
}

function SignalSummary({ counts, from, to }: { counts: SignalCount[]; from: number; to: number }) {
  const hydrated = useHydrated();
  const grid = useMemo(() => signalGrid(counts, from, to, 24), [counts, from, to]);
  if (grid.rows.length === 0) {
    return (
      <p className={`text-sm ${MUTED}`} data-testid="signal-counts" data-count={0}>
        No known signal in this window (slow requests, slow fdatasync, late heartbeats, peer losses, elections, balancer
        errors).
      </p>
    );
  }
  const max = Math.max(...grid.rows.flatMap((r) => r.cells));
  const label = (t: number) => {
    if (!hydrated) return '';
    const d = new Date(t);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };
  return (
    <div
      data-testid="signal-counts"
      data-count={grid.rows.reduce((a, r) => a + r.total, 0)}
      className="overflow-x-auto"
    >
      <table className="text-xs tabular-nums">
        <caption className="mb-1 text-left text-sm font-semibold">
          Signal lines per {grid.stepMs === 60_000 ? 'minute' : `${grid.stepMs / 60_000} minutes`}
        </caption>
        <thead>
          <tr>
            <th className="pr-3 text-left font-semibold">signal</th>
            <th className="pr-3 text-right font-semibold">total</th>
            {grid.columns.map((c) => (
              <th key={c} className="px-1 text-center font-normal text-slate-500 dark:text-slate-400">
                {label(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.rows.map((r) => (
            <tr key={r.signal} data-testid="signal-row" data-signal={r.signal} data-total={r.total}>
              <th className="whitespace-nowrap pr-3 text-left font-semibold" title={SIGNAL_BY_ID[r.signal]?.hint}>
                {SIGNAL_BY_ID[r.signal]?.label ?? r.signal}
              </th>
              <td className="pr-3 text-right font-bold">{r.total}</td>
              {r.cells.map((n, i) => (
                <td key={i} className="px-0.5 py-0.5">
                  <span
                    className={`block min-w-7 rounded px-1 text-center ${n === 0 ? 'text-slate-300 dark:text-slate-600' : n / max > 0.5 ? 'bg-amber-500 font-bold text-white dark:bg-amber-500 dark:text-slate-950' : 'bg-amber-200 text-amber-950 dark:bg-amber-500/40 dark:text-amber-50'}`}
                  >
                    {n || '·'}
                  </span>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Messages({ items, tone, testId }: { items: LogSourceError[]; tone: 'error' | 'note'; testId: string }) {
  if (!items.length) return null;
  const cls =
    tone === 'error'
      ? 'border-red-300 bg-red-50 text-red-900 dark:border-red-500/40 dark:bg-red-500/10 dark:text-red-200'
      : 'border-slate-200 bg-slate-50 text-slate-700 dark:border-slate-700 dark:bg-slate-800/50 dark:text-slate-300';
  return (
    <ul
      className={`space-y-1 rounded-md border px-3 py-2 text-sm ${cls}`}
      role={tone === 'error' ? 'alert' : undefined}
      data-testid={testId}
    >
      {items.map((e, i) => (
        <li key={i} data-source={e.source}>
          <b>{e.source === 'member' ? 'member log' : e.source === 'balancer' ? 'balancer log' : e.source}:</b>{' '}
          {visibleText(e.message)}
        </li>
      ))}
    </ul>
  );
}

/** Client-side filter for frozen data (a snapshot has no server to ask). */
function filterLocal(lines: LogLine[], q: LogQueryState): LogLine[] {
  const needle = q.q.trim().toLowerCase();
  const min = q.level ? LOG_LEVELS.indexOf(q.level) : -1;
  return lines.filter(
    (l) =>
      (q.source === 'both' || l.source === q.source) &&
      (!q.signals || l.signals.length > 0) &&
      (!needle || l.raw.toLowerCase().includes(needle)) &&
      (min < 0 || Math.max(levelRank(l.level), l.signals.length ? LOG_LEVELS.indexOf('warn') : -1) >= min),
  );
}

export function LogPanel({
  data,
  from,
  to,
  query,
  onQueryChange,
  onMore,
  loading = false,
  error = null,
}: LogPanelProps) {
  const [local, setLocal] = useState(query);
  const [text, setText] = useState(query.q);
  const q = onQueryChange ? query : local;
  useEffect(() => setText(query.q), [query.q]);
  const set = (next: LogQueryState) => (onQueryChange ? onQueryChange(next) : setLocal(next));
  // Search as you type, after a pause (only the typed text re-arms the timer).
  // biome-ignore lint/correctness/useExhaustiveDependencies: q and set change with every render
  useEffect(() => {
    if (text === q.q) return;
    const id = setTimeout(() => set({ ...q, q: text }), 400);
    return () => clearTimeout(id);
  }, [text]);
  const lines = useMemo(
    () => (data ? (onQueryChange ? data.lines : filterLocal(data.lines, q)) : []),
    [data, q, onQueryChange],
  );

  return (
    <div data-testid="log-panel" data-loading={loading ? '1' : '0'} className="space-y-3">
      <div className="flex flex-wrap items-center gap-x-5 gap-y-2">
        <form
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            set({ ...q, q: text });
          }}
          className="flex items-center gap-2"
        >
          <label htmlFor="log-search" className="text-sm font-semibold">
            Search
          </label>
          <input
            id="log-search"
            data-testid="log-search"
            type="search"
            value={text}
            maxLength={200}
            onChange={(e) => setText(e.target.value)}
            placeholder="text in the line"
            className="w-64 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
          />
        </form>
        <label className="flex items-center gap-2 text-sm font-semibold">
          Level
          <select
            data-testid="log-level"
            value={q.level}
            onChange={(e) => set({ ...q, level: e.target.value as LogLevel | '' })}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
          >
            <option value="">all</option>
            {LOG_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l} and above
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-2 text-sm font-semibold">
          <input
            type="checkbox"
            data-testid="log-signals-only"
            checked={q.signals === true}
            onChange={(e) => set({ ...q, signals: e.target.checked })}
            className="h-4 w-4 accent-amber-600"
          />
          signal lines only
        </label>
        <div
          role="radiogroup"
          aria-label="Log source"
          data-testid="log-source"
          data-value={q.source}
          className="inline-flex"
        >
          {(['both', 'member', 'balancer'] as const).map((s) => (
            <button
              key={s}
              type="button"
              role="radio"
              aria-checked={q.source === s}
              onClick={() => set({ ...q, source: s })}
              className={`${SEG} ${q.source === s ? ON : OFF}`}
            >
              {s === 'both' ? 'member + balancer' : s === 'member' ? 'member only' : 'balancer only'}
            </button>
          ))}
        </div>
        <span className={`text-sm ${MUTED}`} data-testid="log-summary">
          {loading
            ? 'loading…'
            : data
              ? `${lines.length} line${lines.length === 1 ? '' : 's'}${data.hasMore ? ' (more below)' : ''}${data.scannedBytes ? ` · read ${formatBytes(data.scannedBytes)}` : ''}`
              : ''}
        </span>
      </div>
      {error && <Messages items={[{ source: 'logs', message: error }]} tone="error" testId="log-request-error" />}
      {data && <Messages items={data.errors} tone="error" testId="log-error" />}
      {data && <Messages items={data.notes ?? []} tone="note" testId="log-note" />}
      {data && <SignalSummary counts={data.signalCounts} from={from} to={to} />}
      {data && lines.length === 0 && !loading && (
        <p className={`text-sm ${MUTED}`} data-testid="log-empty">
          No log lines {q.q ? `containing “${visibleText(q.q)}” ` : ''}
          {q.level ? `at ${q.level} or above ` : ''}
          {q.signals ? 'with a known signal ' : ''}in this window.
        </p>
      )}
      {lines.length > 0 && (
        <ol
          className="max-h-[36rem] overflow-y-auto rounded-md border border-slate-200 dark:border-slate-800"
          data-testid="log-lines"
        >
          {lines.map((l, i) => (
            <LogRow key={`${l.source}-${l.t}-${i}`} line={l} q={q.q} />
          ))}
        </ol>
      )}
      {data?.hasMore && onMore && (
        <button
          type="button"
          data-testid="log-more"
          disabled={loading}
          onClick={onMore}
          className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-semibold hover:bg-slate-100 disabled:opacity-50 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700"
        >
          Older lines
        </button>
      )}
    </div>
  );
}
