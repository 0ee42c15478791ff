import { z } from 'zod';
import { clusterOr404, handle, json } from '@/lib/api/respond';
import { parseQuery } from '@/lib/api/parse';
import type { ClusterStateResponse } from '@/lib/api/types';

export const dynamic = 'force-dynamic';

const Query = z.object({ frames: z.enum(['0', '1']).default('0') }).strict();

/** Current state of one cluster; `?frames=1` adds the in-memory history. */
export const GET = handle<{ name: string }>('read', ({ req, rt, params }) => {
  const q = parseQuery(req.url, Query);
  const { frames, ...state } = clusterOr404(rt, params.name).state();
  return json<ClusterStateResponse>(q.frames === '1' ? { ...state, frames } : state);
});
