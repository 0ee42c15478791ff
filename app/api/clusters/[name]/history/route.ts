import { z } from 'zod';
import { clusterOr404, handle, sharedJson } from '@/lib/api/respond';
import { parseQuery } from '@/lib/api/parse';
import type { HistoryResponse } from '@/lib/api/types';
import { ValidationError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

const MAX_RANGE_MS = 31 * 24 * 3600_000;
const Query = z
  .object({
    from: z.coerce.number().int().positive(),
    to: z.coerce.number().int().positive().optional(),
    maxPoints: z.coerce.number().int().min(10).max(5000).default(1500),
  })
  .strict();

/**
 * History frames between `from` and `to` (ms since epoch): memory when it covers it, else Prometheus,
 * one set of queries per range and step for every viewer (lib/engine/history.ts). `from`/`to` in
 * the answer are the range served (aligned to the poll interval or the step).
 */
export const GET = handle<{ name: string }>('read', async ({ req, rt, params }) => {
  const q = parseQuery(req.url, Query);
  const to = q.to ?? Date.now();
  if (q.from >= to) throw new ValidationError('invalid parameter from: must be before to');
  if (to - q.from > MAX_RANGE_MS) throw new ValidationError('invalid parameter from: range longer than 31 days');
  const engine = clusterOr404(rt, params.name);
  const h = await engine.history(q.from, to, q.maxPoints);
  // Viewers of the same range get the same answer object: encoded once for all of them.
  return sharedJson<HistoryResponse>(h, () => ({ cluster: engine.name, ...h }));
});
