import { ClusterOverview } from '@/components/ClusterOverview';
import { StartupError } from '@/components/StartupError';
import { ConfigError } from '@/lib/config/load';
import { getRuntime } from '@/lib/engine/runtime';
import type { ClusterSummary } from '@/lib/types';

// The config is read at run time: never prerender.
export const dynamic = 'force-dynamic';

export default function Home() {
  let clusters: ClusterSummary[];
  try {
    clusters = [...getRuntime().clusters.values()].map((e) => e.summary());
  } catch (e) {
    if (e instanceof ConfigError) return <StartupError message={e.message} />;
    throw e;
  }
  return (
    <main>
      <ClusterOverview initial={clusters} />
    </main>
  );
}
