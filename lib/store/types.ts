// Snapshots: what is frozen, how it is stored, and the store interface both backends
// (SQLite, PostgreSQL) implement. A snapshot is immutable once written.
import type { SnapshotExpiry } from '../config/load';
import type { ClusterState } from '../types';

export const SNAPSHOT_SCHEMA_VERSION = 1;
/** The `kind` of an exported snapshot file. */
export const SNAPSHOT_FILE_KIND = 'fulcrum-snapshot';

export type { SnapshotExpiry };

/**
 * The part of a cluster's config a snapshot may carry: names, URLs and weights, and whether
 * TLS and auth are used. Never key or certificate paths, usernames, passwords, tokens or the
 * names or values of environment variables.
 */
export interface PublicClusterConfig {
  name: string;
  endpoints: Array<{ url: string; name: string | null; weight: number }>;
  weighted: boolean;
  /** https endpoints or a tls section. */
  tls: boolean;
  /** A client certificate is configured. */
  clientCert: boolean;
  /** etcd username/password auth is configured. */
  auth: boolean;
  balancer: { type: 'haproxy' | 'nginx'; backend: string | null } | null;
  /** Log sources were configured (so an empty excerpt means "nothing matched", not "no logs"). */
  logs: boolean;
}

/** One log line frozen into a snapshot. A stable shape of its own: exports outlive code changes. */
export interface ExcerptLine {
  /** ms since epoch; null when the line had no parseable time. */
  t: number | null;
  source: 'member' | 'balancer';
  level: string | null;
  /** The message (etcd's "msg", or the raw line), bounded. */
  msg: string;
  /** The raw line as read, bounded. */
  raw: string;
  /** Ids of the known log signals it matches (e.g. "slow-fdatasync"). */
  signals: string[];
  /** Why it is in the excerpt: near a finding's start, a signal line in the window, or other warnings. */
  reason: 'finding' | 'signal' | 'context';
}

export interface MemberExcerpt {
  /** Member name as shown (etcd name or configured name). */
  member: string;
  endpoint: string;
  /** Oldest first. */
  lines: ExcerptLine[];
  /** More lines matched than the per-member bound kept. */
  truncated: boolean;
  errors: string[];
}

export interface SnapshotLogs {
  /** Whether log excerpts could be taken at all, and why not. */
  status: 'ok' | 'no-log-sources' | 'unavailable';
  note: string | null;
  members: MemberExcerpt[];
  /** Total lines across members. */
  lineCount: number;
}

export interface SnapshotWindow {
  from: number;
  to: number;
}

/** One frozen snapshot: the stored record and (with `kind`) the export file. */
export interface SnapshotRecord {
  schemaVersion: typeof SNAPSHOT_SCHEMA_VERSION;
  id: string;
  createdAt: number;
  createdBy: string | null;
  title: string | null;
  note: string | null;
  window: SnapshotWindow;
  expiresAt: number | null;
  /** Set when this record came from an export file: when it was imported here. */
  importedAt: number | null;
  cluster: PublicClusterConfig;
  state: ClusterState;
  logs: SnapshotLogs;
}

export interface SnapshotFile extends SnapshotRecord {
  kind: typeof SNAPSHOT_FILE_KIND;
  exportedAt: number;
}

/** What listing shows: the metadata columns, never the body. */
export interface SnapshotMeta {
  id: string;
  cluster: string;
  title: string | null;
  createdAt: number;
  createdBy: string | null;
  windowFrom: number;
  windowTo: number;
  expiresAt: number | null;
  schemaVersion: number;
  /** Uncompressed JSON size of the record. */
  sizeBytes: number;
  /** Compressed body size as stored. */
  storedBytes: number;
}

/** A row as written: metadata, the compressed record and the delete key's hash. */
export interface SnapshotRow extends SnapshotMeta {
  /** sha256 (hex) of the delete key. */
  deleteKeyHash: string;
  /** gzip of the record's JSON. */
  body: Buffer;
  /** sha256 (hex) of `body`, checked on every read. */
  bodySha256: string;
}

export type Role = 'viewer' | 'admin';

/** A login (or a wall link's kiosk) as stored: the id's hash, never the id the cookie carries. */
export interface SessionRow {
  /** sha256 (hex) of the session id. */
  idHash: string;
  role: Role;
  user: string | null;
  /** How the session was made: a token login, or a wall link. */
  via: 'token' | 'wall-link';
  createdAt: number;
  expiresAt: number;
  /** The wall link it came from (revoking the link ends it). */
  linkId: string | null;
}

/** A signed read-only link for a wall screen; revocable. */
export interface WallLinkRow {
  id: string;
  name: string;
  /** Where it opens (a local path such as /wall?rotate=20s). */
  path: string;
  createdAt: number;
  createdBy: string | null;
  expiresAt: number;
}

/**
 * What several replicas share besides snapshots: sessions, wall links, rate-limit counters and
 * server secrets (the wall-link signing key). Same interface in SQLite and PostgreSQL.
 */
export interface AccessStore {
  insertSession(s: SessionRow): Promise<void>;
  /** The session, or null when there is none or it has expired (expired rows are removed). */
  getSession(idHash: string, now: number): Promise<SessionRow | null>;
  deleteSession(idHash: string): Promise<boolean>;
  insertWallLink(l: WallLinkRow): Promise<void>;
  getWallLink(id: string, now: number): Promise<WallLinkRow | null>;
  /** Unexpired links, newest first, with how many sessions each has open. */
  listWallLinks(now: number): Promise<Array<WallLinkRow & { sessions: number }>>;
  /** Removes the link and every session made from it; true when the link existed. */
  deleteWallLink(id: string): Promise<boolean>;
  /** Adds `n` to a rate counter (bucket, fixed window start) and answers the new count. */
  rateAdd(bucket: string, win: number, n: number): Promise<number>;
  /** The counts of a bucket's windows (missing windows are 0). */
  rateGet(bucket: string, wins: number[]): Promise<number[]>;
  /** A named server secret, created once with `make()` (every replica gets the same value). */
  secret(name: string, make: () => string): Promise<string>;
  /** Removes expired sessions and rate windows that ended before `before`. */
  purgeAccess(now: number, rateBefore: number): Promise<void>;
}

export interface SnapshotStore extends AccessStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Writes metadata and body in one transaction: a crash leaves all of it or none. */
  insert(row: SnapshotRow): Promise<void>;
  /** The row, or null when there is none or it has expired (expired rows are removed). */
  get(id: string, now: number): Promise<SnapshotRow | null>;
  /** Newest first, without expired ones. */
  list(now: number, opts?: { cluster?: string; limit?: number }): Promise<SnapshotMeta[]>;
  /** The delete key hash, for the caller's constant-time comparison; null when absent/expired. */
  deleteKeyHash(id: string, now: number): Promise<string | null>;
  /** True when a row was removed. */
  delete(id: string): Promise<boolean>;
  /** Removes expired rows; the number removed. */
  purgeExpired(now: number): Promise<number>;
  /** Schema version after migrations. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
