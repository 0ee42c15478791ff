import { handle } from '@/lib/api/respond';
import { corrupt, notFound, storeOf, validId } from '@/lib/snapshots/http';
import { exportFile, loadSnapshot } from '@/lib/snapshots/service';

export const dynamic = 'force-dynamic';

/** The snapshot as one JSON file (a download) that another Fulcrum can import. */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  return handle(async (rt) => {
    const store = await storeOf(rt);
    const now = Date.now();
    const rec = await loadSnapshot(store, validId(id), now).catch(corrupt);
    if (!rec) throw notFound();
    const stamp = new Date(rec.createdAt).toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const file = `fulcrum-snapshot-${rec.cluster.name}-${stamp}.json`;
    return new Response(JSON.stringify(exportFile(rec, now)), {
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="${file}"`,
        'Cache-Control': 'no-store',
      },
    });
  });
}
