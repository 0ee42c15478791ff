// The paging cursor of the logs API: opaque to clients (base64url JSON), validated strictly on
// the way back in. It holds numbers only (a file's index among the configured pattern's matches,
// a byte offset, an inode check; or a Loki timestamp), never a path or a URL.
import { z } from 'zod';

/** A position in a file source: read strictly before byte `o` of file `f` (inode check `i`). */
export interface FilePos {
  k: 'f';
  f: number;
  o: number;
  i: number;
}

/** A position in a Loki source: entries with time < `e` ns, skipping `s` entries at `e - 1` already shown. */
export interface LokiPos {
  k: 'l';
  e: string;
  s: number;
}

export type SourcePos = FilePos | LokiPos;

/** Per source: absent = start at the window's end; 0 = nothing older left. */
export interface Cursor {
  m?: SourcePos | 0;
  b?: SourcePos | 0;
}

export const MAX_CURSOR_CHARS = 512;

const FilePosSchema = z
  .object({
    k: z.literal('f'),
    f: z.number().int().min(0).max(10_000),
    o: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    i: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31),
  })
  .strict();
const LokiPosSchema = z
  .object({
    k: z.literal('l'),
    e: z.string().regex(/^\d{1,20}$/),
    s: z.number().int().min(0).max(1_000_000),
  })
  .strict();
const PosSchema = z.union([FilePosSchema, LokiPosSchema, z.literal(0)]);
const CursorSchema = z.object({ v: z.literal(1), m: PosSchema.optional(), b: PosSchema.optional() }).strict();

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify({ v: 1, ...c }), 'utf8').toString('base64url');
}

/** The cursor, or an Error saying why it is not one (the API answers 400). */
export function decodeCursor(s: string): Cursor | Error {
  if (s.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(s)) return new Error('not a cursor from this API');
  let o: unknown;
  try {
    o = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    return new Error('not a cursor from this API');
  }
  const r = CursorSchema.safeParse(o);
  if (!r.success) return new Error('not a cursor from this API');
  const { v: _v, ...rest } = r.data;
  void _v;
  return rest;
}

/** A 31-bit check value of a file's identity (device and inode), to notice rotation between pages. */
export function fileCheck(dev: number, ino: number): number {
  let h = 2166136261;
  for (const c of `${dev}:${ino}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return (h >>> 1) & 0x7fffffff;
}
