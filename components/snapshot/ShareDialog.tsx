'use client';
// "Snapshot": shows what will be frozen (window, members, findings, log excerpts, size), lets
// the SRE title it, note it and pick an expiry, then creates it and shows the link and the
// delete key (once).
import { useEffect, useRef, useState } from 'react';
import { formatBytes } from '@/lib/format';
import { RANGE_MS, parseViewParams } from '@/lib/client/viewParams';
import type { SnapshotCreatedResponse, SnapshotSummary } from '@/lib/api/types';
import { api } from '@/lib/client/api';
import { parseWeightList, WHAT_IF_KEY } from '@/lib/analysis/weights/weightList';
import { EXPIRY_LABEL, formatWindow } from '@/lib/snapshots/view';
import type { SnapshotExpiry } from '@/lib/store/types';
import { CopyButton } from '../CopyButton';
import { Clock } from '../Time';
import { MUTED } from '../styles';
import { BUTTON, FIELD, NOTICE, PRIMARY } from './ui';

export interface ShareAccess {
  /** Access control is configured. */
  required: boolean;
  /** This browser may create snapshots. */
  granted: boolean;
  user: string | null;
}

type Created = Pick<SnapshotCreatedResponse, 'id' | 'path' | 'url' | 'deleteKey' | 'expiresAt'>;

/** Freezing reads Prometheus and the logs for the window: give it longer than a page call. */
const FREEZE_TIMEOUT_MS = 60_000;

const EXPIRIES: SnapshotExpiry[] = ['1h', '1d', '1w', 'never'];

type PageWindow = { kind: 'range'; rangeMs: number } | { kind: 'fixed'; from: number; to: number };

/** The page's window: a member page's `?from&to` (ms), else the cluster page's range. */
function currentWindow(): PageWindow {
  const sp = new URLSearchParams(window.location.search);
  const from = Number(sp.get('from'));
  const to = Number(sp.get('to'));
  if (sp.has('from') && sp.has('to') && Number.isInteger(from) && Number.isInteger(to) && from > 0 && from < to) {
    // A window reaching the present is "the last N": it ends when the snapshot is taken.
    return to >= Date.now() - 5000 ? { kind: 'range', rangeMs: to - from } : { kind: 'fixed', from, to };
  }
  return { kind: 'range', rangeMs: RANGE_MS[parseViewParams(sp).range] };
}

/** What-if weights the page's weights panel holds (?wi=…), frozen with the snapshot. */
function currentWhatIf(): number[] | null {
  const raw = new URLSearchParams(window.location.search).get(WHAT_IF_KEY);
  return raw ? parseWeightList(raw, raw.split(',').length) : null;
}

function windowBody(w: PageWindow): { rangeMs: number } | { from: number; to: number } {
  return w.kind === 'range' ? { rangeMs: w.rangeMs } : { from: w.from, to: w.to };
}

export function ShareDialog({
  cluster,
  member,
  access,
  defaultExpiry,
  open,
  onClose,
}: {
  cluster: string;
  /** On a member page: the link opens the member inside the snapshot. */
  member?: string;
  access: ShareAccess;
  defaultExpiry: SnapshotExpiry;
  open: boolean;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [win, setWin] = useState<PageWindow>({ kind: 'range', rangeMs: 15 * 60_000 });
  const [summary, setSummary] = useState<SnapshotSummary | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [note, setNote] = useState('');
  const [expiry, setExpiry] = useState<SnapshotExpiry>(defaultExpiry);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<(Created & { url: string }) | null>(null);
  const [whatIf, setWhatIf] = useState<number[] | null>(null);
  const canCreate = access.granted;

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  // Each time it opens: the page's current range, and a fresh preview of what will be included.
  useEffect(() => {
    if (!open) return;
    const w = currentWindow();
    setWin(w);
    setWhatIf(currentWhatIf());
    setCreated(null);
    setError(null);
    setSummary(null);
    setPreviewError(null);
    if (!canCreate) return;
    let cancelled = false;
    void api.previewSnapshot({ cluster, ...windowBody(w) }, { timeoutMs: FREEZE_TIMEOUT_MS }).then((r) => {
      if (cancelled) return;
      if (r.ok) setSummary(r.data);
      else setPreviewError(r.error.message);
    });
    return () => {
      cancelled = true;
    };
  }, [open, cluster, canCreate]);

  const create = async () => {
    setBusy(true);
    setError(null);
    const r = await api.createSnapshot(
      { cluster, ...windowBody(win), title: title.trim() || null, note: note.trim() || null, expiry, whatIf },
      { timeoutMs: FREEZE_TIMEOUT_MS },
    );
    setBusy(false);
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    const c = r.data;
    const suffix = member ? `/members/${encodeURIComponent(member)}` : '';
    // The server gives an absolute URL only when server.publicUrl is set; else this page's origin.
    const url = `${c.url ?? new URL(c.path, window.location.origin).toString()}${suffix}`;
    setCreated({ ...c, url, path: `${c.path}${suffix}` });
  };

  const loginHref =
    typeof window === 'undefined'
      ? '/login'
      : `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;

  return (
    <dialog
      ref={ref}
      data-testid="share-dialog"
      onClose={onClose}
      onCancel={onClose}
      className="m-auto w-[40rem] max-w-[95vw] rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <div className="space-y-4 p-5">
        <header className="flex items-start justify-between gap-3">
          <div>
            <h2 className="text-xl font-bold">
              Share a snapshot of {cluster}
              {member ? ` (${member})` : ''}
            </h2>
            <p className={`text-sm ${MUTED}`}>
              A frozen, read-only copy of this page. Anyone with the link sees exactly this, even after the cluster is
              gone.
            </p>
          </div>
          <button type="button" className={BUTTON} onClick={onClose} aria-label="Close" data-testid="share-close">
            ✕
          </button>
        </header>

        {!access.required && (
          <p className={NOTICE} data-testid="open-access-notice">
            ▲ No access control is configured: anyone who can reach this Fulcrum can create snapshots. Set{' '}
            <code>auth.adminTokenEnv</code> to require an admin token.
          </p>
        )}
        {access.required && !canCreate && (
          <p className={NOTICE} data-testid="login-needed">
            Creating snapshots needs the admin token.{' '}
            <a href={loginHref} className="font-semibold underline">
              Log in
            </a>
          </p>
        )}

        <section data-testid="share-included">
          <h3 className="mb-1 text-sm font-bold uppercase tracking-wide">What will be included</h3>
          <dl className="grid grid-cols-[10rem_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm">
            <dt className={MUTED}>Window</dt>
            <dd data-testid="share-window">
              {win.kind === 'range'
                ? `last ${formatWindow(win.rangeMs)} (the page’s range)`
                : `${formatWindow(win.to - win.from)} (the page’s window)`}
              {summary && (
                <span className={MUTED}>
                  {' '}
                  · <Clock t={summary.window.from} /> – <Clock t={summary.window.to} />
                </span>
              )}
            </dd>
            {summary ? (
              <>
                <dt className={MUTED}>Members</dt>
                <dd data-testid="share-members">{summary.members.map((m) => `${m.name} (${m.status})`).join(', ')}</dd>
                <dt className={MUTED}>Heatmap / timeline</dt>
                <dd>
                  {summary.frames} columns
                  {summary.framesFromPrometheus > 0 ? ` (${summary.framesFromPrometheus} from Prometheus)` : ''},{' '}
                  {summary.events} events
                </dd>
                {whatIf && (
                  <>
                    <dt className={MUTED}>What-if weights</dt>
                    <dd data-testid="share-what-if">{whatIf.join(' / ')} (the weights panel’s edit)</dd>
                  </>
                )}
                <dt className={MUTED}>Findings</dt>
                <dd data-testid="share-findings" data-count={summary.findings}>
                  {summary.findings} with evidence and fixes
                </dd>
                <dt className={MUTED}>Log excerpts</dt>
                <dd data-testid="share-log-lines" data-count={summary.logLines}>
                  {summary.logs === 'ok' ? `${summary.logLines} lines` : `none (${summary.logsNote ?? summary.logs})`}
                </dd>
                <dt className={MUTED}>Size</dt>
                <dd>
                  {formatBytes(summary.sizeBytes)}{' '}
                  <span className={MUTED}>(limit {formatBytes(summary.maxBytes)})</span>
                </dd>
              </>
            ) : canCreate ? (
              <>
                <dt className={MUTED}>Contents</dt>
                <dd className={previewError ? 'text-red-700 dark:text-red-400' : MUTED}>
                  {previewError ?? 'counting…'}
                </dd>
              </>
            ) : null}
            <dt className={MUTED}>Config</dt>
            <dd>cluster name, endpoints and weights, balancer type; never passwords, TLS keys, tokens or file paths</dd>
          </dl>
        </section>

        {!created && (
          <form
            className="space-y-3"
            onSubmit={(e) => {
              e.preventDefault();
              void create();
            }}
          >
            <label className="block text-sm font-semibold">
              Title <span className={`font-normal ${MUTED}`}>(optional)</span>
              <input
                className={`${FIELD} mt-1`}
                maxLength={200}
                value={title}
                onChange={(e) => setTitle(e.target.value)}
                data-testid="share-title"
                placeholder="e.g. INC-1234 etcd-3 hot"
              />
            </label>
            <label className="block text-sm font-semibold">
              Note <span className={`font-normal ${MUTED}`}>(optional)</span>
              <textarea
                className={`${FIELD} mt-1`}
                rows={3}
                maxLength={4000}
                value={note}
                onChange={(e) => setNote(e.target.value)}
                data-testid="share-note"
              />
            </label>
            <label className="flex items-center gap-2 text-sm font-semibold">
              Expires after
              <select
                className={`${FIELD} w-auto`}
                value={expiry}
                onChange={(e) => setExpiry(e.target.value as SnapshotExpiry)}
                data-testid="share-expiry"
              >
                {EXPIRIES.map((x) => (
                  <option key={x} value={x}>
                    {EXPIRY_LABEL[x]}
                  </option>
                ))}
              </select>
            </label>
            {error && (
              <p
                className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
                data-testid="share-error"
                role="alert"
              >
                {error}
              </p>
            )}
            <div className="flex justify-end gap-2">
              <button type="button" className={BUTTON} onClick={onClose}>
                Cancel
              </button>
              <button type="submit" className={PRIMARY} disabled={!canCreate || busy} data-testid="share-create">
                {busy ? 'Creating…' : 'Create snapshot'}
              </button>
            </div>
          </form>
        )}

        {created && (
          <section className="space-y-3" data-testid="share-created" data-snapshot-id={created.id}>
            <p className="font-semibold text-emerald-700 dark:text-emerald-400">✓ Snapshot created</p>
            <div className="flex items-center gap-2">
              <input
                className={`${FIELD} font-mono`}
                readOnly
                value={created.url}
                data-testid="share-link"
                onFocus={(e) => e.currentTarget.select()}
              />
              <CopyButton text={created.url} label="Copy link" testId="share-copy-link" />
              <a className={BUTTON} href={created.path} target="_blank" rel="noopener" data-testid="share-open">
                Open
              </a>
            </div>
            <p className={`text-sm ${MUTED}`}>
              {created.expiresAt === null ? (
                'It never expires.'
              ) : (
                <>
                  It expires <Clock t={created.expiresAt} full />.
                </>
              )}
            </p>
            <div className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700">
              <p className="font-semibold">Delete key (shown only once)</p>
              <div className="mt-1 flex items-center gap-2">
                <code className="min-w-0 flex-1 break-all font-mono text-xs" data-testid="share-delete-key">
                  {created.deleteKey}
                </code>
                <CopyButton text={created.deleteKey} label="Copy key" testId="share-copy-key" />
              </div>
              <p className={`mt-1 text-xs ${MUTED}`}>
                To delete it:{' '}
                <code>
                  curl -X DELETE -H &apos;X-Delete-Key: …&apos; {created.url.replace(/\/s\//, '/api/snapshots/')}
                </code>
              </p>
            </div>
            <div className="flex justify-end">
              <button type="button" className={BUTTON} onClick={onClose}>
                Done
              </button>
            </div>
          </section>
        )}
      </div>
    </dialog>
  );
}
