import { z } from 'zod';
import { parseForm, parseQuery, readBoundedText, tooLarge } from '@/lib/api/parse';
import { handle, json } from '@/lib/api/respond';
import type { SnapshotImportedResponse } from '@/lib/api/types';
import { SNAPSHOT_EXPIRIES } from '@/lib/config/schema';
import { ValidationError } from '@/lib/errors';
import { storeOf, takeCreation } from '@/lib/snapshots/http';
import { configSecrets } from '@/lib/snapshots/scrub';
import { importSnapshot } from '@/lib/snapshots/service';

export const dynamic = 'force-dynamic';

const Query = z
  .object({ expiry: z.enum(SNAPSHOT_EXPIRIES, { message: 'one of 1h, 1d, 1w, never' }).optional() })
  .strict();

/** What a multipart upload adds around the file: boundaries, part headers, other fields. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** The snapshot file's text: the whole body, or the multipart field "file"; both read with a byte bound. */
async function fileText(req: Request, maxBytes: number): Promise<string> {
  const limit = { maxBytes, setting: 'snapshots.maxBytes', what: 'file' };
  if (!(req.headers.get('content-type') ?? '').startsWith('multipart/form-data')) return readBoundedText(req, limit);
  // The body may be the file plus the multipart framing; the 413 names the file's own limit.
  const form = await parseForm(req, { ...limit, maxBytes: maxBytes + MULTIPART_OVERHEAD_BYTES, namedBytes: maxBytes });
  const f = form.get('file');
  if (!f || typeof f === 'string')
    throw new ValidationError('no file: send the snapshot JSON as the body, or as the multipart field "file"');
  // The body fit the limit with the overhead; the file itself must fit the limit.
  if (f.size > maxBytes) throw tooLarge(limit);
  return f.text();
}

/**
 * Imports an exported snapshot file (the request body, JSON or a multipart upload field
 * named "file"). Validated against its schemaVersion; stored under a new id and delete key.
 */
export const POST = handle('write', async ({ req, rt, access }) => {
  const q = parseQuery(req.url, Query);
  await takeCreation(access, rt);
  const max = rt.config.snapshots.maxBytes;
  const text = await fileText(req, max);
  if (!text.trim()) throw new ValidationError('empty body: send the snapshot JSON file');
  const store = await storeOf(rt);
  const stored = await importSnapshot(store, text, {
    now: Date.now(),
    expiry: q.expiry ?? rt.config.snapshots.defaultExpiry,
    maxBytes: max,
    secrets: configSecrets(rt.config),
  });
  const path = `/s/${stored.record.id}`;
  return json<SnapshotImportedResponse>(
    {
      id: stored.record.id,
      path,
      originalId: stored.originalId,
      deleteKey: stored.deleteKey,
      expiresAt: stored.record.expiresAt,
      sizeBytes: stored.sizeBytes,
      storedBytes: stored.storedBytes,
    },
    201,
    { Location: path },
  );
});
