import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { SnapshotView } from '@/components/snapshot/SnapshotView';
import { parseViewParams } from '@/lib/client/viewParams';
import { loadSnapshotForPage } from '@/lib/snapshots/page';
import { rangeForWindow } from '@/lib/snapshots/view';

export const dynamic = 'force-dynamic';

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

// The link is the only key: don't leak it through Referer, don't index it.
const PRIVATE: Pick<Metadata, 'referrer' | 'robots'> = {
  referrer: 'no-referrer',
  robots: { index: false, follow: false },
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  const s = await loadSnapshotForPage(id);
  if (!s) return { title: 'Snapshot not found · Fulcrum', ...PRIVATE };
  return { title: `${s.record.title ?? `Snapshot of ${s.record.cluster.name}`} · Fulcrum`, ...PRIVATE };
}

export default async function SnapshotPage({ params, searchParams }: Props) {
  const { id } = await params;
  const s = await loadSnapshotForPage(id);
  if (!s) notFound();
  const sp = await searchParams;
  const view = parseViewParams(sp);
  if (!sp.range) view.range = rangeForWindow(s.record.window.to - s.record.window.from);
  return <SnapshotView record={s.record} initialView={view} liveExists={s.liveExists} />;
}
