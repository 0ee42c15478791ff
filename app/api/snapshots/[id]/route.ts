import { ApiError, handle, json } from '@/lib/api/respond';
import { requireWrite } from '@/lib/auth/admin';
import { corrupt, notFound, storeOf, validId } from '@/lib/snapshots/http';
import { deleteSnapshot, loadSnapshot } from '@/lib/snapshots/service';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** The frozen record (anyone with the link). */
export async function GET(_req: Request, ctx: Ctx) {
  const { id } = await ctx.params;
  return handle(async (rt) => {
    const store = await storeOf(rt);
    const rec = await loadSnapshot(store, validId(id), Date.now()).catch(corrupt);
    if (!rec) throw notFound();
    return json(rec);
  });
}

/**
 * Deletes a snapshot: with its delete key (`X-Delete-Key` header or `?key=`), or with write
 * access (an admin needs no key). When access control is configured, write access is required.
 */
export async function DELETE(req: Request, ctx: Ctx) {
  const { id } = await ctx.params;
  return handle(async (rt) => {
    const auth = rt.config.auth;
    // With access control, deleting needs write access, and an admin needs no key.
    const admin = auth.adminToken !== null && requireWrite(req, auth).granted;
    const key = req.headers.get('x-delete-key') ?? new URL(req.url).searchParams.get('key');
    const store = await storeOf(rt);
    const outcome = await deleteSnapshot(store, validId(id), key, admin, Date.now());
    if (outcome === 'not-found') throw notFound();
    if (outcome === 'forbidden')
      throw new ApiError(403, key ? 'wrong delete key' : 'a delete key is needed (X-Delete-Key header)');
    return json({ deleted: id });
  });
}
