import { z } from 'zod';
import { clusterOr404, handle, json, parseQuery } from '@/lib/api/respond';

export const dynamic = 'force-dynamic';

const Query = z.object({ frames: z.enum(['0', '1']).default('0') }).strict();

/** Current state of one cluster; `?frames=1` adds the in-memory history. */
export async function GET(req: Request, ctx: { params: Promise<{ name: string }> }) {
  const { name } = await ctx.params;
  return handle((rt) => {
    const q = parseQuery(req.url, Query);
    const { frames, ...state } = clusterOr404(rt, name).state();
    return json(q.frames === '1' ? { ...state, frames } : state);
  });
}
