import { handle } from '@/lib/api/respond';

export const dynamic = 'force-dynamic';

/** Fulcrum's own metrics in the Prometheus text format. */
export function GET() {
  return handle(async (rt) => {
    const body = await rt.telemetry.registry.metrics();
    return new Response(body, {
      headers: { 'Content-Type': rt.telemetry.registry.contentType, 'Cache-Control': 'no-store' },
    });
  });
}
