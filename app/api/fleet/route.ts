import { parseQuery } from '@/lib/api/parse';
import { handle, json } from '@/lib/api/respond';
import type { FleetResponse } from '@/lib/api/types';
import { FleetQuerySchema, fleetFilter } from '@/lib/fleet/filter';

export const dynamic = 'force-dynamic';

/** Every cluster's summary (FleetState); `?name=&label=k=v,k2=v2&source=direct|prometheus` filter it. */
export const GET = handle('read', ({ req, rt }) => {
  const q = parseQuery(req.url, FleetQuerySchema);
  if (!q.name && !q.label && !q.source)
    return new Response(rt.fleet.stateJson(), {
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    });
  const s = rt.fleet.state();
  return json<FleetResponse>({ ...s, clusters: s.clusters.filter(fleetFilter(q)) });
});
