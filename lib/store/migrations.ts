// Schema migrations, one list for both stores. Each runs once, in a transaction, recorded in
// fulcrum_migrations; a newer schema than this code knows is refused rather than guessed at.

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'snapshots and bodies',
    sqlite: `
      CREATE TABLE fulcrum_snapshots (
        id TEXT PRIMARY KEY,
        cluster TEXT NOT NULL,
        title TEXT,
        created_at INTEGER NOT NULL,
        created_by TEXT,
        window_from INTEGER NOT NULL,
        window_to INTEGER NOT NULL,
        expires_at INTEGER,
        schema_version INTEGER NOT NULL,
        size_bytes INTEGER NOT NULL,
        stored_bytes INTEGER NOT NULL,
        delete_key_hash TEXT NOT NULL
      );
      CREATE INDEX fulcrum_snapshots_created ON fulcrum_snapshots (created_at);
      CREATE INDEX fulcrum_snapshots_expires ON fulcrum_snapshots (expires_at) WHERE expires_at IS NOT NULL;
      CREATE TABLE fulcrum_snapshot_bodies (
        id TEXT PRIMARY KEY REFERENCES fulcrum_snapshots (id) ON DELETE CASCADE,
        body BLOB NOT NULL,
        body_sha256 TEXT NOT NULL
      );`,
    postgres: `
      CREATE TABLE fulcrum_snapshots (
        id TEXT PRIMARY KEY,
        cluster TEXT NOT NULL,
        title TEXT,
        created_at BIGINT NOT NULL,
        created_by TEXT,
        window_from BIGINT NOT NULL,
        window_to BIGINT NOT NULL,
        expires_at BIGINT,
        schema_version INTEGER NOT NULL,
        size_bytes BIGINT NOT NULL,
        stored_bytes BIGINT NOT NULL,
        delete_key_hash TEXT NOT NULL
      );
      CREATE INDEX fulcrum_snapshots_created ON fulcrum_snapshots (created_at);
      CREATE INDEX fulcrum_snapshots_expires ON fulcrum_snapshots (expires_at) WHERE expires_at IS NOT NULL;
      CREATE TABLE fulcrum_snapshot_bodies (
        id TEXT PRIMARY KEY REFERENCES fulcrum_snapshots (id) ON DELETE CASCADE,
        body BYTEA NOT NULL,
        body_sha256 TEXT NOT NULL
      );`,
  },
  {
    version: 2,
    name: 'sessions, wall links, shared rate limits, server secrets',
    sqlite: `
      CREATE TABLE fulcrum_sessions (
        id_hash TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        user_name TEXT,
        via TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        link_id TEXT
      );
      CREATE INDEX fulcrum_sessions_expires ON fulcrum_sessions (expires_at);
      CREATE INDEX fulcrum_sessions_link ON fulcrum_sessions (link_id) WHERE link_id IS NOT NULL;
      CREATE TABLE fulcrum_wall_links (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT,
        expires_at INTEGER NOT NULL
      );
      CREATE TABLE fulcrum_rate (
        bucket TEXT NOT NULL,
        win INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (bucket, win)
      );
      CREATE TABLE fulcrum_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );`,
    postgres: `
      CREATE TABLE fulcrum_sessions (
        id_hash TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        user_name TEXT,
        via TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        link_id TEXT
      );
      CREATE INDEX fulcrum_sessions_expires ON fulcrum_sessions (expires_at);
      CREATE INDEX fulcrum_sessions_link ON fulcrum_sessions (link_id) WHERE link_id IS NOT NULL;
      CREATE TABLE fulcrum_wall_links (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        created_by TEXT,
        expires_at BIGINT NOT NULL
      );
      CREATE TABLE fulcrum_rate (
        bucket TEXT NOT NULL,
        win BIGINT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (bucket, win)
      );
      CREATE TABLE fulcrum_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );`,
  },
];

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
