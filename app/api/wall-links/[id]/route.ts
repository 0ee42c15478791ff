import { handle, json } from '@/lib/api/respond';
import type { WallLinkRevokedResponse } from '@/lib/api/types';
import { WALL_LINK_ID_RE } from '@/lib/auth/wallLinks';
import { NotFoundError } from '@/lib/errors';
import { storeOf } from '@/lib/snapshots/http';

export const dynamic = 'force-dynamic';

/** Revokes a wall link: the link stops working and the kiosks signed in with it are signed out. */
export const DELETE = handle<{ id: string }>('write', async ({ rt, params }) => {
  if (!WALL_LINK_ID_RE.test(params.id) || !(await (await storeOf(rt)).deleteWallLink(params.id)))
    throw new NotFoundError('no such wall link (or it has expired or was revoked)');
  return json<WallLinkRevokedResponse>({ revoked: params.id });
});
