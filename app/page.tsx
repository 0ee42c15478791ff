import { FleetPage } from '@/components/fleet/FleetPage';
import { StartupError } from '@/components/StartupError';
import { parseFleetParams } from '@/lib/client/fleet/params';
import { ConfigError } from '@/lib/config/load';
import { getRuntime } from '@/lib/engine/runtime';

// The config is read at run time: never prerender. The fleet itself comes from the fleet
// stream in the browser; the URL holds the view.
export const dynamic = 'force-dynamic';

export default async function Home({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  try {
    getRuntime();
  } catch (e) {
    if (e instanceof ConfigError) return <StartupError message={e.message} />;
    throw e;
  }
  return (
    <main>
      <FleetPage initialParams={parseFleetParams(await searchParams)} />
    </main>
  );
}
