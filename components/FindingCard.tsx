import Link from 'next/link';
import type { Finding, MemberState } from '@/lib/types';
import { memberHrefAt } from './member/model';
import { FixBlock } from './FixBlock';
import { SEVERITY } from './styles';
import { Clock } from './Time';

export interface FindingCardProps {
  finding: Finding;
  /** To show member names for the endpoints a finding names. */
  members?: ReadonlyArray<Pick<MemberState, 'endpoint' | 'name'>>;
  /** Link to the drill-down of its first member around its start (default); null: no link. */
  drillDownHref?: string | null;
}

/** One detected problem: what, where, since when, the evidence, and fixes to paste. */
export function FindingCard({ finding: f, members = [], drillDownHref }: FindingCardProps) {
  const sev = SEVERITY[f.severity];
  const nameOf = (ep: string) => members.find((m) => m.endpoint === ep || m.name === ep)?.name ?? ep;
  return (
    <article
      data-testid={f.until === undefined ? 'finding-card' : 'resolved-finding-card'}
      data-kind={f.kind}
      data-finding-id={f.id}
      data-severity={f.severity}
      className={`rounded-lg border border-l-4 border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900 ${sev.border}`}
    >
      <header className="flex flex-wrap items-start justify-between gap-2">
        <h3 className="text-base font-bold 2xl:text-lg">{f.title}</h3>
        <span
          className={`inline-flex items-center gap-1 rounded-md px-2 py-0.5 text-xs font-bold uppercase ring-1 ring-inset ${sev.badge}`}
        >
          <span aria-hidden>{sev.icon}</span> {sev.label}
        </span>
      </header>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
        {f.members.length > 0 && (
          <>
            <b>{f.members.map(nameOf).join(', ')}</b> ·{' '}
          </>
        )}
        since <Clock t={f.since} /> · confidence {Math.round(f.confidence * 100)} %{(() => {
          const href =
            drillDownHref !== undefined
              ? drillDownHref
              : f.members[0] && f.cluster
                ? memberHrefAt(f.cluster, nameOf(f.members[0]), f.since)
                : null;
          return href ? (
            <>
              {' · '}
              <Link
                href={href}
                className="font-semibold text-sky-700 underline dark:text-sky-400"
                data-testid="finding-drilldown"
              >
                logs and metrics of {nameOf(f.members[0])} then →
              </Link>
            </>
          ) : null;
        })()}
      </p>
      {f.summary && <p className="mt-2 text-sm">{f.summary}</p>}
      {f.evidence.length > 0 && (
        <table className="mt-3 w-full text-sm" data-testid="finding-evidence">
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
            <tr>
              <th className="py-1 pr-2 font-semibold">Evidence</th>
              <th className="py-1 pr-2 font-semibold">Value</th>
              <th className="py-1 pr-2 font-semibold">Threshold</th>
              <th className="py-1 font-semibold">Member</th>
            </tr>
          </thead>
          <tbody>
            {f.evidence.map((e, i) => (
              <tr key={i} className="border-t border-slate-100 dark:border-slate-800">
                <td className="py-1 pr-2">{e.label}</td>
                <td className="py-1 pr-2 font-semibold tabular-nums">{e.value}</td>
                <td className="py-1 pr-2 tabular-nums text-slate-500 dark:text-slate-400">{e.threshold ?? '—'}</td>
                <td className="py-1">{e.member ? nameOf(e.member) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {f.fixes.length > 0 && (
        <div className="mt-3 space-y-3">
          {f.fixes.map((x, i) => (
            <FixBlock key={i} fix={x} testId="finding-fix" />
          ))}
        </div>
      )}
    </article>
  );
}
