// Snapshot ids and delete keys: random, URL-safe, compared in constant time.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../store/codec';

/** 16 random bytes (128 bits) in base64url: 22 characters. */
export const SNAPSHOT_ID_RE = /^[A-Za-z0-9_-]{22}$/;

export function newSnapshotId(): string {
  return randomBytes(16).toString('base64url');
}

/** 32 random bytes in base64url (43 characters): shown once, stored only as its sha256. */
export function newDeleteKey(): string {
  return randomBytes(32).toString('base64url');
}

export function hashDeleteKey(key: string): string {
  return sha256Hex(key);
}

/** Constant time in the key's content (both sides are sha256 digests of equal length). */
export function deleteKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashDeleteKey(key), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
