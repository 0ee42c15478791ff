// Wall links: a read-only link an admin makes for a screen nobody logs in on. The link is
// `/w/<id>.<expiry>.<signature>`: the signature (HMAC-SHA256 with a key kept in the store, the
// same for every replica) makes a forged or altered link fail before any lookup; the row in the
// store makes it revocable and listable. Opening it makes a viewer session tied to the link
// (revoking the link ends those sessions) that lasts until the link expires.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AccessStore, WallLinkRow } from '../store/types';
import { localPath } from './redirect';

export const WALL_LINK_EXPIRIES = {
  '1d': 86_400_000,
  '1w': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '1y': 365 * 86_400_000,
} as const;
/** Openings of one link per hour (each stores a kiosk session). */
export const WALL_LINK_OPENS_PER_HOUR = 60;
export type WallLinkExpiry = keyof typeof WALL_LINK_EXPIRIES;
export const WALL_LINK_ID_RE = /^[A-Za-z0-9_-]{22}$/;
const TOKEN_RE = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;
const KEY_NAME = 'wall-link-signing-key';

export const WallLinkCreateSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64, 'at most 64 characters')
      .regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters'),
    /** The page it opens: a path on this site (default /wall). */
    path: z
      .string()
      .max(2048)
      .refine((p) => localPath(p) !== null, { message: 'a path on this site such as /wall?rotate=20s' })
      .default('/wall'),
    expiry: z.enum(Object.keys(WALL_LINK_EXPIRIES) as [WallLinkExpiry, ...WallLinkExpiry[]]).default('30d'),
  })
  .strict();

async function signingKey(store: AccessStore): Promise<Buffer> {
  return Buffer.from(await store.secret(KEY_NAME, () => randomBytes(32).toString('base64url')), 'base64url');
}

function sign(key: Buffer, id: string, expiresAt: number): string {
  return createHmac('sha256', key).update(`fulcrum-wall-link|${id}|${expiresAt}`).digest('base64url');
}

export function wallLinkPath(token: string): string {
  return `/w/${token}`;
}

/** Stores a new link and answers it with its token (shown once: the list shows no tokens). */
export async function createWallLink(
  store: AccessStore,
  input: { name: string; path: string; expiry: WallLinkExpiry; createdBy: string | null },
  now: number,
): Promise<{ link: WallLinkRow; token: string }> {
  const id = randomBytes(16).toString('base64url');
  const link: WallLinkRow = {
    id,
    name: input.name.trim(),
    path: localPath(input.path) ?? '/wall',
    createdAt: now,
    createdBy: input.createdBy,
    expiresAt: now + WALL_LINK_EXPIRIES[input.expiry],
  };
  await store.insertWallLink(link);
  const token = `${id}.${link.expiresAt.toString(36)}.${sign(await signingKey(store), id, link.expiresAt)}`;
  return { link, token };
}

/** The link a token names, when its signature holds, it has not expired and it was not revoked. */
export async function verifyWallLink(store: AccessStore, token: string, now: number): Promise<WallLinkRow | null> {
  const m = TOKEN_RE.exec(token);
  if (!m) return null;
  const expiresAt = Number.parseInt(m[2], 36);
  if (!Number.isSafeInteger(expiresAt) || expiresAt <= now) return null;
  const want = Buffer.from(sign(await signingKey(store), m[1], expiresAt), 'base64url');
  const got = Buffer.from(m[3], 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  const link = await store.getWallLink(m[1], now);
  return link && link.expiresAt === expiresAt ? link : null;
}
