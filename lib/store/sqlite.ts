// The embedded store: one SQLite file (WAL, synchronous=FULL) under the data dir, created on
// first use. better-sqlite3 is synchronous; each call is short (an indexed row or two).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA, META_COLUMNS, MIGRATIONS, SchemaTooNewError } from './migrations';
import type { SnapshotMeta, SnapshotRow, SnapshotStore } from './types';

export const SQLITE_FILE = 'fulcrum-snapshots.sqlite';

interface MetaRowDb {
  id: string;
  cluster: string;
  title: string | null;
  created_at: number;
  created_by: string | null;
  window_from: number;
  window_to: number;
  expires_at: number | null;
  schema_version: number;
  size_bytes: number;
  stored_bytes: number;
}

export function metaFromDb(r: MetaRowDb): SnapshotMeta {
  return {
    id: r.id,
    cluster: r.cluster,
    title: r.title,
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    windowFrom: Number(r.window_from),
    windowTo: Number(r.window_to),
    expiresAt: r.expires_at === null ? null : Number(r.expires_at),
    schemaVersion: Number(r.schema_version),
    sizeBytes: Number(r.size_bytes),
    storedBytes: Number(r.stored_bytes),
  };
}

export class SqliteStore implements SnapshotStore {
  readonly kind = 'sqlite' as const;
  readonly file: string;
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.file = path.join(dataDir, SQLITE_FILE);
    this.db = new Database(this.file);
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS fulcrum_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    // IMMEDIATE: a second process opening the same file waits instead of migrating twice.
    const run = this.db.transaction(() => {
      const cur =
        (this.db.prepare('SELECT MAX(version) AS v FROM fulcrum_migrations').get() as { v: number | null }).v ?? 0;
      if (cur > LATEST_SCHEMA) throw new SchemaTooNewError(cur);
      for (const m of MIGRATIONS) {
        if (m.version <= cur) continue;
        this.db.exec(m.sqlite);
        this.db
          .prepare('INSERT INTO fulcrum_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, Date.now());
      }
    });
    run.immediate();
  }

  async schemaVersion(): Promise<number> {
    return (this.db.prepare('SELECT MAX(version) AS v FROM fulcrum_migrations').get() as { v: number | null }).v ?? 0;
  }

  async insert(row: SnapshotRow): Promise<void> {
    const tx = this.db.transaction((r: SnapshotRow) => {
      this.db
        .prepare(
          `INSERT INTO fulcrum_snapshots (${META_COLUMNS}, delete_key_hash) VALUES (@id, @cluster, @title, @createdAt, @createdBy, @windowFrom, @windowTo, @expiresAt, @schemaVersion, @sizeBytes, @storedBytes, @deleteKeyHash)`,
        )
        .run({
          id: r.id,
          cluster: r.cluster,
          title: r.title,
          createdAt: r.createdAt,
          createdBy: r.createdBy,
          windowFrom: r.windowFrom,
          windowTo: r.windowTo,
          expiresAt: r.expiresAt,
          schemaVersion: r.schemaVersion,
          sizeBytes: r.sizeBytes,
          storedBytes: r.storedBytes,
          deleteKeyHash: r.deleteKeyHash,
        });
      this.db
        .prepare('INSERT INTO fulcrum_snapshot_bodies (id, body, body_sha256) VALUES (?, ?, ?)')
        .run(r.id, r.body, r.bodySha256);
    });
    tx.immediate(row);
  }

  async get(id: string, now: number): Promise<SnapshotRow | null> {
    const r = this.db
      .prepare(
        `SELECT s.id, s.cluster, s.title, s.created_at, s.created_by, s.window_from, s.window_to, s.expires_at, s.schema_version, s.size_bytes, s.stored_bytes, s.delete_key_hash, b.body, b.body_sha256
         FROM fulcrum_snapshots s JOIN fulcrum_snapshot_bodies b ON b.id = s.id WHERE s.id = ?`,
      )
      .get(id) as (MetaRowDb & { delete_key_hash: string; body: Buffer; body_sha256: string }) | undefined;
    if (!r) return null;
    if (r.expires_at !== null && r.expires_at <= now) {
      await this.delete(id);
      return null;
    }
    return { ...metaFromDb(r), deleteKeyHash: r.delete_key_hash, body: r.body, bodySha256: r.body_sha256 };
  }

  async list(now: number, opts: { cluster?: string; limit?: number } = {}): Promise<SnapshotMeta[]> {
    const limit = Math.max(1, Math.min(opts.limit ?? 1000, 10_000));
    const rows = (
      opts.cluster
        ? this.db
            .prepare(
              `SELECT ${META_COLUMNS} FROM fulcrum_snapshots WHERE (expires_at IS NULL OR expires_at > ?) AND cluster = ? ORDER BY created_at DESC, id LIMIT ?`,
            )
            .all(now, opts.cluster, limit)
        : this.db
            .prepare(
              `SELECT ${META_COLUMNS} FROM fulcrum_snapshots WHERE (expires_at IS NULL OR expires_at > ?) ORDER BY created_at DESC, id LIMIT ?`,
            )
            .all(now, limit)
    ) as MetaRowDb[];
    return rows.map(metaFromDb);
  }

  async deleteKeyHash(id: string, now: number): Promise<string | null> {
    const r = this.db.prepare('SELECT delete_key_hash, expires_at FROM fulcrum_snapshots WHERE id = ?').get(id) as
      | { delete_key_hash: string; expires_at: number | null }
      | undefined;
    if (!r || (r.expires_at !== null && r.expires_at <= now)) return null;
    return r.delete_key_hash;
  }

  async delete(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM fulcrum_snapshots WHERE id = ?').run(id).changes > 0;
  }

  async purgeExpired(now: number): Promise<number> {
    return this.db.prepare('DELETE FROM fulcrum_snapshots WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now)
      .changes;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
