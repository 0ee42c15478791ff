// Starts the load generator (dev/load-worker.ts) as a supervised child process.

import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnManaged, stopProcess, type ManagedProcess } from './procs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKER = path.join(REPO_ROOT, 'dev', 'load-worker.ts');

export interface LoadOptions {
  /** etcd client URL to send load to (usually the HAProxy frontend). */
  target: string;
  /** Requests per second, all lanes together. */
  rate?: number;
  /** Share of requests that are reads (get); the rest are writes (put). */
  readRatio?: number;
  /** Open a new client (a new TCP connection) after this many requests on one. */
  requestsPerConnection?: number;
  /** Parallel lanes, each with its own client/connection. */
  concurrency?: number;
  keyPrefix?: string;
  /** Distinct keys written and read. */
  keySpace?: number;
  valueBytes?: number;
  /** Per-request gRPC deadline. */
  deadlineMs?: number;
  /** One client, one long-lived connection for every request, never reconnecting. */
  pinned?: boolean;
  /** Seconds between summary lines. */
  summaryEveryS?: number;
}

export type LoadConfig = Required<LoadOptions>;

export function loadConfig(opts: LoadOptions): LoadConfig {
  const cfg: LoadConfig = {
    target: opts.target,
    rate: opts.rate ?? 200,
    readRatio: opts.readRatio ?? 0.7,
    requestsPerConnection: opts.requestsPerConnection ?? 20,
    concurrency: opts.concurrency ?? 8,
    keyPrefix: opts.keyPrefix ?? '/fulcrum-load/',
    keySpace: opts.keySpace ?? 1000,
    valueBytes: opts.valueBytes ?? 128,
    deadlineMs: opts.deadlineMs ?? 2000,
    pinned: opts.pinned ?? false,
    summaryEveryS: opts.summaryEveryS ?? 10,
  };
  if (!(cfg.rate > 0)) throw new Error(`load: rate must be > 0, got ${cfg.rate}`);
  if (!(cfg.readRatio >= 0 && cfg.readRatio <= 1))
    throw new Error(`load: readRatio must be within 0..1, got ${cfg.readRatio}`);
  if (!(cfg.requestsPerConnection >= 1)) throw new Error('load: requestsPerConnection must be >= 1');
  if (!(cfg.concurrency >= 1)) throw new Error('load: concurrency must be >= 1');
  return cfg;
}

export interface LoadHandle {
  pid: number;
  logFile: string;
  proc: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Spawns `node --import tsx dev/load-worker.ts '<json config>'` (cwd = repo root so that the
 * tsx loader resolves). Its summary lines go to logFile (default: one shared <tmpdir>/fulcrum-load.log).
 */
export function startLoad(opts: LoadOptions & { logFile?: string; name?: string }): LoadHandle {
  const cfg = loadConfig(opts);
  const logFile = opts.logFile ?? path.join(os.tmpdir(), 'fulcrum-load.log');
  const proc = spawnManaged(opts.name ?? 'load', process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(cfg)], {
    cwd: REPO_ROOT,
    logFile,
  });
  return {
    pid: proc.pid,
    logFile,
    proc,
    stop: async () => {
      await stopProcess(proc);
    },
  };
}
