import { contentDisposition, handle } from '@/lib/api/respond';
import type { SnapshotExportResponse } from '@/lib/api/types';
import { notFound, storeOf, validId } from '@/lib/snapshots/http';
import { exportFile, loadSnapshot } from '@/lib/snapshots/service';

export const dynamic = 'force-dynamic';

/** The snapshot as one JSON file (a download) that another Fulcrum can import. */
export const GET = handle<{ id: string }>('public', async ({ rt, params }) => {
  const store = await storeOf(rt);
  const now = Date.now();
  const rec = await loadSnapshot(store, validId(params.id), now);
  if (!rec) throw notFound();
  const stamp = new Date(rec.createdAt).toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const file = `fulcrum-snapshot-${rec.cluster.name}-${stamp}.json`;
  const body: SnapshotExportResponse = exportFile(rec, now);
  return new Response(JSON.stringify(body), {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': contentDisposition(file),
      'Cache-Control': 'no-store',
    },
  });
});
