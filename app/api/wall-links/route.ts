import { parseBody } from '@/lib/api/parse';
import { handle, json } from '@/lib/api/respond';
import type { WallLinkCreatedResponse, WallLinkListResponse } from '@/lib/api/types';
import { createWallLink, WallLinkCreateSchema, wallLinkPath } from '@/lib/auth/wallLinks';
import { absoluteUrl } from '@/lib/http/urls';
import { storeOf } from '@/lib/snapshots/http';

export const dynamic = 'force-dynamic';

/** Unexpired wall links, newest first (admins): metadata only, never the tokens. */
export const GET = handle('write', async ({ rt }) => {
  const links = await (await storeOf(rt)).listWallLinks(Date.now());
  return json<WallLinkListResponse>({ links });
});

const CREATE_MAX_BYTES = 8 * 1024;

/**
 * Makes a read-only link for a wall screen: `{name, path?: "/wall?…", expiry?: 1d|1w|30d|1y}`.
 * Answers 201 with the link (shown once). Opening it signs the browser in as a viewer until the
 * link expires or is revoked (`DELETE /api/wall-links/{id}`).
 */
export const POST = handle('write', async ({ req, rt, access }) => {
  const body = await parseBody(req, WallLinkCreateSchema, CREATE_MAX_BYTES);
  const { link, token } = await createWallLink(await storeOf(rt), { ...body, createdBy: access.user }, Date.now());
  const linkPath = wallLinkPath(token);
  return json<WallLinkCreatedResponse>(
    { ...link, sessions: 0, linkPath, url: absoluteUrl(rt.config.server, linkPath) },
    201,
  );
});
