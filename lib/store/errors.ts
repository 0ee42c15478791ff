// A store write that failed for lack of room is a StorageFullError (507) that says so, whichever
// the backend: SQLite's SQLITE_FULL (ENOSPC) or a write refused by the OS (EFBIG under a file-size
// limit surfaces as SQLITE_IOERR_WRITE), PostgreSQL's disk_full (53100). Both stores write each
// thing in one transaction, so a failed write leaves nothing partial behind.
import { StorageFullError } from '../errors';

const FULL_CODES = new Set(['SQLITE_FULL', 'SQLITE_IOERR_WRITE', '53100']);

export function isStorageFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && FULL_CODES.has(code);
}

/** Runs a store write; a full disk becomes a StorageFullError naming the store, anything else is rethrown. */
export async function writing<T>(store: 'SQLite' | 'PostgreSQL', fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isStorageFull(e))
      throw new StorageFullError(
        `the snapshot store (${store}) is full: nothing was stored; free disk space where it keeps its data`,
      );
    throw e;
  }
}
