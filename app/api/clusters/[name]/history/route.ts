import { z } from 'zod';
import { ApiError, clusterOr404, handle, json, parseQuery } from '@/lib/api/respond';

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
export async function GET(req: Request, ctx: { params: Promise<{ name: string }> }) {
  const { name } = await ctx.params;
  return handle(async (rt) => {
    const q = parseQuery(req.url, Query);
    const to = q.to ?? Date.now();
    if (q.from >= to) throw new ApiError(400, 'invalid parameter from: must be before to');
    if (to - q.from > MAX_RANGE_MS) throw new ApiError(400, 'invalid parameter from: range longer than 31 days');
    const engine = clusterOr404(rt, name);
    const h = await engine.history(q.from, to, q.maxPoints);
    return json({ cluster: engine.name, from: q.from, to, ...h });
  });
}
