// The shared store for several Fulcrum replicas: PostgreSQL (DATABASE_URL), the same schema
// and interface as SQLite. Migrations take an advisory lock, so replicas starting together
// migrate once.
import pg from 'pg';
import { LATEST_SCHEMA, META_COLUMNS, MIGRATIONS, SchemaTooNewError } from './migrations';
import { metaFromDb } from './sqlite';
import type { SnapshotMeta, SnapshotRow, SnapshotStore } from './types';

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

  async close(): Promise<void> {
    await this.pool.end();
  }
}
