import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ClusterLive } from '@/components/ClusterLive';
import { DemoFaultPanel } from '@/components/DemoFaultPanel';
import { SnapshotControls } from '@/components/snapshot/SnapshotControls';
import { StartupError } from '@/components/StartupError';
import { ConfigError } from '@/lib/config/load';
import { demoControlUrl } from '@/lib/demo/faults';
import { getRuntime, type Runtime } from '@/lib/engine/runtime';
import { parseViewParams } from '@/lib/client/viewParams';

// The config is read at run time: never prerender.
export const dynamic = 'force-dynamic';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

type Props = {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: NAME_RE.test(name) ? `${name} · Fulcrum` : 'Fulcrum' };
}

export default async function ClusterPage({ params, searchParams }: Props) {
  const { name } = await params;
  if (!NAME_RE.test(name)) notFound();
  let rt: Runtime;
  try {
    rt = getRuntime();
  } catch (e) {
    if (e instanceof ConfigError) return <StartupError message={e.message} />;
    throw e;
  }
  const engine = rt.clusters.get(name);
  if (!engine) notFound();
  const view = parseViewParams(await searchParams);
  // The history (frames) comes with the stream's first message: keep the page payload small.
  const { frames: _frames, ...rest } = engine.state();
  void _frames;
  // Fault buttons for the local stack: only with FULCRUM_DEMO=1 and a control URL.
  const demo = demoControlUrl(rt.config) !== null;
  return (
    <>
      <SnapshotControls cluster={name} />
      {demo && (
        <div className="mb-4">
          <DemoFaultPanel members={rest.members.map((m) => m.name)} />
        </div>
      )}
      <ClusterLive key={name} name={name} initialState={{ ...rest, frames: [] }} initialView={view} />
    </>
  );
}
