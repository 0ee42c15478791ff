// Record ⇄ stored bytes: JSON, gzip (node's zlib, on the thread pool), sha256 for integrity.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { DataCorruptError } from '../errors';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface Encoded {
  json: string;
  /** UTF-8 bytes of the JSON. */
  sizeBytes: number;
  body: Buffer;
  bodySha256: string;
}

export async function encodeJson(json: string): Promise<Encoded> {
  const raw = Buffer.from(json, 'utf8');
  const body = await gzipAsync(raw, { level: 6 });
  return { json, sizeBytes: raw.length, body, bodySha256: sha256Hex(body) };
}

export class CorruptSnapshotError extends DataCorruptError {
  constructor(id: string, why: string) {
    super(`snapshot ${id} is damaged in the store: ${why}`);
  }
}

/** gunzip + checksum; the JSON text. */
export async function decodeBody(id: string, body: Buffer, bodySha256: string): Promise<string> {
  if (sha256Hex(body) !== bodySha256) throw new CorruptSnapshotError(id, 'checksum mismatch');
  try {
    return (await gunzipAsync(body)).toString('utf8');
  } catch (e) {
    throw new CorruptSnapshotError(id, (e as Error).message);
  }
}
