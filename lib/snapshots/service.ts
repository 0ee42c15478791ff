// Creating, opening, deleting, exporting and importing snapshots. Route handlers parse the
// request and call these; the store only sees rows.
import type { ClusterConfig, FulcrumConfig, SnapshotExpiry } from '../config/load';
import type { LiveCluster } from '../engine/live';
import { formatLimit, LimitError, ValidationError } from '../errors';
import { mergeFrames } from '../client/frames';
import { encodeJson, decodeBody } from '../store/codec';
import { ENGINE_OK, parseSnapshotFile } from '../store/snapshotFormat';
import {
  SNAPSHOT_FILE_KIND,
  SNAPSHOT_SCHEMA_VERSION,
  type SnapshotFile,
  type SnapshotLogs,
  type SnapshotMeta,
  type SnapshotRecord,
  type SnapshotStore,
  type SnapshotWindow,
} from '../store/types';
import type { ClusterState, Frame } from '../types';
import { collectExcerpts, type QueryLogsFn } from './excerpts';
import { deleteKeyMatches, hashDeleteKey, newDeleteKey, newSnapshotId } from './ids';
import { publicClusterConfig } from './publicConfig';
import { configSecrets, scrubDeep } from './scrub';

export const EXPIRY_MS: Record<SnapshotExpiry, number | null> = {
  '1h': 3600_000,
  '1d': 86_400_000,
  '1w': 7 * 86_400_000,
  never: null,
};
export const DEFAULT_WINDOW_MS = 15 * 60_000;
export const MAX_WINDOW_MS = 24 * 3600_000;
/** Columns fetched from Prometheus for a window older than memory (1 h at 1 s). */
export const HISTORY_POINTS = 3600;

export interface CreateInput {
  from?: number;
  to?: number;
  title?: string | null;
  note?: string | null;
  expiry?: SnapshotExpiry;
  /** What-if weights from the weights panel, one per member: frozen with the state's weights. */
  whatIf?: number[] | null;
}

export interface CreateContext {
  now: number;
  createdBy: string | null;
  queryLogs: QueryLogsFn | null;
}

export function resolveWindow(input: Pick<CreateInput, 'from' | 'to'>, now: number): SnapshotWindow {
  const to = input.to ?? now;
  const from = input.from ?? to - DEFAULT_WINDOW_MS;
  if (to > now + 60_000) throw new ValidationError('invalid window: "to" is in the future');
  if (from >= to) throw new ValidationError('invalid window: "from" must be before "to"');
  if (to - from > MAX_WINDOW_MS) throw new ValidationError('invalid window: longer than 24 hours');
  return { from, to };
}

function inWindow(w: SnapshotWindow) {
  return (t: number) => t >= w.from && t <= w.to;
}

/** The frames of the window: memory, with Prometheus filling in before what memory holds. */
async function windowFrames(
  engine: LiveCluster,
  live: Frame[],
  w: SnapshotWindow,
  pollIntervalMs: number,
): Promise<Frame[]> {
  const mem = live.filter((f) => inWindow(w)(f.t));
  const covered = live.length > 0 && live[0].t <= w.from + pollIntervalMs;
  if (covered) return mem;
  const h = await engine.history(w.from, w.to, HISTORY_POINTS);
  if (h.source !== 'prometheus') return mem;
  return mergeFrames(
    h.frames.filter((f) => inWindow(w)(f.t)),
    mem,
  );
}

/** The state restricted to the window: frames and events in it, findings active in it. */
export function freezeState(state: ClusterState, frames: Frame[], w: SnapshotWindow): ClusterState {
  const s = structuredClone(state);
  return {
    ...s,
    frames,
    events: s.events.filter((e) => inWindow(w)(e.t)),
    findings: s.findings.filter((f) => f.since <= w.to),
    // Findings that cleared during the window were active in it too.
    resolvedFindings: (s.resolvedFindings ?? []).filter((f) => f.since <= w.to && (f.until ?? Infinity) >= w.from),
  };
}

export function cleanText(s: string | null | undefined, max: number): string | null {
  if (s === null || s === undefined) return null;
  const t = s
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .trim();
  return t ? t.slice(0, max) : null;
}

/** Freezes what the window needs into a record (not stored yet). */
export async function freezeSnapshot(
  cfg: FulcrumConfig,
  engine: LiveCluster,
  input: CreateInput,
  ctx: CreateContext,
): Promise<SnapshotRecord> {
  const w = resolveWindow(input, ctx.now);
  const live = engine.state();
  const frames = await windowFrames(engine, live.frames, w, live.pollIntervalMs);
  const secrets = configSecrets(cfg);
  // Frames are numbers only: scrub the rest, then put them back (a 1-hour window is 3600 of them).
  const frozen = freezeState(live, frames, w);
  if (input.whatIf) {
    if (input.whatIf.length !== frozen.members.length)
      throw new ValidationError(
        `invalid whatIf: ${input.whatIf.length} weights for ${frozen.members.length} members (one per member, in order)`,
      );
    if (frozen.weights) frozen.weights = { ...frozen.weights, whatIf: [...input.whatIf] };
  }
  const state = { ...scrubDeep({ ...frozen, frames: [] }, secrets), frames: frozen.frames };
  const logs = scrubDeep(await collectExcerpts(engine.cluster, state, w, ctx.queryLogs), secrets);
  const expiryMs = EXPIRY_MS[input.expiry ?? cfg.snapshots.defaultExpiry];
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    id: newSnapshotId(),
    createdAt: ctx.now,
    createdBy: ctx.createdBy,
    title: cleanText(input.title, 200),
    note: cleanText(input.note, 4000),
    window: w,
    expiresAt: expiryMs === null ? null : ctx.now + expiryMs,
    importedAt: null,
    cluster: publicClusterConfig(engine.cluster),
    state,
    logs,
  };
}

export interface Stored {
  record: SnapshotRecord;
  deleteKey: string;
  sizeBytes: number;
  storedBytes: number;
}

/** Serialises, checks the size limit (LimitError), compresses and writes the record in one transaction. */
export async function storeRecord(store: SnapshotStore, record: SnapshotRecord, maxBytes: number): Promise<Stored> {
  const json = JSON.stringify(record);
  const size = Buffer.byteLength(json, 'utf8');
  if (size > maxBytes) {
    throw new LimitError(
      `snapshot too large: ${(size / 1e6).toFixed(1)} MB is over the limit of ${formatLimit(maxBytes)}, set by snapshots.maxBytes; pick a shorter window`,
      maxBytes,
    );
  }
  const enc = await encodeJson(json);
  const deleteKey = newDeleteKey();
  await store.insert({
    id: record.id,
    cluster: record.cluster.name,
    title: record.title,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    windowFrom: record.window.from,
    windowTo: record.window.to,
    expiresAt: record.expiresAt,
    schemaVersion: record.schemaVersion,
    sizeBytes: enc.sizeBytes,
    storedBytes: enc.body.length,
    deleteKeyHash: hashDeleteKey(deleteKey),
    body: enc.body,
    bodySha256: enc.bodySha256,
  });
  return { record, deleteKey, sizeBytes: enc.sizeBytes, storedBytes: enc.body.length };
}

/** The record, or null when absent or expired. Throws CorruptSnapshotError on a damaged body. */
export async function loadSnapshot(store: SnapshotStore, id: string, now: number): Promise<SnapshotRecord | null> {
  const row = await store.get(id, now);
  if (!row) return null;
  const text = await decodeBody(id, row.body, row.bodySha256);
  const rec = JSON.parse(text) as SnapshotRecord;
  if (rec.schemaVersion !== SNAPSHOT_SCHEMA_VERSION || rec.id !== id)
    throw new Error(`snapshot ${id}: unexpected record (schemaVersion ${rec.schemaVersion})`);
  return upgradeRecord(rec);
}

/** Fills fields added to the state after version 1 was first written, so older records render. */
export function upgradeRecord(r: SnapshotRecord): SnapshotRecord {
  const s = r.state as Partial<ClusterState> & ClusterState;
  s.checks ??= [];
  s.balancer ??= null;
  s.weights ??= null;
  if (s.weights) s.weights.whatIf ??= null;
  s.sources.balancer ??= null;
  s.sources.logs ??= null;
  s.sources.engine ??= { ...ENGINE_OK };
  r.importedAt ??= null;
  return r;
}

export type DeleteOutcome = 'deleted' | 'not-found' | 'forbidden';

/** With write access (admin) no key is needed; otherwise the delete key must match. */
export async function deleteSnapshot(
  store: SnapshotStore,
  id: string,
  key: string | null,
  admin: boolean,
  now: number,
): Promise<DeleteOutcome> {
  const hash = await store.deleteKeyHash(id, now);
  if (hash === null) return 'not-found';
  if (!admin && (key === null || !deleteKeyMatches(key, hash))) return 'forbidden';
  return (await store.delete(id)) ? 'deleted' : 'not-found';
}

export function exportFile(record: SnapshotRecord, now: number): SnapshotFile {
  return { kind: SNAPSHOT_FILE_KIND, exportedAt: now, ...record };
}

/**
 * Validates an export file and stores it under a new id and delete key, with this instance's
 * expiry. Scrubbed like a snapshot made here: another Fulcrum's file may carry secrets this one
 * knows, or text that looks like credentials.
 */
export async function importSnapshot(
  store: SnapshotStore,
  text: string,
  opts: { now: number; expiry: SnapshotExpiry; maxBytes: number; secrets: readonly string[] },
): Promise<Stored & { originalId: string }> {
  const parsed = parseSnapshotFile(text);
  const expiryMs = EXPIRY_MS[opts.expiry];
  // Frames are numbers only: scrub the rest, then put them back.
  const clean = scrubDeep({ ...parsed, state: { ...parsed.state, frames: [] } }, opts.secrets);
  const record: SnapshotRecord = {
    ...clean,
    state: { ...clean.state, frames: parsed.state.frames },
    id: newSnapshotId(),
    importedAt: opts.now,
    expiresAt: expiryMs === null ? null : opts.now + expiryMs,
  };
  const stored = await storeRecord(store, record, opts.maxBytes);
  return { ...stored, originalId: parsed.id };
}

/** What the share dialog shows before creating: counts of what will be included. */
export interface SnapshotSummary {
  cluster: string;
  window: SnapshotWindow;
  members: Array<{ name: string; endpoint: string; status: string }>;
  frames: number;
  framesFromPrometheus: number;
  events: number;
  findings: number;
  logLines: number;
  logs: SnapshotLogs['status'];
  logsNote: string | null;
  sizeBytes: number;
  maxBytes: number;
}

export function summarize(record: SnapshotRecord, sizeBytes: number, maxBytes: number): SnapshotSummary {
  return {
    cluster: record.cluster.name,
    window: record.window,
    members: record.state.members.map((m) => ({ name: m.name, endpoint: m.endpoint, status: m.status })),
    frames: record.state.frames.length,
    framesFromPrometheus: record.state.frames.filter((f) => f.origin === 'prometheus').length,
    events: record.state.events.length,
    findings: record.state.findings.length,
    logLines: record.logs.lineCount,
    logs: record.logs.status,
    logsNote: record.logs.note,
    sizeBytes,
    maxBytes,
  };
}

export function metaOf(s: Stored): SnapshotMeta {
  const r = s.record;
  return {
    id: r.id,
    cluster: r.cluster.name,
    title: r.title,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    windowFrom: r.window.from,
    windowTo: r.window.to,
    expiresAt: r.expiresAt,
    schemaVersion: r.schemaVersion,
    sizeBytes: s.sizeBytes,
    storedBytes: s.storedBytes,
  };
}

export type { ClusterConfig };
