import { clusterOr404, handle } from '@/lib/api/respond';
import { sseResponse } from '@/lib/stream/sse';

export const dynamic = 'force-dynamic';

/** SSE: `event: state` (full) on connect, then `event: delta` per poll, `: keep-alive` every 15 s. */
export async function GET(req: Request, ctx: { params: Promise<{ name: string }> }) {
  const { name } = await ctx.params;
  return handle((rt) => {
    const engine = clusterOr404(rt, name);
    const t = rt.telemetry;
    return sseResponse(engine, req.signal, {
      onOpen: () => t.subscribers.inc({ cluster: engine.name }),
      onClose: () => t.subscribers.dec({ cluster: engine.name }),
      onDrop: () => t.dropped.inc({ cluster: engine.name }),
    });
  });
}
