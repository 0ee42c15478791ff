// Server-side loading for the snapshot pages (deduplicated per request with React's cache).
import { cache } from 'react';
import { getRuntime } from '../engine/runtime';
import { getStore } from '../store';
import type { SnapshotRecord } from '../store/types';
import { SNAPSHOT_ID_RE } from './ids';
import { loadSnapshot } from './service';

export const loadSnapshotForPage = cache(
  async (id: string): Promise<{ record: SnapshotRecord; liveExists: boolean } | null> => {
    if (!SNAPSHOT_ID_RE.test(id)) return null;
    const rt = getRuntime();
    const store = await getStore(rt.config.snapshots);
    const record = await loadSnapshot(store, id, Date.now());
    if (!record) return null;
    return { record, liveExists: rt.clusters.has(record.cluster.name) };
  },
);
