import { handle, json } from '@/lib/api/respond';
import type { ClusterListResponse } from '@/lib/api/types';

export const dynamic = 'force-dynamic';

/** Every configured cluster, one summary each. */
export const GET = handle('read', ({ rt }) =>
  json<ClusterListResponse>({ clusters: [...rt.clusters.values()].map((e) => e.summary()) }),
);
