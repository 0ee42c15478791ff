import { handle } from '@/lib/api/respond';
import { fleetFeed } from '@/lib/fleet/stream';
import { sseStream, streamLimits } from '@/lib/stream/sse';

export const dynamic = 'force-dynamic';

/** SSE: `event: fleet` (FleetState) on connect, then `event: fleet-delta` (FleetDelta) per fleet tick. */
export const GET = handle('read', ({ req, rt, access }) => {
  const t = rt.telemetry;
  return sseStream(fleetFeed(rt.fleet), req.signal, {
    limits: streamLimits(rt.config.server, access.client),
    onOpen: () => t.fleetSubscribers.inc(),
    onClose: () => t.fleetSubscribers.dec(),
    onDrop: () => t.fleetDropped.inc(),
  });
});
