import { handle, json } from '@/lib/api/respond';
import type { SnapshotDeletedResponse, SnapshotRecordResponse } from '@/lib/api/types';
import { sameOrigin } from '@/lib/auth/access';
import { ForbiddenError } from '@/lib/errors';
import { notFound, storeOf, validId } from '@/lib/snapshots/http';
import { deleteSnapshot, loadSnapshot } from '@/lib/snapshots/service';

export const dynamic = 'force-dynamic';

/** The frozen record (anyone with the link). */
export const GET = handle<{ id: string }>('public', async ({ rt, params }) => {
  const store = await storeOf(rt);
  const rec = await loadSnapshot(store, validId(params.id), Date.now());
  if (!rec) throw notFound();
  return json<SnapshotRecordResponse>(rec);
});

/**
 * Deletes a snapshot: with its delete key (`X-Delete-Key` header or `?key=`: the key alone is
 * enough, whoever sends it), or as an admin (no key needed). A browser's request must come from
 * this site.
 */
export const DELETE = handle<{ id: string }>('public', async ({ req, rt, params, access }) => {
  // Without access control everyone is an admin ("open"): then the delete key decides.
  const admin = access.required && access.role === 'admin';
  if (!sameOrigin(req.headers, rt.config.server) && access.via !== 'bearer')
    throw new ForbiddenError('cross-site request refused');
  const key = req.headers.get('x-delete-key') ?? new URL(req.url).searchParams.get('key');
  const store = await storeOf(rt);
  const outcome = await deleteSnapshot(store, validId(params.id), key, admin, Date.now());
  if (outcome === 'not-found') throw notFound();
  if (outcome === 'forbidden')
    throw new ForbiddenError(key ? 'wrong delete key' : 'a delete key is needed (X-Delete-Key header)');
  return json<SnapshotDeletedResponse>({ deleted: params.id });
});
