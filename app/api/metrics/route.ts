import { handle } from '@/lib/api/respond';

export const dynamic = 'force-dynamic';

/** Fulcrum's own metrics in the Prometheus text format. */
export const GET = handle('public', async ({ rt }) => {
  const body = await rt.telemetry.registry.metrics();
  return new Response(body, {
    headers: { 'Content-Type': rt.telemetry.registry.contentType, 'Cache-Control': 'no-store' },
  });
});
