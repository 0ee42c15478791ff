// Server component: "Copy link" and "Snapshot" for a cluster (or member) page, with what this
// browser may do. Drop-in: <SnapshotControls cluster={name} /> (on a member page add
// member={name}: the snapshot link then opens that member inside the snapshot).
import { headers } from 'next/headers';
import { identify } from '@/lib/auth/access';
import { accessContext } from '@/lib/auth/context';
import { getRuntime } from '@/lib/engine/runtime';
import { ClusterToolbar } from './ClusterToolbar';

export async function SnapshotControls({ cluster, member }: { cluster: string; member?: string }) {
  const rt = getRuntime();
  const a = await identify(await headers(), accessContext(rt));
  return (
    <ClusterToolbar
      cluster={cluster}
      member={member}
      copyLink={!member}
      access={{ required: a.required, granted: a.granted, user: a.user }}
      defaultExpiry={rt.config.snapshots.defaultExpiry}
    />
  );
}
