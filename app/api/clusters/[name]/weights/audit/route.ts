import { z } from 'zod';
import { parseQuery } from '@/lib/api/parse';
import { clusterOr404, handle, json } from '@/lib/api/respond';
import type { WeightsAuditResponse } from '@/lib/api/types';

export const dynamic = 'force-dynamic';

const Query = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }).strict();

/** The weights agent's audit log for one cluster (the file's tail), newest last. */
export const GET = handle<{ name: string }>('read', async ({ req, rt, params }) => {
  const q = parseQuery(req.url, Query);
  const engine = clusterOr404(rt, params.name);
  const agent = rt.agent;
  if (!agent?.serves(engine.name))
    return json<WeightsAuditResponse>({ cluster: engine.name, agent: false, entries: [], truncated: false });
  const r = await agent.readAudit(engine.name, q.limit);
  return json<WeightsAuditResponse>({ cluster: engine.name, agent: true, ...r });
});
