// Schema migrations, one list for both stores. Each runs once, in a transaction, recorded in
// fulcrum_migrations; a newer schema than this code knows is refused rather than guessed at.

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

/** The column types the two dialects spell differently; the rest of the DDL is shared. */
interface ColumnTypes {
  /** Epoch milliseconds and byte counts: past 2^31. */
  big: string;
  bytes: string;
}

const SQLITE: ColumnTypes = { big: 'INTEGER', bytes: 'BLOB' };
const POSTGRES: ColumnTypes = { big: 'BIGINT', bytes: 'BYTEA' };

const STEPS: readonly { version: number; name: string; ddl: (t: ColumnTypes) => string }[] = [
  {
    version: 1,
    name: 'snapshots and bodies',
    ddl: (t) => `
      CREATE TABLE fulcrum_snapshots (
        id TEXT PRIMARY KEY,
        cluster TEXT NOT NULL,
        title TEXT,
        created_at ${t.big} NOT NULL,
        created_by TEXT,
        window_from ${t.big} NOT NULL,
        window_to ${t.big} NOT NULL,
        expires_at ${t.big},
        schema_version INTEGER NOT NULL,
        size_bytes ${t.big} NOT NULL,
        stored_bytes ${t.big} NOT NULL,
        delete_key_hash TEXT NOT NULL
      );
      CREATE INDEX fulcrum_snapshots_created ON fulcrum_snapshots (created_at);
      CREATE INDEX fulcrum_snapshots_expires ON fulcrum_snapshots (expires_at) WHERE expires_at IS NOT NULL;
      CREATE TABLE fulcrum_snapshot_bodies (
        id TEXT PRIMARY KEY REFERENCES fulcrum_snapshots (id) ON DELETE CASCADE,
        body ${t.bytes} NOT NULL,
        body_sha256 TEXT NOT NULL
      );`,
  },
  {
    version: 2,
    name: 'sessions, wall links, shared rate limits, server secrets',
    ddl: (t) => `
      CREATE TABLE fulcrum_sessions (
        id_hash TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        user_name TEXT,
        via TEXT NOT NULL,
        created_at ${t.big} NOT NULL,
        expires_at ${t.big} NOT NULL,
        link_id TEXT
      );
      CREATE INDEX fulcrum_sessions_expires ON fulcrum_sessions (expires_at);
      CREATE INDEX fulcrum_sessions_link ON fulcrum_sessions (link_id) WHERE link_id IS NOT NULL;
      CREATE TABLE fulcrum_wall_links (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        created_at ${t.big} NOT NULL,
        created_by TEXT,
        expires_at ${t.big} NOT NULL
      );
      CREATE TABLE fulcrum_rate (
        bucket TEXT NOT NULL,
        win ${t.big} NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (bucket, win)
      );
      CREATE TABLE fulcrum_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );`,
  },
];

/** Schema migrations, in order; each step's DDL written once and spelled for each dialect. */
export const MIGRATIONS: readonly Migration[] = STEPS.map((s) => ({
  version: s.version,
  name: s.name,
  sqlite: s.ddl(SQLITE),
  postgres: s.ddl(POSTGRES),
}));

export const LATEST_SCHEMA = MIGRATIONS[MIGRATIONS.length - 1].version;

export class SchemaTooNewError extends Error {
  constructor(found: number) {
    super(
      `the snapshot store has schema version ${found}, newer than this Fulcrum knows (${LATEST_SCHEMA}): upgrade Fulcrum`,
    );
    this.name = 'SchemaTooNewError';
  }
}

/** Columns selected for metadata, in both dialects. */
export const META_COLUMNS =
  'id, cluster, title, created_at, created_by, window_from, window_to, expires_at, schema_version, size_bytes, stored_bytes';
