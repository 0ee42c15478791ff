import Link from 'next/link';
import { apiPath } from '@/lib/client/api';
import type { SnapshotRecord } from '@/lib/store/types';
import { formatWindow } from '@/lib/snapshots/view';
import { CopyButton } from '../CopyButton';
import { Clock } from '../Time';
import { BUTTON } from './ui';

export interface SnapshotBannerProps {
  record: Pick<
    SnapshotRecord,
    'id' | 'title' | 'note' | 'createdAt' | 'createdBy' | 'window' | 'expiresAt' | 'importedAt' | 'cluster'
  >;
  /** Absolute link to this snapshot (for Copy link); null before hydration. */
  shareUrl: string | null;
  /** The live cluster page exists on this Fulcrum. */
  liveExists: boolean;
}

/** Read-only banner: what this is, when it was taken and by whom, which window, where the live page is. */
export function SnapshotBanner({ record: r, shareUrl, liveExists }: SnapshotBannerProps) {
  const live = `/clusters/${encodeURIComponent(r.cluster.name)}`;
  return (
    <section
      data-testid="snapshot-banner"
      data-snapshot-id={r.id}
      className="rounded-xl border-2 border-sky-300 bg-sky-50 px-4 py-3 text-sky-950 dark:border-sky-800 dark:bg-sky-950/60 dark:text-sky-100"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <p className="text-lg font-bold">
            <span aria-hidden>❄ </span>
            {r.title ? <span data-testid="snapshot-title">{r.title}</span> : 'Snapshot'}
            <span className="ml-2 rounded bg-sky-200 px-1.5 py-0.5 align-middle text-xs font-bold uppercase tracking-wide text-sky-900 dark:bg-sky-800 dark:text-sky-100">
              read-only
            </span>
          </p>
          <p className="text-sm">
            Frozen copy of cluster <b>{r.cluster.name}</b>, window <Clock t={r.window.from} full /> –{' '}
            <Clock t={r.window.to} full /> ({formatWindow(r.window.to - r.window.from)}) · taken{' '}
            <Clock t={r.createdAt} full />
            {r.createdBy ? (
              <>
                {' '}
                by <b data-testid="snapshot-created-by">{r.createdBy}</b>
              </>
            ) : null}
            {r.importedAt !== null && (
              <>
                {' '}
                · imported <Clock t={r.importedAt} full />
              </>
            )}{' '}
            ·{' '}
            {r.expiresAt === null ? (
              'never expires'
            ) : (
              <>
                expires <Clock t={r.expiresAt} full />
              </>
            )}
          </p>
          {r.note && (
            <p className="whitespace-pre-wrap text-sm" data-testid="snapshot-note">
              {r.note}
            </p>
          )}
          <p className="text-xs opacity-80">Everything below is what Fulcrum saw in that window; it does not change.</p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {liveExists ? (
            <Link href={live} prefetch={false} className={BUTTON} data-testid="snapshot-live-link">
              Live cluster page →
            </Link>
          ) : (
            <span className="text-sm opacity-80" data-testid="snapshot-live-link" data-missing="true">
              the cluster is not watched by this Fulcrum
            </span>
          )}
          <a href={apiPath.snapshotExport(r.id)} className={BUTTON} data-testid="snapshot-export" download>
            Export JSON
          </a>
          {shareUrl && <CopyButton text={shareUrl} label="Copy link" testId="copy-snapshot-link" />}
        </div>
      </div>
    </section>
  );
}
