import type { DetectorCheck, Finding, MemberState } from '@/lib/types';
import { compareFindings } from '@/lib/analysis/diagnosis/tracker';
import { FindingCard } from './FindingCard';

const CHECK_STATE: Record<DetectorCheck['state'], { icon: string; cls: string; label: string }> = {
  ok: { icon: '✓', cls: 'text-emerald-700 dark:text-emerald-400', label: 'ok' },
  firing: { icon: '▲', cls: 'text-amber-700 dark:text-amber-400 font-semibold', label: 'firing' },
  'not-checked': { icon: '–', cls: 'text-slate-500 dark:text-slate-400', label: 'not checked' },
};

export interface FindingsPanelProps {
  findings: readonly Finding[];
  members: ReadonlyArray<Pick<MemberState, 'endpoint' | 'name'>>;
  /** What the detectors checked this poll (from the state); shown with "No findings". */
  checks?: readonly DetectorCheck[];
  /** Fallback when the state has no detector checks: what the state shows was looked at. */
  checked?: readonly string[];
  /** All clear (green) only when the cluster is otherwise fine. */
  healthy?: boolean;
  /** Where a finding's drill-down link goes (a snapshot keeps it inside the snapshot); default: the live member page. */
  drillDownHref?: (f: Finding) => string | null;
  /** Findings that cleared recently (with `until`): listed under the open ones. */
  resolved?: readonly Finding[];
}

function ResolvedList({
  resolved,
  members,
  drillDownHref,
}: {
  resolved: readonly Finding[];
  members: FindingsPanelProps['members'];
  drillDownHref?: (f: Finding) => string | null;
}) {
  if (resolved.length === 0) return null;
  return (
    <details className="text-sm" data-testid="findings-resolved" data-count={resolved.length}>
      <summary className="cursor-pointer text-slate-500 dark:text-slate-400">
        Resolved recently ({resolved.length})
      </summary>
      <div className="mt-2 space-y-3 opacity-80">
        {resolved.map((f) => (
          <div key={`${f.id}@${f.until ?? ''}`}>
            <p className="mb-1 text-xs font-semibold text-emerald-700 dark:text-emerald-400">
              ✓ resolved{f.until !== undefined ? ` at ${new Date(f.until).toISOString().slice(11, 19)} UTC` : ''}
            </p>
            <FindingCard finding={f} members={members} drillDownHref={drillDownHref?.(f)} />
          </div>
        ))}
      </div>
    </details>
  );
}

function ChecksList({ checks, checked }: { checks: readonly DetectorCheck[]; checked: readonly string[] }) {
  if (checks.length > 0) {
    return (
      <ul className="mt-1 space-y-0.5" data-testid="findings-checked">
        {checks.map((c) => {
          const st = CHECK_STATE[c.state];
          return (
            <li key={c.kind} data-kind={c.kind} data-state={c.state} className="flex gap-2">
              <span className={`w-4 shrink-0 ${st.cls}`} role="img" aria-label={st.label}>
                {st.icon}
              </span>
              <span>
                <span className="font-semibold">{c.kind}</span>
                {c.note && <span className="text-slate-600 dark:text-slate-300">: {c.note}</span>}
              </span>
            </li>
          );
        })}
      </ul>
    );
  }
  if (checked.length === 0) return null;
  return (
    <ul
      className="mt-1 list-inside list-disc space-y-0.5 text-slate-600 dark:text-slate-300"
      data-testid="findings-checked"
    >
      {checked.map((c) => (
        <li key={c}>{c}</li>
      ))}
    </ul>
  );
}

export function FindingsPanel({
  findings,
  members,
  checks = [],
  checked = [],
  healthy = true,
  drillDownHref,
  resolved = [],
}: FindingsPanelProps) {
  const sorted = [...findings].sort(compareFindings);
  const anyChecks = checks.length > 0 || checked.length > 0;
  return (
    <div data-testid="findings-panel" data-count={findings.length}>
      {sorted.length === 0 ? (
        <div className="text-sm">
          <p className={`font-semibold ${healthy ? 'text-emerald-700 dark:text-emerald-400' : ''}`}>
            {healthy ? '✓ ' : ''}No findings
          </p>
          {anyChecks && (
            <>
              <p className="mt-2 text-slate-500 dark:text-slate-400">Checked:</p>
              <ChecksList checks={checks} checked={checked} />
            </>
          )}
          <div className="mt-3">
            <ResolvedList resolved={resolved} members={members} drillDownHref={drillDownHref} />
          </div>
        </div>
      ) : (
        <div className="space-y-3">
          {sorted.map((f) => (
            <FindingCard key={f.id} finding={f} members={members} drillDownHref={drillDownHref?.(f)} />
          ))}
          <ResolvedList resolved={resolved} members={members} drillDownHref={drillDownHref} />
          {anyChecks && (
            <details className="text-sm">
              <summary
                className="cursor-pointer text-slate-500 dark:text-slate-400"
                data-testid="findings-checked-summary"
              >
                What was checked
                {checks.length > 0 && (
                  <>
                    {' '}
                    ({checks.length} checks: {checks.filter((c) => c.state === 'firing').length} firing,{' '}
                    {checks.filter((c) => c.state === 'ok').length} ok
                    {checks.some((c) => c.state === 'not-checked') &&
                      `, ${checks.filter((c) => c.state === 'not-checked').length} not checked`}
                    )
                  </>
                )}
              </summary>
              <ChecksList checks={checks} checked={checked} />
            </details>
          )}
        </div>
      )}
    </div>
  );
}
