import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { SnapshotMemberView } from '@/components/snapshot/SnapshotMemberView';
import { loadSnapshotForPage } from '@/lib/snapshots/page';
import { findMember } from '@/lib/snapshots/view';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string; member: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id, member } = await params;
  const s = await loadSnapshotForPage(id);
  const m = s ? findMember(s.record.state.members, member) : undefined;
  return {
    title: m && s ? `${m.name} · snapshot of ${s.record.cluster.name} · Fulcrum` : 'Snapshot not found · Fulcrum',
    referrer: 'no-referrer',
    robots: { index: false, follow: false },
  };
}

/** A member's drill-down inside a snapshot: frozen data only. */
export default async function SnapshotMemberPage({ params }: Props) {
  const { id, member } = await params;
  const s = await loadSnapshotForPage(id);
  if (!s) notFound();
  const m = findMember(s.record.state.members, member);
  if (!m) notFound();
  return <SnapshotMemberView record={s.record} endpoint={m.endpoint} liveExists={s.liveExists} />;
}
