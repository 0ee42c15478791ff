import { handle, json } from '@/lib/api/respond';
import type { HealthResponse } from '@/lib/api/types';

export const dynamic = 'force-dynamic';

/** Liveness: the server runs and its config loaded. Says nothing about the clusters. */
export const GET = handle('public', ({ rt }) =>
  json<HealthResponse>({
    ok: true,
    clusters: rt.clusters.size,
    uptimeSeconds: Math.round((Date.now() - rt.startedAt) / 1000),
  }),
);
