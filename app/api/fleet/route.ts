import { handle, json, parseQuery } from '@/lib/api/respond';
import { FleetQuerySchema, fleetFilter } from '@/lib/fleet/filter';

export const dynamic = 'force-dynamic';

/** Every cluster's summary (FleetState); `?name=&label=k=v,k2=v2&source=direct|prometheus` filter it. */
export function GET(req: Request) {
  return handle((rt) => {
    const q = parseQuery(req.url, FleetQuerySchema);
    if (!q.name && !q.label && !q.source)
      return new Response(rt.fleet.stateJson(), {
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
      });
    const s = rt.fleet.state();
    return json({ ...s, clusters: s.clusters.filter(fleetFilter(q)) });
  });
}
