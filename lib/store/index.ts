// The process-wide snapshot store, opened on first use: PostgreSQL when DATABASE_URL is set,
// otherwise SQLite under snapshots.dataDir. Lives on globalThis like the runtime (Next.js may
// load this module more than once).
import type { FulcrumConfig } from '../config/load';
import { PostgresStore } from './postgres';
import { SqliteStore } from './sqlite';
import type { SnapshotStore } from './types';

export async function openStore(cfg: FulcrumConfig['snapshots']): Promise<SnapshotStore> {
  if (cfg.databaseUrl) return PostgresStore.open(cfg.databaseUrl.reveal());
  return new SqliteStore(cfg.dataDir);
}

const KEY = Symbol.for('fulcrum.snapshotStore');
type Holder = { [KEY]?: Promise<SnapshotStore> };

export function getStore(cfg: FulcrumConfig['snapshots']): Promise<SnapshotStore> {
  const g = globalThis as Holder;
  if (!g[KEY]) {
    const p = openStore(cfg);
    g[KEY] = p;
    // A failed open (database down) is retried by the next request rather than remembered.
    p.catch(() => {
      if (g[KEY] === p) delete g[KEY];
    });
  }
  return g[KEY];
}

/** For tests: install a store (or remove it). */
export function setStore(store: SnapshotStore | undefined): void {
  const g = globalThis as Holder;
  if (store) g[KEY] = Promise.resolve(store);
  else delete g[KEY];
}
