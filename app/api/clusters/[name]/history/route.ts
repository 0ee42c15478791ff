import { z } from 'zod';
import { clusterOr404, handle, json } from '@/lib/api/respond';
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

/** History frames between `from` and `to` (ms since epoch): memory when it covers it, else Prometheus. */
export const GET = handle<{ name: string }>('read', async ({ req, rt, params }) => {
  const q = parseQuery(req.url, Query);
  const to = q.to ?? Date.now();
  if (q.from >= to) throw new ValidationError('invalid parameter from: must be before to');
  if (to - q.from > MAX_RANGE_MS) throw new ValidationError('invalid parameter from: range longer than 31 days');
  const engine = clusterOr404(rt, params.name);
  const h = await engine.history(q.from, to, q.maxPoints);
  return json<HistoryResponse>({ cluster: engine.name, from: q.from, to, ...h });
});
