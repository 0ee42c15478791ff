// Untrusted request input, parsed with zod into named 400s. Query strings: parseQuery. Bodies,
// bounded: the byte limit is enforced while the stream is read (chunked or not,
// with or without Content-Length), so an oversized body costs at most the limit plus one chunk.
// Never call req.json()/req.text()/req.formData() on a request: they read without a bound.
import type { z } from 'zod';
import { formatLimit, LimitError, ValidationError } from '../errors';

/** The first zod issue as one line naming the field: `invalid parameter from: …`. */
export function issueText(error: z.ZodError, what: string, whole: string): string {
  const i = error.issues[0];
  return `invalid ${what}${i.path.join('.') || whole}: ${i.message}`;
}

/** Parses URL search params with a zod schema, or throws a ValidationError (400) naming the parameter. */
export function parseQuery<T extends z.ZodType>(url: string, schema: T): z.infer<T> {
  const params = Object.fromEntries(new URL(url).searchParams.entries());
  const r = schema.safeParse(params);
  if (!r.success) throw new ValidationError(issueText(r.error, 'parameter ', '(query)'));
  return r.data;
}

export interface BodyLimit {
  maxBytes: number;
  /** The config key that sets the limit, named in the 413 (`snapshots.maxBytes`). */
  setting?: string;
  /** What is too large, for the message: "request body" (default), "file". */
  what?: string;
  /**
   * The limit the 413 names when it is not the bytes counted: an upload's form may carry a
   * little more than the file it wraps, but the user knows the file's limit.
   */
  namedBytes?: number;
}

/** The 413 for a body (or a part of one) over the limit, naming the limit and the setting. */
export function tooLarge(limit: BodyLimit): LimitError {
  const by = limit.setting ? `, set by ${limit.setting}` : '';
  const named = limit.namedBytes ?? limit.maxBytes;
  return new LimitError(
    `${limit.what ?? 'request body'} too large: over the limit of ${formatLimit(named)}${by}`,
    named,
  );
}

/** How long a refused body's connection stays open, unread, before it is closed. */
export const REFUSED_BODY_LINGER_MS = 2_000;

/**
 * Stops reading a refused body, and closes its connection only after REFUSED_BODY_LINGER_MS (a
 * lingering close, as NGINX and Apache do). Closed at once, the kernel resets a connection that
 * still has unread upload in it, and a client that is still sending may lose the 413 it was about
 * to read (seen as ECONNRESET instead). Unread, the upload stops at the TCP window: bounded memory.
 */
function cancelLater(body: { cancel(): Promise<void> }): void {
  const t = setTimeout(() => void body.cancel().catch(() => undefined), REFUSED_BODY_LINGER_MS);
  t.unref?.();
}

/**
 * The body's bytes, reading at most `maxBytes` (+ the chunk that crosses it): a LimitError (413)
 * as soon as the count passes the limit, before reading on. A Content-Length over the limit is
 * refused without reading at all.
 */
export async function readBounded(req: Request, limit: BodyLimit | number): Promise<Uint8Array<ArrayBuffer>> {
  const lim = typeof limit === 'number' ? { maxBytes: limit } : limit;
  const declared = Number(req.headers.get('content-length') ?? Number.NaN);
  if (!req.body) return new Uint8Array(new ArrayBuffer(0));
  if (Number.isFinite(declared) && declared > lim.maxBytes) {
    cancelLater(req.body);
    throw tooLarge(lim);
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > lim.maxBytes) {
      cancelLater(reader);
      throw tooLarge(lim);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** UTF-8 text of at most the limit; a ValidationError (400) for bytes that are not UTF-8. */
export async function readBoundedText(req: Request, limit: BodyLimit | number): Promise<string> {
  const bytes = await readBounded(req, limit);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ValidationError('invalid body: not UTF-8 text');
  }
}

/**
 * A JSON body of at most `maxBytes`, validated by `schema`: 413 past the limit, 400 for JSON that
 * does not parse or a field that does not validate (the message names the field). An empty body
 * is `{}` (every field left out).
 */
export async function parseBody<T extends z.ZodType>(
  req: Request,
  schema: T,
  limit: BodyLimit | number,
): Promise<z.infer<T>> {
  const text = await readBoundedText(req, limit);
  let raw: unknown;
  try {
    raw = text.trim() ? JSON.parse(text) : {};
  } catch (e) {
    throw new ValidationError(`invalid JSON body: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new ValidationError(issueText(r.error, '', 'body'));
  return r.data;
}

/**
 * A form body (urlencoded or multipart) of at most the limit: the bytes are read with the counter
 * first, then parsed. 400 when it is not a form of the type it claims.
 */
export async function parseForm(req: Request, limit: BodyLimit | number): Promise<FormData> {
  const bytes = await readBounded(req, limit);
  const type = req.headers.get('content-type') ?? '';
  try {
    return await new Response(bytes, { headers: { 'content-type': type } }).formData();
  } catch {
    throw new ValidationError(`invalid form body (Content-Type ${JSON.stringify(type.slice(0, 80))})`);
  }
}
