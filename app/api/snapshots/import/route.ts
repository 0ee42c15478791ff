import { z } from 'zod';
import { ApiError, handle, json, parseQuery } from '@/lib/api/respond';
import { requireWrite } from '@/lib/auth/admin';
import { SNAPSHOT_EXPIRIES } from '@/lib/config/schema';
import { readBodyLimited, storeOf, takeCreation } from '@/lib/snapshots/http';
import { importSnapshot } from '@/lib/snapshots/service';
import { SnapshotFileError } from '@/lib/store/schema';

export const dynamic = 'force-dynamic';

const Query = z
  .object({ expiry: z.enum(SNAPSHOT_EXPIRIES, { message: 'one of 1h, 1d, 1w, never' }).optional() })
  .strict();

/**
 * Imports an exported snapshot file (the request body, JSON or a multipart upload field
 * named "file"). Validated against its schemaVersion; stored under a new id and delete key.
 */
export async function POST(req: Request) {
  return handle(async (rt) => {
    requireWrite(req, rt.config.auth);
    const q = parseQuery(req.url, Query);
    takeCreation(req, rt);
    const max = rt.config.snapshots.maxBytes;
    let text: string;
    if ((req.headers.get('content-type') ?? '').startsWith('multipart/form-data')) {
      const len = Number(req.headers.get('content-length') ?? NaN);
      if (Number.isFinite(len) && len > max + 64 * 1024)
        throw new ApiError(413, `file too large: over the ${(max / 1e6).toFixed(1)} MB limit (snapshots.maxBytes)`);
      const form = await req.formData().catch(() => {
        throw new ApiError(400, 'invalid multipart body');
      });
      const f = form.get('file');
      if (!f || typeof f === 'string')
        throw new ApiError(400, 'no file: send the snapshot JSON as the body, or as the multipart field "file"');
      if (f.size > max)
        throw new ApiError(413, `file too large: over the ${(max / 1e6).toFixed(1)} MB limit (snapshots.maxBytes)`);
      text = await f.text();
    } else {
      text = await readBodyLimited(req, max);
    }
    if (!text.trim()) throw new ApiError(400, 'empty body: send the snapshot JSON file');
    const store = await storeOf(rt);
    const now = Date.now();
    try {
      const stored = await importSnapshot(store, text, {
        now,
        expiry: q.expiry ?? rt.config.snapshots.defaultExpiry,
        maxBytes: max,
      });
      const path = `/s/${stored.record.id}`;
      return json(
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
    } catch (e) {
      if (e instanceof SnapshotFileError) throw new ApiError(400, e.message);
      throw e;
    }
  });
}
