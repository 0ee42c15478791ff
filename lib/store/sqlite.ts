// The embedded store: one SQLite file (WAL, synchronous=FULL) under the data dir, created on
// first use. better-sqlite3 is synchronous; each call is short (an indexed row or two).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { writing } from './errors';
import { LATEST_SCHEMA, META_COLUMNS, MIGRATIONS, SchemaTooNewError } from './migrations';
import type { SessionRow, SnapshotMeta, SnapshotRow, SnapshotStore, WallLinkRow } from './types';

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
    // The data dir is Fulcrum's alone (0700) and the database files are 0600, whoever made the
    // dir and whatever the umask: mkdirSync's mode applies only to a dir it creates.
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dataDir, 0o700);
    this.file = path.join(dataDir, SQLITE_FILE);
    if (!fs.existsSync(this.file)) fs.closeSync(fs.openSync(this.file, 'a', 0o600));
    this.db = new Database(this.file);
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    for (const f of [this.file, `${this.file}-wal`, `${this.file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
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
    await writing('SQLite', () => tx.immediate(row));
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

  async insertSession(r: SessionRow): Promise<void> {
    await writing('SQLite', () =>
      this.db
        .prepare(
          'INSERT INTO fulcrum_sessions (id_hash, role, user_name, via, created_at, expires_at, link_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(r.idHash, r.role, r.user, r.via, r.createdAt, r.expiresAt, r.linkId),
    );
  }

  async getSession(idHash: string, now: number): Promise<SessionRow | null> {
    const r = this.db.prepare('SELECT * FROM fulcrum_sessions WHERE id_hash = ?').get(idHash) as SessionDb | undefined;
    if (!r) return null;
    if (Number(r.expires_at) <= now) {
      // Best effort: an expired session is refused whether or not its row can go now (a full disk).
      await this.deleteSession(idHash).catch(() => undefined);
      return null;
    }
    return sessionFromDb(r);
  }

  async deleteSession(idHash: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM fulcrum_sessions WHERE id_hash = ?').run(idHash).changes > 0;
  }

  async insertWallLink(l: WallLinkRow): Promise<void> {
    await writing('SQLite', () =>
      this.db
        .prepare(
          'INSERT INTO fulcrum_wall_links (id, name, path, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(l.id, l.name, l.path, l.createdAt, l.createdBy, l.expiresAt),
    );
  }

  async getWallLink(id: string, now: number): Promise<WallLinkRow | null> {
    const r = this.db.prepare('SELECT * FROM fulcrum_wall_links WHERE id = ? AND expires_at > ?').get(id, now) as
      | WallLinkDb
      | undefined;
    return r ? wallLinkFromDb(r) : null;
  }

  async listWallLinks(now: number): Promise<Array<WallLinkRow & { sessions: number }>> {
    const rows = this.db
      .prepare(
        `SELECT l.*, (SELECT COUNT(*) FROM fulcrum_sessions s WHERE s.link_id = l.id AND s.expires_at > ?) AS sessions
         FROM fulcrum_wall_links l WHERE l.expires_at > ? ORDER BY l.created_at DESC, l.id LIMIT 1000`,
      )
      .all(now, now) as Array<WallLinkDb & { sessions: number }>;
    return rows.map((r) => ({ ...wallLinkFromDb(r), sessions: Number(r.sessions) }));
  }

  async deleteWallLink(id: string): Promise<boolean> {
    const tx = this.db.transaction(() => {
      this.db.prepare('DELETE FROM fulcrum_sessions WHERE link_id = ?').run(id);
      return this.db.prepare('DELETE FROM fulcrum_wall_links WHERE id = ?').run(id).changes > 0;
    });
    return tx.immediate();
  }

  async rateAdd(bucket: string, win: number, n: number): Promise<number> {
    const r = await writing(
      'SQLite',
      () =>
        this.db
          .prepare(
            'INSERT INTO fulcrum_rate (bucket, win, n) VALUES (?, ?, ?) ON CONFLICT (bucket, win) DO UPDATE SET n = n + excluded.n RETURNING n',
          )
          .get(bucket, win, n) as { n: number },
    );
    return Number(r.n);
  }

  async rateGet(bucket: string, wins: number[]): Promise<number[]> {
    const q = this.db.prepare('SELECT n FROM fulcrum_rate WHERE bucket = ? AND win = ?');
    return wins.map((w) => Number((q.get(bucket, w) as { n: number } | undefined)?.n ?? 0));
  }

  async secret(name: string, make: () => string): Promise<string> {
    this.db
      .prepare('INSERT INTO fulcrum_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING')
      .run(name, make());
    return (this.db.prepare('SELECT value FROM fulcrum_secrets WHERE name = ?').get(name) as { value: string }).value;
  }

  async purgeAccess(now: number, rateBefore: number): Promise<void> {
    this.db.prepare('DELETE FROM fulcrum_sessions WHERE expires_at <= ?').run(now);
    this.db.prepare('DELETE FROM fulcrum_wall_links WHERE expires_at <= ?').run(now);
    this.db.prepare('DELETE FROM fulcrum_rate WHERE win < ?').run(rateBefore);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

export interface SessionDb {
  id_hash: string;
  role: string;
  user_name: string | null;
  via: string;
  created_at: number | string;
  expires_at: number | string;
  link_id: string | null;
}

export function sessionFromDb(r: SessionDb): SessionRow {
  return {
    idHash: r.id_hash,
    role: r.role === 'admin' ? 'admin' : 'viewer',
    user: r.user_name,
    via: r.via === 'wall-link' ? 'wall-link' : 'token',
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    linkId: r.link_id,
  };
}

export interface WallLinkDb {
  id: string;
  name: string;
  path: string;
  created_at: number | string;
  created_by: string | null;
  expires_at: number | string;
}

export function wallLinkFromDb(r: WallLinkDb): WallLinkRow {
  return {
    id: r.id,
    name: r.name,
    path: r.path,
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    expiresAt: Number(r.expires_at),
  };
}
