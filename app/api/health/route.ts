import { handle, json } from '@/lib/api/respond';

export const dynamic = 'force-dynamic';

/** Liveness: the server runs and its config loaded. Says nothing about the clusters. */
export function GET() {
  return handle((rt) =>
    json({ ok: true, clusters: rt.clusters.size, uptimeSeconds: Math.round((Date.now() - rt.startedAt) / 1000) }),
  );
}
