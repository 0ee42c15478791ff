import { z } from 'zod';
import { MAX_WEIGHT } from '@/lib/analysis/weights/weightList';
import { parseBody, parseQuery } from '@/lib/api/parse';
import { clusterOr404, handle, json } from '@/lib/api/respond';
import type {
  SnapshotCreatedResponse,
  SnapshotCreateRequest,
  SnapshotListResponse,
  SnapshotPreviewResponse,
} from '@/lib/api/types';
import { NAME_RE, SNAPSHOT_EXPIRIES } from '@/lib/config/schema';
import { absoluteUrl } from '@/lib/http/urls';
import { ValidationError } from '@/lib/errors';
import { createdByOf, logReader, storeOf, takeCreation } from '@/lib/snapshots/http';
import { freezeSnapshot, storeRecord, summarize } from '@/lib/snapshots/service';

export const dynamic = 'force-dynamic';

const ListQuery = z
  .object({
    cluster: z.string().regex(NAME_RE).optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .strict();

/** All snapshots (metadata only, newest first): write access only. */
export const GET = handle('write', async ({ req, rt }) => {
  const q = parseQuery(req.url, ListQuery);
  const store = await storeOf(rt);
  const snapshots = await store.list(Date.now(), { cluster: q.cluster, limit: q.limit });
  return json<SnapshotListResponse>({ snapshots: snapshots.map((s) => ({ ...s, path: `/s/${s.id}` })) });
});

/** The create body's size limit: a window and a note, never data. */
const CREATE_MAX_BYTES = 64 * 1024;

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
    /** What-if weights (one per member, 0..256) frozen with the weights panel. */
    whatIf: z.array(z.number().int().min(0).max(MAX_WEIGHT)).max(15).nullable().optional(),
  })
  .strict() satisfies z.ZodType<SnapshotCreateRequest>;

/**
 * Freezes a cluster's window into a snapshot: `{cluster, from?, to?, title?, note?, expiry?}`.
 * Answers 201 with the link and the delete key (shown once). `dryRun: true` answers what would
 * be included.
 */
export const POST = handle('write', async ({ req, rt, access }) => {
  const { rangeMs, ...body } = await parseBody(req, CreateBody, CREATE_MAX_BYTES);
  if (rangeMs !== undefined && (body.from !== undefined || body.to !== undefined))
    throw new ValidationError('give either rangeMs or from/to, not both');
  const engine = clusterOr404(rt, body.cluster);
  const now = Date.now();
  if (rangeMs !== undefined) {
    body.to = now;
    body.from = now - rangeMs;
  }
  const ctx = { now, createdBy: createdByOf(access), queryLogs: logReader(engine.state().members) };
  if (body.dryRun) {
    const rec = await freezeSnapshot(rt.config, engine, body, ctx);
    return json<SnapshotPreviewResponse>(
      summarize(rec, Buffer.byteLength(JSON.stringify(rec), 'utf8'), rt.config.snapshots.maxBytes),
    );
  }
  await takeCreation(access, rt);
  const store = await storeOf(rt);
  const rec = await freezeSnapshot(rt.config, engine, body, ctx);
  const stored = await storeRecord(store, rec, rt.config.snapshots.maxBytes);
  void store.purgeExpired(now).catch(() => undefined);
  const path = `/s/${rec.id}`;
  return json<SnapshotCreatedResponse>(
    {
      id: rec.id,
      path,
      url: absoluteUrl(rt.config.server, path),
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
