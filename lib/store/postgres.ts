// The shared store for several Fulcrum replicas: PostgreSQL (DATABASE_URL), the same schema
// and interface as SQLite. Migrations take an advisory lock, so replicas starting together
// migrate once.
import pg from 'pg';
import { writing } from './errors';
import { LATEST_SCHEMA, META_COLUMNS, MIGRATIONS, SchemaTooNewError } from './migrations';
import { metaFromDb, type SessionDb, sessionFromDb, type WallLinkDb, wallLinkFromDb } from './sqlite';
import type { SessionRow, SnapshotMeta, SnapshotRow, SnapshotStore, WallLinkRow } from './types';

/** Any constant: the key of the migration lock ("fulcrum" in ASCII). */
const MIGRATION_LOCK = '28839556009850221'; // 0x66756c6372756d, a bigint: kept as a string

export class PostgresStore implements SnapshotStore {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Connects and migrates. `url` is never logged (it holds the password). */
  static async open(url: string, opts: { max?: number } = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.max ?? 5,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client's error (server restart) must not crash the process.
    pool.on('error', (e) => console.error('fulcrum: snapshot store (PostgreSQL) connection error:', e.message));
    const store = new PostgresStore(pool);
    try {
      await store.migrate();
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    return store;
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const r = await fn(c);
      await c.query('COMMIT');
      return r;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  private async migrate(): Promise<void> {
    await this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query(
        'CREATE TABLE IF NOT EXISTS fulcrum_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const cur = Number(
        (await c.query<{ v: number | null }>('SELECT MAX(version) AS v FROM fulcrum_migrations')).rows[0].v ?? 0,
      );
      if (cur > LATEST_SCHEMA) throw new SchemaTooNewError(cur);
      for (const m of MIGRATIONS) {
        if (m.version <= cur) continue;
        await c.query(m.postgres);
        await c.query('INSERT INTO fulcrum_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          Date.now(),
        ]);
      }
    });
  }

  async schemaVersion(): Promise<number> {
    return Number(
      (await this.pool.query<{ v: number | null }>('SELECT MAX(version) AS v FROM fulcrum_migrations')).rows[0].v ?? 0,
    );
  }

  async insert(r: SnapshotRow): Promise<void> {
    await writing('PostgreSQL', () => this.insertTx(r));
  }

  private async insertTx(r: SnapshotRow): Promise<void> {
    await this.tx(async (c) => {
      await c.query(
        `INSERT INTO fulcrum_snapshots (${META_COLUMNS}, delete_key_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          r.id,
          r.cluster,
          r.title,
          r.createdAt,
          r.createdBy,
          r.windowFrom,
          r.windowTo,
          r.expiresAt,
          r.schemaVersion,
          r.sizeBytes,
          r.storedBytes,
          r.deleteKeyHash,
        ],
      );
      await c.query('INSERT INTO fulcrum_snapshot_bodies (id, body, body_sha256) VALUES ($1, $2, $3)', [
        r.id,
        r.body,
        r.bodySha256,
      ]);
    });
  }

  async get(id: string, now: number): Promise<SnapshotRow | null> {
    const res = await this.pool.query(
      `SELECT s.id, s.cluster, s.title, s.created_at, s.created_by, s.window_from, s.window_to, s.expires_at, s.schema_version, s.size_bytes, s.stored_bytes, s.delete_key_hash, b.body, b.body_sha256
       FROM fulcrum_snapshots s JOIN fulcrum_snapshot_bodies b ON b.id = s.id WHERE s.id = $1`,
      [id],
    );
    const r = res.rows[0];
    if (!r) return null;
    if (r.expires_at !== null && Number(r.expires_at) <= now) {
      await this.delete(id);
      return null;
    }
    return { ...metaFromDb(r), deleteKeyHash: r.delete_key_hash, body: r.body as Buffer, bodySha256: r.body_sha256 };
  }

  async list(now: number, opts: { cluster?: string; limit?: number } = {}): Promise<SnapshotMeta[]> {
    const limit = Math.max(1, Math.min(opts.limit ?? 1000, 10_000));
    const res = opts.cluster
      ? await this.pool.query(
          `SELECT ${META_COLUMNS} FROM fulcrum_snapshots WHERE (expires_at IS NULL OR expires_at > $1) AND cluster = $2 ORDER BY created_at DESC, id LIMIT $3`,
          [now, opts.cluster, limit],
        )
      : await this.pool.query(
          `SELECT ${META_COLUMNS} FROM fulcrum_snapshots WHERE (expires_at IS NULL OR expires_at > $1) ORDER BY created_at DESC, id LIMIT $2`,
          [now, limit],
        );
    return res.rows.map(metaFromDb);
  }

  async deleteKeyHash(id: string, now: number): Promise<string | null> {
    const r = (await this.pool.query('SELECT delete_key_hash, expires_at FROM fulcrum_snapshots WHERE id = $1', [id]))
      .rows[0];
    if (!r || (r.expires_at !== null && Number(r.expires_at) <= now)) return null;
    return r.delete_key_hash as string;
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM fulcrum_snapshots WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async purgeExpired(now: number): Promise<number> {
    return (
      (await this.pool.query('DELETE FROM fulcrum_snapshots WHERE expires_at IS NOT NULL AND expires_at <= $1', [now]))
        .rowCount ?? 0
    );
  }

  async insertSession(r: SessionRow): Promise<void> {
    await writing('PostgreSQL', () =>
      this.pool.query(
        'INSERT INTO fulcrum_sessions (id_hash, role, user_name, via, created_at, expires_at, link_id) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [r.idHash, r.role, r.user, r.via, r.createdAt, r.expiresAt, r.linkId],
      ),
    );
  }

  async getSession(idHash: string, now: number): Promise<SessionRow | null> {
    const r = (await this.pool.query<SessionDb>('SELECT * FROM fulcrum_sessions WHERE id_hash = $1', [idHash])).rows[0];
    if (!r) return null;
    if (Number(r.expires_at) <= now) {
      await this.deleteSession(idHash).catch(() => undefined);
      return null;
    }
    return sessionFromDb(r);
  }

  async deleteSession(idHash: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM fulcrum_sessions WHERE id_hash = $1', [idHash])).rowCount ?? 0) > 0;
  }

  async insertWallLink(l: WallLinkRow): Promise<void> {
    await this.pool.query(
      'INSERT INTO fulcrum_wall_links (id, name, path, created_at, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [l.id, l.name, l.path, l.createdAt, l.createdBy, l.expiresAt],
    );
  }

  async getWallLink(id: string, now: number): Promise<WallLinkRow | null> {
    const r = (
      await this.pool.query<WallLinkDb>('SELECT * FROM fulcrum_wall_links WHERE id = $1 AND expires_at > $2', [id, now])
    ).rows[0];
    return r ? wallLinkFromDb(r) : null;
  }

  async listWallLinks(now: number): Promise<Array<WallLinkRow & { sessions: number }>> {
    const res = await this.pool.query<WallLinkDb & { sessions: string }>(
      `SELECT l.*, (SELECT COUNT(*) FROM fulcrum_sessions s WHERE s.link_id = l.id AND s.expires_at > $1) AS sessions
       FROM fulcrum_wall_links l WHERE l.expires_at > $1 ORDER BY l.created_at DESC, l.id LIMIT 1000`,
      [now],
    );
    return res.rows.map((r) => ({ ...wallLinkFromDb(r), sessions: Number(r.sessions) }));
  }

  async deleteWallLink(id: string): Promise<boolean> {
    return this.tx(async (c) => {
      await c.query('DELETE FROM fulcrum_sessions WHERE link_id = $1', [id]);
      return ((await c.query('DELETE FROM fulcrum_wall_links WHERE id = $1', [id])).rowCount ?? 0) > 0;
    });
  }

  async rateAdd(bucket: string, win: number, n: number): Promise<number> {
    const r = await this.pool.query<{ n: number }>(
      'INSERT INTO fulcrum_rate (bucket, win, n) VALUES ($1, $2, $3) ON CONFLICT (bucket, win) DO UPDATE SET n = fulcrum_rate.n + EXCLUDED.n RETURNING n',
      [bucket, win, n],
    );
    return Number(r.rows[0].n);
  }

  async rateGet(bucket: string, wins: number[]): Promise<number[]> {
    const r = await this.pool.query<{ win: string; n: number }>(
      'SELECT win, n FROM fulcrum_rate WHERE bucket = $1 AND win = ANY($2::bigint[])',
      [bucket, wins],
    );
    const by = new Map(r.rows.map((x) => [Number(x.win), Number(x.n)]));
    return wins.map((w) => by.get(w) ?? 0);
  }

  async secret(name: string, make: () => string): Promise<string> {
    await this.pool.query('INSERT INTO fulcrum_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
      name,
      make(),
    ]);
    return (await this.pool.query<{ value: string }>('SELECT value FROM fulcrum_secrets WHERE name = $1', [name]))
      .rows[0].value;
  }

  async purgeAccess(now: number, rateBefore: number): Promise<void> {
    await this.pool.query('DELETE FROM fulcrum_sessions WHERE expires_at <= $1', [now]);
    await this.pool.query('DELETE FROM fulcrum_wall_links WHERE expires_at <= $1', [now]);
    await this.pool.query('DELETE FROM fulcrum_rate WHERE win < $1', [rateBefore]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
