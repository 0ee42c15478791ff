import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { MemberLive } from '@/components/member/MemberLive';
import { SnapshotControls } from '@/components/snapshot/SnapshotControls';
import { parseLogQuery, parseWindow } from '@/components/member/model';
import { getRuntime } from '@/lib/engine/runtime';
import { findMember } from '@/lib/logs/members';

// The config is read at run time: never prerender.
export const dynamic = 'force-dynamic';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

type Props = {
  params: Promise<{ name: string; member: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

function resolve(name: string, member: string) {
  if (!NAME_RE.test(name)) return null;
  const engine = getRuntime().clusters.get(name);
  if (!engine) return null;
  const state = engine.state();
  const names = new Map(state.members.map((m) => [m.endpoint, m.name]));
  const ep = findMember(engine.cluster, member, names);
  if (!ep) return null;
  return { engine, state, ep, memberState: state.members.find((m) => m.endpoint === ep.url)! };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name, member } = await params;
  const r = resolve(name, member);
  return { title: r ? `${r.memberState.name} · ${name} · Fulcrum` : 'Fulcrum' };
}

/** `/clusters/{name}/members/{member}?from=&to=` (ms): one member over one window. */
export default async function MemberPage({ params, searchParams }: Props) {
  const { name, member } = await params;
  const r = resolve(name, member);
  if (!r) notFound();
  const sp = await searchParams;
  const { from, to } = parseWindow(sp, Date.now());
  const { frames: _frames, ...rest } = r.state;
  void _frames;
  const memberParam = r.memberState.name && r.memberState.name !== r.ep.url ? r.memberState.name : r.ep.url;
  return (
    <>
      <SnapshotControls cluster={name} member={memberParam} />
      <MemberLive
        key={`${name}/${r.ep.url}`}
        cluster={name}
        endpoint={r.ep.url}
        memberParam={memberParam}
        from={from}
        to={to}
        initialState={{ ...rest, frames: [] }}
        initialQuery={parseLogQuery(sp)}
      />
    </>
  );
}
