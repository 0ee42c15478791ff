import { handle, json } from '@/lib/api/respond';

export const dynamic = 'force-dynamic';

export function GET() {
  return handle((rt) => json({ clusters: [...rt.clusters.values()].map((e) => e.summary()) }));
}
