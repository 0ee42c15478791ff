import { z } from 'zod';
import { ApiError, clusterOr404, handle, json, parseQuery } from '@/lib/api/respond';
import { requireWrite } from '@/lib/auth/admin';
import { SNAPSHOT_EXPIRIES } from '@/lib/config/schema';
import { createdByOf, logReader, readBodyLimited, storeOf, takeCreation } from '@/lib/snapshots/http';
import { freezeSnapshot, storeRecord, summarize } from '@/lib/snapshots/service';

export const dynamic = 'force-dynamic';

const ListQuery = z
  .object({
    cluster: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/)
      .optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .strict();

/** All snapshots (metadata only, newest first): write access only. */
export async function GET(req: Request) {
  return handle(async (rt) => {
    requireWrite(req, rt.config.auth);
    const q = parseQuery(req.url, ListQuery);
    const store = await storeOf(rt);
    const snapshots = await store.list(Date.now(), { cluster: q.cluster, limit: q.limit });
    return json({ snapshots: snapshots.map((s) => ({ ...s, path: `/s/${s.id}` })) });
  });
}

const CreateBody = z
  .object({
    cluster: z.string().min(1).max(63),
    from: z.number().int().positive().optional(),
    to: z.number().int().positive().optional(),
    /** The window's length, ending now (server clock): what the page's range selector shows. Instead of from/to. */
    rangeMs: z
      .number()
      .int()
      .min(1000)
      .max(24 * 3600_000)
      .optional(),
    title: z.string().max(200, 'at most 200 characters').nullable().optional(),
    note: z.string().max(4000, 'at most 4000 characters').nullable().optional(),
    expiry: z.enum(SNAPSHOT_EXPIRIES, { message: 'one of 1h, 1d, 1w, never' }).optional(),
    /** Only report what would be included (and its size); store nothing. */
    dryRun: z.boolean().optional(),
  })
  .strict();

/**
 * Freezes a cluster's window into a snapshot: `{cluster, from?, to?, title?, note?, expiry?}`.
 * Answers 201 with the link and the delete key (shown once). `dryRun: true` answers what would
 * be included.
 */
export async function POST(req: Request) {
  return handle(async (rt) => {
    const access = requireWrite(req, rt.config.auth);
    const text = await readBodyLimited(req, 64 * 1024);
    let raw: unknown;
    try {
      raw = JSON.parse(text || '{}');
    } catch {
      throw new ApiError(400, 'invalid JSON body');
    }
    const r = CreateBody.safeParse(raw);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new ApiError(400, `invalid ${i.path.join('.') || 'body'}: ${i.message}`);
    }
    const { rangeMs, ...body } = r.data;
    if (rangeMs !== undefined && (body.from !== undefined || body.to !== undefined))
      throw new ApiError(400, 'give either rangeMs or from/to, not both');
    const engine = clusterOr404(rt, body.cluster);
    const now = Date.now();
    if (rangeMs !== undefined) {
      body.to = now;
      body.from = now - rangeMs;
    }
    const ctx = { now, createdBy: createdByOf(access), queryLogs: logReader(engine.state().members) };
    if (body.dryRun) {
      const rec = await freezeSnapshot(rt.config, engine, body, ctx);
      return json(summarize(rec, Buffer.byteLength(JSON.stringify(rec), 'utf8'), rt.config.snapshots.maxBytes));
    }
    takeCreation(req, rt);
    const store = await storeOf(rt);
    const rec = await freezeSnapshot(rt.config, engine, body, ctx);
    const stored = await storeRecord(store, rec, rt.config.snapshots.maxBytes);
    void store.purgeExpired(now).catch(() => undefined);
    const path = `/s/${rec.id}`;
    return json(
      {
        id: rec.id,
        path,
        url: new URL(path, publicOrigin(req)).toString(),
        deleteKey: stored.deleteKey,
        createdAt: rec.createdAt,
        createdBy: rec.createdBy,
        expiresAt: rec.expiresAt,
        window: rec.window,
        sizeBytes: stored.sizeBytes,
        storedBytes: stored.storedBytes,
        summary: summarize(rec, stored.sizeBytes, rt.config.snapshots.maxBytes),
      },
      201,
      { Location: path },
    );
  });
}

/** The origin the browser used (behind a proxy: its forwarded host and scheme). */
function publicOrigin(req: Request): string {
  const u = new URL(req.url);
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host') ?? u.host;
  const proto = req.headers.get('x-forwarded-proto') ?? u.protocol.replace(':', '');
  return `${proto}://${host}`;
}
