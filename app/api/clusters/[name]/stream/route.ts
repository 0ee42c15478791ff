import { clusterOr404, handle } from '@/lib/api/respond';
import { heartbeatMs } from '@/lib/stream/freshness';
import { sseResponse, streamLimits } from '@/lib/stream/sse';

export const dynamic = 'force-dynamic';

/**
 * SSE: `event: state` (full) on connect, then `event: delta` per poll, and `event: heartbeat`
 * three times per stale window (lib/stream/freshness.ts), so a slow poll does not look like a dead server.
 */
export const GET = handle<{ name: string }>('read', ({ req, rt, params, access }) => {
  const engine = clusterOr404(rt, params.name);
  const t = rt.telemetry;
  return sseResponse(engine, req.signal, {
    heartbeatMs: heartbeatMs(rt.config.pollIntervalMs),
    limits: streamLimits(rt.config.server, access.client),
    onOpen: () => t.subscribers.inc({ cluster: engine.name }),
    onClose: () => t.subscribers.dec({ cluster: engine.name }),
    onDrop: () => t.dropped.inc({ cluster: engine.name }),
  });
});
