'use client';
// The what-if weights panel: configured, runtime and proposed weights per member; edit any weight
// and see the predicted shares and scores before anything changes; exports to paste; the last
// change at the balancer with predicted vs measured shares; the weights agent and its audit log.
// Everything shown comes from lib/analysis/weights/whatIf.ts (pure); the edited weights live in the URL
// (?wi=…) so a copied link or a snapshot carries them. Loaded on demand (WeightsSection).
import { useEffect, useMemo, useState } from 'react';
import { PREDICTION_ASSUMPTIONS } from '@/lib/analysis/weights/predict';
import { formatPercent, formatScore } from '@/lib/format';
import { MAX_WEIGHT, parseWeightInput } from '@/lib/analysis/weights/weightList';
import { panelModel, startingWeights, type WhatIfSource } from '@/lib/analysis/weights/whatIf';
import { parseWhatIf, serializeWhatIf } from '@/lib/client/whatIfParam';
import { api } from '@/lib/client/api';
import type { AgentAuditEntry, ClusterState, WeightChange, WeightsState } from '@/lib/types';
import { FixBlock } from '../FixBlock';
import { MUTED } from '../styles';
import { Clock } from '../Time';

const TH = 'px-2 py-1.5 text-left font-semibold';
const TD = 'px-2 py-1.5 align-top';
const NUM = 'tabular-nums text-right';
const BTN =
  'rounded-md border border-slate-300 bg-white px-2.5 py-1 text-sm font-medium hover:bg-slate-50 disabled:opacity-50 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700';
const BTN_ON =
  'border-indigo-500 bg-indigo-50 text-indigo-900 dark:border-indigo-400 dark:bg-indigo-500/20 dark:text-indigo-100';

function pct(x: number | null | undefined): string {
  return formatPercent(x, 0);
}

/** A share as a bar (predicted, solid) with the measured share as a tick. */
function ShareBar({ predicted, measured }: { predicted: number | null; measured: number | null }) {
  return (
    <span
      className="relative inline-block h-2.5 w-24 rounded-sm bg-slate-200 align-middle dark:bg-slate-700"
      aria-hidden
    >
      <span
        className="absolute inset-y-0 left-0 rounded-sm bg-indigo-500 dark:bg-indigo-400"
        style={{ width: `${Math.round((predicted ?? 0) * 100)}%` }}
      />
      {measured !== null && (
        <span
          className="absolute -top-0.5 h-3.5 w-0.5 bg-slate-900 dark:bg-white"
          style={{ left: `calc(${Math.min(100, Math.round(measured * 100))}% - 1px)` }}
        />
      )}
    </span>
  );
}

function ChangeLine({ change, weights, now }: { change: WeightChange; weights: WeightsState; now: number | null }) {
  const names = weights.members.map((m) => m.name);
  const moved = names
    .map((n, i) =>
      change.before[i] === change.after[i] ? null : `${n} ${change.before[i] ?? '—'}→${change.after[i] ?? '—'}`,
    )
    .filter(Boolean)
    .join(', ');
  const left = now !== null ? Math.max(0, Math.ceil((change.settleAt - now) / 1000)) : null;
  return (
    <div className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700" data-testid="weights-change">
      <p>
        <span className="font-semibold">Last change at the balancer</span> <Clock t={change.t} />{' '}
        {change.by === 'agent' ? 'by Fulcrum’s weights agent' : 'by an operator (or anything but the agent)'}
        {moved ? `: ${moved}` : ' (servers drained or back)'}.
      </p>
      {change.measured ? (
        <p className="mt-1" data-testid="weights-verify" data-error={change.error ?? ''}>
          <span className="font-semibold">Predicted vs measured</span> after{' '}
          {Math.round(((change.measuredAt ?? change.settleAt) - change.t) / 1000)} s:{' '}
          {names.map((n, i) => (
            <span key={n} className="mr-3 inline-block" data-testid="weights-verify-member" data-member={n}>
              {n}: predicted {pct(change.predicted[i])}, measured {pct(change.measured![i])}
            </span>
          ))}
          <span className={MUTED}>
            (largest gap {change.error === null ? '—' : `${Math.round(change.error * 100)} points`})
          </span>
        </p>
      ) : (
        <p className={`mt-1 ${MUTED}`} data-testid="weights-settling">
          Predicted {names.map((n, i) => `${n} ${pct(change.predicted[i])}`).join(', ')}; measured{' '}
          {left !== null && left > 0
            ? `in ${left} s, once connections have moved`
            : 'as soon as there is load to measure'}
          .
        </p>
      )}
    </div>
  );
}

function AgentBlock({
  cluster,
  weights,
  names,
}: {
  cluster: string | null;
  weights: WeightsState;
  names: Map<string, string>;
}) {
  const [full, setFull] = useState<{ entries: AgentAuditEntry[]; truncated: boolean } | { error: string } | null>(null);
  const a = weights.agent;
  if (!a) return null;
  const audit = full && 'entries' in full ? [...full.entries].reverse() : [...a.audit].reverse().slice(0, 12);
  const loadAll = async () => {
    if (!cluster) return;
    const r = await api.weightsAudit(cluster, 500);
    setFull(r.ok ? { entries: r.data.entries, truncated: r.data.truncated } : { error: r.error.message });
  };
  return (
    <section className="space-y-2" data-testid="weights-agent">
      <h3 className="text-base font-bold">
        Weights agent <span className={`text-sm font-normal ${MUTED}`}>HAProxy agent-check on {a.listen}</span>
      </h3>
      <p className={`text-sm ${MUTED}`}>
        Hands out {a.limits.min}–{a.limits.max} % of each server’s configured weight, at most {a.limits.maxStepPercent}{' '}
        points a minute, one change per {a.limits.settleSeconds} s; {a.limits.drainDown ? 'drains' : 'never drains'} a
        member down by Fulcrum’s checks. {a.changes} change{a.changes === 1 ? '' : 's'} since Fulcrum started.
      </p>
      <table className="w-full text-sm">
        <thead className={MUTED}>
          <tr>
            <th className={TH}>Member</th>
            <th className={`${TH} text-right`}>Handed out</th>
            <th className={TH}>Last asked</th>
            <th className={TH}>Why</th>
          </tr>
        </thead>
        <tbody>
          {a.members.map((m) => (
            <tr key={m.endpoint} className="border-t border-slate-100 dark:border-slate-800" data-testid="agent-member">
              <td className={TD}>{names.get(m.endpoint) ?? m.endpoint}</td>
              <td className={`${TD} ${NUM}`}>
                {m.percent === null ? '—' : `${m.percent} %`}
                {m.drain ? ' · drain' : ''}
              </td>
              <td className={TD}>{m.askedAt === null ? 'never' : <Clock t={m.askedAt} />}</td>
              <td className={`${TD} ${MUTED}`}>{m.why}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details data-testid="agent-audit">
        <summary className="cursor-pointer text-sm font-semibold">
          Audit log ({full && 'entries' in full ? `${full.entries.length} from the file` : `${a.audit.length} recent`})
        </summary>
        {cluster && !(full && 'entries' in full) && (
          <button type="button" className={`${BTN} mt-1`} onClick={() => void loadAll()} data-testid="agent-audit-all">
            Show the log file’s last 500 lines
          </button>
        )}
        {full && 'error' in full && <p className="text-sm text-red-700 dark:text-red-400">{full.error}</p>}
        {audit.length === 0 ? (
          <p className={`text-sm ${MUTED}`}>Nothing handed out yet.</p>
        ) : (
          <ol className="mt-1 space-y-1 text-xs">
            {audit.map((e, i) => (
              <li key={`${e.t}-${i}`} data-testid="agent-audit-item" className="font-mono">
                <Clock t={e.t} /> {e.member}: {e.before === null ? '—' : `${e.before} %`} → {e.reply} · {e.why} · asked
                by {e.peer} · {e.by}
              </li>
            ))}
          </ol>
        )}
      </details>
    </section>
  );
}

export interface WeightsPanelProps {
  state: Pick<ClusterState, 'members' | 'weights' | 'balancer' | 'scores' | 'updatedAt'>;
  /** The live cluster (its audit log can be fetched); null in a snapshot. */
  cluster?: string | null;
  /** The clock of the page (server time, ms), for "measured in 12 s". */
  now?: number | null;
}

export default function WeightsPanel({ state, cluster = null, now = null }: WeightsPanelProps) {
  const w = state.weights;
  const n = state.members.length;
  const haveBalancer = Boolean(w?.members.some((m) => m.runtime !== null));
  // Edited weights: the URL's, else the ones frozen with a snapshot, else "follow the balancer".
  const [override, setOverride] = useState<number[] | null>(() =>
    typeof window === 'undefined'
      ? null
      : (parseWhatIf(new URLSearchParams(window.location.search), n) ?? w?.whatIf ?? null),
  );
  const [drafts, setDrafts] = useState<Record<number, string>>({});
  const following = startingWeights(w?.members ?? [], 'runtime', haveBalancer);
  const weights = override && override.length === n ? override : following;
  const model = useMemo(() => (w ? panelModel(state, weights) : null), [state, w, weights]);

  // Keep the URL in step (replaceState: no navigation, no new stream).
  useEffect(() => {
    const url = new URL(window.location.href);
    const qs = serializeWhatIf(override, url.searchParams);
    const next = `${url.pathname}${qs ? `?${qs}` : ''}${url.hash}`;
    if (next !== `${url.pathname}${url.search}${url.hash}`) window.history.replaceState(window.history.state, '', next);
  }, [override]);

  if (!w || !model) return <p className={`text-sm ${MUTED}`}>No weights yet: waiting for the first poll.</p>;
  const names = new Map(w.members.map((m) => [m.endpoint, m.name]));
  const start = (from: WhatIfSource) => {
    setDrafts({});
    setOverride(from === 'runtime' ? null : startingWeights(w.members, from, haveBalancer));
  };
  const edit = (i: number, text: string) => {
    setDrafts((d) => ({ ...d, [i]: text }));
    const v = parseWeightInput(text);
    if (v === null) return;
    const next = [...weights];
    next[i] = v;
    setOverride(next);
  };
  const p = model.predicted;
  const nowScore = state.scores.requests;

  return (
    <div className="space-y-4" data-testid="weights-panel" data-edited={model.edited}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className={`text-sm ${MUTED}`}>
          {w.group
            ? `${w.group.type === 'haproxy' ? 'HAProxy backend' : 'NGINX upstream'} ${w.group.name}. `
            : 'No balancer configured: the weights are the configured ones. '}
          Edit a weight to see where requests would go, before anything changes.
        </p>
        <div className="flex flex-wrap items-center gap-1.5 text-sm" role="group" aria-label="Start from">
          <span className={MUTED}>Start from</span>
          {(['runtime', 'configured', 'proposed'] as const).map((k) => (
            <button
              key={k}
              type="button"
              className={`${BTN} ${k === 'runtime' && override === null ? BTN_ON : ''}`}
              onClick={() => start(k)}
              data-testid={`weights-from-${k}`}
            >
              {k === 'runtime'
                ? haveBalancer
                  ? 'Balancer now'
                  : 'Configured'
                : k === 'configured'
                  ? 'Configured'
                  : 'Fulcrum’s proposal'}
            </button>
          ))}
        </div>
      </div>

      <div className="overflow-x-auto">
        <table className="w-full min-w-[44rem] text-sm">
          <thead className={MUTED}>
            <tr>
              <th className={TH}>Member</th>
              <th className={`${TH} text-right`}>Configured</th>
              <th className={`${TH} text-right`}>Balancer now</th>
              <th className={`${TH} text-right`}>Proposal</th>
              <th className={`${TH} text-right`}>What if</th>
              <th className={TH}>Predicted share</th>
              <th className={`${TH} text-right`}>Measured now</th>
            </tr>
          </thead>
          <tbody>
            {w.members.map((m, i) => {
              const draft = drafts[i];
              const invalid = draft !== undefined && parseWeightInput(draft) === null;
              return (
                <tr
                  key={m.endpoint}
                  className="border-t border-slate-100 dark:border-slate-800"
                  data-testid="weights-row"
                  data-member={m.name}
                >
                  <td className={TD}>
                    <div className="font-semibold">{m.name}</div>
                    <div className={`text-xs ${MUTED}`} data-testid="weights-why">
                      {m.why}
                    </div>
                  </td>
                  <td className={`${TD} ${NUM}`}>{m.configured}</td>
                  <td className={`${TD} ${NUM}`}>
                    {m.runtime ?? '—'}
                    {m.status && !m.status.startsWith('UP') && (
                      <span className="ml-1 text-xs font-semibold text-amber-700 dark:text-amber-400">{m.status}</span>
                    )}
                  </td>
                  <td className={`${TD} ${NUM}`} data-testid="weights-proposed">
                    {m.proposed}
                    {m.factor < 1 && <span className={`ml-1 text-xs ${MUTED}`}>×{m.factor.toFixed(2)}</span>}
                  </td>
                  <td className={`${TD} text-right`}>
                    <input
                      type="number"
                      inputMode="numeric"
                      min={0}
                      max={MAX_WEIGHT}
                      step={1}
                      value={draft ?? String(weights[i])}
                      onChange={(e) => edit(i, e.target.value)}
                      onBlur={() =>
                        setDrafts((d) => {
                          const { [i]: _gone, ...rest } = d;
                          return rest;
                        })
                      }
                      aria-label={`What-if weight for ${m.name}`}
                      aria-invalid={invalid}
                      data-testid="weight-input"
                      className={`w-20 rounded-md border bg-white px-2 py-1 text-right tabular-nums dark:bg-slate-950 ${
                        invalid ? 'border-red-500 dark:border-red-400' : 'border-slate-300 dark:border-slate-600'
                      }`}
                    />
                  </td>
                  <td className={TD}>
                    <span className="inline-flex items-center gap-2">
                      <ShareBar predicted={p.shares[i]} measured={model.measured[i]} />
                      <span
                        className="w-12 text-right font-semibold tabular-nums"
                        data-testid="predicted-share"
                        data-value={p.shares[i] ?? ''}
                      >
                        {pct(p.shares[i])}
                      </span>
                    </span>
                  </td>
                  <td className={`${TD} ${NUM}`} data-testid="measured-share">
                    {pct(model.measured[i])}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {Object.values(drafts).some((d) => parseWeightInput(d) === null) && (
        <p className="text-sm text-red-700 dark:text-red-400" role="alert">
          A weight is a whole number from 0 to {MAX_WEIGHT} (0 drains the server): the prediction uses the last valid
          one.
        </p>
      )}

      <p
        className="text-sm"
        data-testid="weights-score"
        data-score={p.score ?? ''}
        data-score-equal={p.scoreEqual ?? ''}
      >
        <span className="font-semibold">Predicted score</span> (requests):{' '}
        <span className="font-semibold tabular-nums">{formatScore(p.score)}</span> against the configured weights (now{' '}
        {formatScore(nowScore.score)}) · <span className="font-semibold tabular-nums">{formatScore(p.scoreEqual)}</span>{' '}
        against equal shares (now {formatScore(nowScore.scoreEqual)}).{' '}
        {p.serving === 0 && (
          <span className="font-semibold text-red-700 dark:text-red-400">No server would take new connections.</span>
        )}
      </p>

      <details className="text-sm" data-testid="weights-assumptions">
        <summary className="cursor-pointer font-semibold">What the prediction assumes</summary>
        <ul className="mt-1 list-disc space-y-1 pl-5">
          {PREDICTION_ASSUMPTIONS.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      </details>

      <details className="text-sm" data-testid="weights-exports">
        <summary className="cursor-pointer font-semibold">
          Apply these weights {model.edited ? '' : '(the ones the balancer has now)'}
        </summary>
        <p className={`mt-1 ${MUTED}`}>
          Fulcrum never changes the balancer. Paste one of these; <b>Snapshot</b> (top right) freezes these what-if
          weights with the page.
        </p>
        <div className="mt-2 space-y-3">
          {model.exports.map((f) => (
            <FixBlock key={f.title} fix={f} prefix="" testId="weights-export" />
          ))}
        </div>
      </details>

      {w.change && <ChangeLine change={w.change} weights={w} now={now} />}
      <AgentBlock cluster={cluster} weights={w} names={names} />
    </div>
  );
}
