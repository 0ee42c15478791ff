'use client';
// "Copy link" (this page with its view in the URL) and "Snapshot" (freeze it) for the cluster
// and member pages.
import { usePathname, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useHydrated } from '@/lib/client/hooks';
import type { SnapshotExpiry } from '@/lib/store/types';
import { CopyButton } from '../CopyButton';
import { MUTED } from '../styles';
import { ShareDialog } from '../lazy';
import type { ShareAccess } from './ShareDialog';
import { BUTTON } from './ui';

export function ClusterToolbar({
  cluster,
  member,
  access,
  defaultExpiry,
  copyLink = true,
}: {
  cluster: string;
  member?: string;
  access: ShareAccess;
  defaultExpiry: SnapshotExpiry;
  /** Show "Copy link" (the member page has its own). */
  copyLink?: boolean;
}) {
  const hydrated = useHydrated();
  const pathname = usePathname();
  const search = useSearchParams();
  const [open, setOpen] = useState(false);
  // The dialog's code loads on the first click, and stays (closing it keeps what it showed).
  const [wanted, setWanted] = useState(false);
  const qs = search.toString();
  const href = hydrated ? `${window.location.origin}${pathname}${qs ? `?${qs}` : ''}` : '';
  return (
    <div className="mb-3 flex flex-wrap items-center justify-end gap-2" data-testid="cluster-toolbar">
      {access.required && access.granted && access.user && (
        <span className={`text-sm ${MUTED}`}>signed in as {access.user}</span>
      )}
      {hydrated && copyLink && <CopyButton text={href} label="Copy link" testId="copy-page-link" />}
      <button
        type="button"
        className={BUTTON}
        onClick={() => {
          setWanted(true);
          setOpen(true);
        }}
        data-testid="snapshot-button"
        title="Freeze this page into a shareable, read-only link"
      >
        <span aria-hidden>❄</span> Snapshot
      </button>
      {wanted && (
        <ShareDialog
          cluster={cluster}
          member={member}
          access={access}
          defaultExpiry={defaultExpiry}
          open={open}
          onClose={() => setOpen(false)}
        />
      )}
    </div>
  );
}
