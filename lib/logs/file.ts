// Time-bounded reads of big, time-ordered log files, without reading them whole.
//
// A window [from, to] is found by binary search on byte offsets: probe an offset, skip to the
// next line start, read forward to the first line with a time, compare. Then only the bytes of
// the window are read, backwards (newest first) in chunks, with caps on bytes, lines, line length
// and wall time. Rotated files are found through the configured glob only (a `*`/`?`/`[…]` in
// the file name), ordered by their first line's time.
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { Collector, type LineFilter, type Positioned } from './collect';
import { fileCheck, type FilePos } from './cursor';
import { lineTime } from './parse';

export interface FileLimits {
  /** Bytes read per request (per source), binary-search probes included. */
  maxScanBytes: number;
  /** A longer line is cut to this many bytes (and marked). */
  maxLineBytes: number;
  /** Wall time per request (per source). */
  deadlineMs: number;
  /** Read size of the backward scan. */
  chunkBytes: number;
  /** Files a glob may match (the newest are kept). */
  maxFiles: number;
  /** A probe gives up after this many bytes without a timestamped line. */
  probeBytes: number;
}

export const DEFAULT_FILE_LIMITS: FileLimits = {
  maxScanBytes: 64 * 1024 * 1024,
  maxLineBytes: 64 * 1024,
  deadlineMs: 3_000,
  chunkBytes: 256 * 1024,
  maxFiles: 64,
  probeBytes: 1024 * 1024,
};

/** Work done so far by one request on one source; shared by the steps that read. */
export class Budget {
  bytes = 0;
  readonly deadline: number;
  constructor(
    readonly limits: FileLimits,
    now = Date.now(),
  ) {
    this.deadline = now + limits.deadlineMs;
  }
  spend(n: number): void {
    this.bytes += n;
  }
  get exhausted(): boolean {
    return this.bytes >= this.limits.maxScanBytes || Date.now() > this.deadline;
  }
  /** Why the budget ran out, for the truncation message. */
  reason(): string {
    return this.bytes >= this.limits.maxScanBytes
      ? `read limit of ${Math.round(this.limits.maxScanBytes / 1024 / 1024)} MiB reached`
      : `time limit of ${this.limits.deadlineMs} ms reached`;
  }
}

export interface LogFile {
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** Time of the first / last timestamped line (null when none was found near the ends). */
  first: number | null;
  last: number | null;
}

export type TimeOf = (line: string) => number | null;

const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|zip)$/i;

/** `*`, `?` and `[…]` of a file-name pattern → RegExp (anchored, no path separators). */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const neg = body[0] === '!' || body[0] === '^';
      if (neg) body = body.slice(1);
      re += `[${neg ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export const isGlob = (p: string) => /[*?[]/.test(path.basename(p));

/**
 * The files a configured path or glob names now, oldest first (by first line time, then
 * modification time). Only regular files; compressed rotations are skipped (they can't be
 * searched by offset) and reported in `skipped`.
 */
export async function resolveLogFiles(
  pattern: string,
  timeOf: TimeOf,
  budget: Budget,
): Promise<{ files: LogFile[]; skipped: string[]; error: string | null }> {
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  let names: string[];
  if (isGlob(pattern)) {
    try {
      names = await fs.readdir(/*turbopackIgnore: true*/ dir);
    } catch (e) {
      return { files: [], skipped: [], error: `cannot list ${dir}: ${errCode(e)}` };
    }
    const re = globToRegExp(base);
    names = names.filter((n) => re.test(n));
    if (names.length === 0) return { files: [], skipped: [], error: `no file matches ${pattern}` };
  } else {
    names = [base];
  }
  const skipped: string[] = [];
  const stats: Array<{ path: string; st: Stats }> = [];
  for (const n of names) {
    const p = path.join(dir, n);
    if (COMPRESSED.test(n)) {
      skipped.push(p);
      continue;
    }
    try {
      const st = await fs.stat(/*turbopackIgnore: true*/ p);
      if (st.isFile()) stats.push({ path: p, st });
      else if (!isGlob(pattern)) return { files: [], skipped, error: `${p} is not a regular file` };
    } catch (e) {
      if (!isGlob(pattern)) {
        const code = errCode(e);
        return {
          files: [],
          skipped,
          error: code === 'ENOENT' ? `log file ${p} does not exist (yet?)` : `cannot read ${p}: ${code}`,
        };
      }
      // a rotation moved it between readdir and stat: ignore
    }
  }
  if (stats.length === 0)
    return {
      files: [],
      skipped,
      error: skipped.length ? `only compressed files match ${pattern}` : `no file matches ${pattern}`,
    };
  stats.sort((a, b) => b.st.mtimeMs - a.st.mtimeMs);
  const kept = stats.slice(0, budget.limits.maxFiles);
  const files: LogFile[] = [];
  for (const { path: p, st } of kept) {
    const f: LogFile = {
      path: p,
      dev: st.dev,
      ino: st.ino,
      size: st.size,
      mtimeMs: st.mtimeMs,
      first: null,
      last: null,
    };
    if (kept.length > 1) {
      // Only needed to order rotated files; one file needs no ordering.
      const fh = await open(p);
      if (!fh) continue;
      try {
        f.first = (await probe(fh, 0, st.size, timeOf, budget))?.t ?? null;
        f.last = (await lastTime(fh, st.size, timeOf, budget)) ?? null;
      } finally {
        await fh.close();
      }
    }
    files.push(f);
  }
  files.sort((a, b) => (a.first ?? a.mtimeMs) - (b.first ?? b.mtimeMs) || a.mtimeMs - b.mtimeMs);
  return { files, skipped, error: null };
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

async function open(p: string): Promise<FileHandle | null> {
  try {
    return await fs.open(/*turbopackIgnore: true*/ p, 'r');
  } catch {
    return null;
  }
}

export async function openLogFile(f: LogFile): Promise<{ fh: FileHandle | null; error: string | null }> {
  let fh: FileHandle;
  try {
    fh = await fs.open(/*turbopackIgnore: true*/ f.path, 'r');
  } catch (e) {
    const code = errCode(e);
    return {
      fh: null,
      error:
        code === 'ENOENT'
          ? `log file ${f.path} disappeared (rotated?) while reading`
          : `cannot open ${f.path}: ${code}`,
    };
  }
  const st = await fh.stat();
  if (st.ino !== f.ino || st.dev !== f.dev) {
    await fh.close();
    return { fh: null, error: `log file ${f.path} was replaced (rotated) while reading: try again` };
  }
  return { fh, error: null };
}

async function readAt(fh: FileHandle, buf: Buffer, len: number, pos: number, budget: Budget): Promise<number> {
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  budget.spend(bytesRead);
  return bytesRead;
}

/**
 * Lines of [offset, end) from the first to the last, read forwards. When `offset` falls inside a
 * line, that line is skipped (it belongs to the read before). Lines longer than maxLineBytes
 * are cut. Stops when the budget runs out.
 */
export async function* linesForward(
  fh: FileHandle,
  offset: number,
  end: number,
  budget: Budget,
): AsyncGenerator<RawLine> {
  const { maxLineBytes } = budget.limits;
  let buf = Buffer.allocUnsafe(16 * 1024);
  let pos = offset;
  let atLineStart = offset === 0;
  if (!atLineStart && offset < end) {
    const one = Buffer.allocUnsafe(1);
    if ((await readAt(fh, one, 1, offset - 1, budget)) === 1 && one[0] === 10) atLineStart = true;
  }
  let carry: Buffer | null = null;
  let carryStart = pos;
  let carryCut = false;
  while (pos < end) {
    if (budget.exhausted) return;
    const n = await readAt(fh, buf, Math.min(buf.length, end - pos), pos, budget);
    if (n <= 0) break;
    let i = 0;
    while (i < n) {
      const found = buf.indexOf(10, i);
      const nl = found >= 0 && found < n ? found : -1;
      if (!atLineStart) {
        if (nl < 0) break;
        atLineStart = true;
        i = nl + 1;
        continue;
      }
      if (nl < 0) {
        // The line goes on in the next read: keep at most maxLineBytes of it.
        if (!carry) {
          carryStart = pos + i;
          carry = Buffer.from(buf.subarray(i, Math.min(n, i + maxLineBytes)));
          carryCut = n - i > maxLineBytes;
        } else if (!carryCut) {
          const room = maxLineBytes - carry.length;
          carry = Buffer.concat([carry, buf.subarray(i, Math.min(n, i + room))]);
          carryCut = n - i > room;
        }
        break;
      }
      if (carry) {
        const room = carryCut ? 0 : maxLineBytes - carry.length;
        const text = Buffer.concat([carry, buf.subarray(i, i + Math.min(room, nl - i))]);
        const cut = carryCut || nl - i > room;
        yield { offset: carryStart, text: text.toString('utf8'), cut };
        carry = null;
        carryCut = false;
      } else if (nl > i) {
        if (nl - i > maxLineBytes)
          yield { offset: pos + i, text: buf.toString('utf8', i, i + maxLineBytes), cut: true };
        else yield { offset: pos + i, text: buf.toString('utf8', i, nl), cut: false };
      }
      i = nl + 1;
    }
    pos += n;
    if (buf.length < 256 * 1024) buf = Buffer.allocUnsafe(buf.length * 2);
  }
  if (carry && carry.length > 0) yield { offset: carryStart, text: carry.toString('utf8'), cut: carryCut };
}

/**
 * The first line that starts at or after `offset` (skipping the rest of a line `offset` falls
 * in) and has a time: its start and time. null when none is found before `end` or within the
 * probe limit.
 */
export async function probe(
  fh: FileHandle,
  offset: number,
  end: number,
  timeOf: TimeOf,
  budget: Budget,
): Promise<{ start: number; t: number } | null> {
  const limit = offset + budget.limits.probeBytes;
  for await (const l of linesForward(fh, offset, Math.min(end, limit), budget)) {
    const t = timeOf(l.text);
    if (t !== null) return { start: l.offset, t };
  }
  return null;
}

/** Time of the last timestamped line (looking back at most the probe limit from the end). */
async function lastTime(fh: FileHandle, size: number, timeOf: TimeOf, budget: Budget): Promise<number | null> {
  for (let back = 16 * 1024; ; back *= 4) {
    const from = Math.max(0, size - back);
    let last: number | null = null;
    for await (const l of linesForward(fh, from, size, budget)) {
      const t = timeOf(l.text);
      if (t !== null) last = t;
    }
    if (last !== null || from === 0 || back >= budget.limits.probeBytes || budget.exhausted) return last;
  }
}

/**
 * Offset of the first line whose time is >= t (by binary search on offsets; file assumed in
 * time order, lines without a time belong to the line before them). `size` if there is none.
 */
export async function seekTime(
  fh: FileHandle,
  size: number,
  t: number,
  timeOf: TimeOf,
  budget: Budget,
): Promise<number> {
  let lo = 0;
  let hi = size;
  const linear = 16 * 1024;
  while (hi - lo > linear && !budget.exhausted) {
    const mid = Math.floor((lo + hi) / 2);
    const p = await probe(fh, mid, hi, timeOf, budget);
    if (!p) {
      hi = mid;
      continue;
    }
    if (p.t < t) lo = p.start + 1;
    else hi = p.start;
  }
  // Forward from lo to the first timestamped line >= t (about `linear` bytes plus a line).
  for await (const l of linesForward(fh, lo, hi, budget)) {
    const lt = timeOf(l.text);
    if (lt !== null && lt >= t) return l.offset;
  }
  return budget.exhausted ? lo : hi;
}

export interface RawLine {
  /** Byte offset of the line start. */
  offset: number;
  text: string;
  /** The line was longer than maxLineBytes and was cut. */
  cut: boolean;
}

/**
 * Lines of [start, end) from the last to the first, read backwards in chunks. Stops early when
 * the budget runs out (the caller checks `budget.exhausted`). Empty lines are skipped.
 */
export async function* linesBackward(
  fh: FileHandle,
  start: number,
  end: number,
  budget: Budget,
): AsyncGenerator<RawLine> {
  const { chunkBytes, maxLineBytes } = budget.limits;
  const buf = Buffer.allocUnsafe(chunkBytes);
  let pos = end;
  /** Bytes after the last newline seen (the tail of a line whose start is further back). */
  let carry: Buffer | null = null;
  /** The line being carried is too long: only its end offset is kept; its head is read at the end. */
  let longEnd = -1;
  const decode = (b: Buffer, a: number, z: number) => b.toString('utf8', a, z);
  while (pos > start) {
    if (budget.exhausted) return;
    const readStart = Math.max(start, pos - chunkBytes);
    const n = await readAt(fh, buf, pos - readStart, readStart, budget);
    if (n <= 0) return;
    let z = n; // end (exclusive) of the segment not yet emitted, within buf
    let nl = buf.lastIndexOf(10, z - 1);
    while (nl >= 0) {
      const lineStart = readStart + nl + 1;
      if (longEnd >= 0) {
        yield await longLine(fh, lineStart, longEnd, maxLineBytes, budget);
        longEnd = -1;
      } else if (carry) {
        const text = Buffer.concat([buf.subarray(nl + 1, z), carry]);
        carry = null;
        if (text.length > 0) yield toLine(lineStart, text, maxLineBytes);
      } else if (z > nl + 1) {
        if (z - nl - 1 > maxLineBytes) yield toLine(lineStart, buf.subarray(nl + 1, z), maxLineBytes);
        else yield { offset: lineStart, text: decode(buf, nl + 1, z), cut: false };
      }
      z = nl;
      nl = nl > 0 ? buf.lastIndexOf(10, nl - 1) : -1;
    }
    // buf[0, z) is the tail of a line that starts before readStart (or at `start`).
    if (longEnd < 0 && z > 0) {
      carry = carry ? Buffer.concat([buf.subarray(0, z), carry]) : Buffer.from(buf.subarray(0, z));
      if (carry.length > maxLineBytes) {
        longEnd = readStart + carry.length;
        carry = null;
      }
    }
    pos = readStart;
  }
  // The first line of the range.
  if (longEnd >= 0) yield await longLine(fh, start, longEnd, maxLineBytes, budget);
  else if (carry && carry.length > 0) yield toLine(start, carry, maxLineBytes);
}

function toLine(offset: number, bytes: Buffer, max: number): RawLine {
  if (bytes.length <= max) return { offset, text: bytes.toString('utf8'), cut: false };
  return { offset, text: bytes.subarray(0, max).toString('utf8'), cut: true };
}

async function longLine(fh: FileHandle, start: number, end: number, max: number, budget: Budget): Promise<RawLine> {
  const len = Math.min(max, end - start);
  const b = Buffer.allocUnsafe(len);
  const n = await readAt(fh, b, len, start, budget);
  return { offset: start, text: b.subarray(0, n).toString('utf8'), cut: end - start > max };
}

// ---------------------------------------------------------------------------------------------
// One file source (a path or glob) over a time window, newest first.

export interface SourceResult<P> {
  items: Array<Positioned<P>>;
  /** Where the next page resumes (exclusive), or null when nothing older is left in the window. */
  resume: P | null;
  counts: Map<string, number>;
  scannedBytes: number;
  /** Why the scan stopped before the window's start, or null. */
  truncated: string | null;
  error: string | null;
}

/** Lines may be a little out of order around the window's edges (second-resolution syslog headers). */
export const SEEK_SLACK_MS = 2_000;

export interface FileWindowOptions {
  limit: number;
  cursor: FilePos | null;
  countSignals: boolean;
  limits?: Partial<FileLimits>;
}

export async function readFileWindow(
  pattern: string,
  filter: LineFilter,
  opts: FileWindowOptions,
): Promise<SourceResult<FilePos>> {
  const limits = { ...DEFAULT_FILE_LIMITS, ...opts.limits };
  const budget = new Budget(limits);
  const timeOf: TimeOf = (l) => lineTime(l, filter.source, filter.ctx);
  const collector = new Collector<FilePos>(filter, opts.limit, opts.countSignals);
  const result = (over: Partial<SourceResult<FilePos>>): SourceResult<FilePos> => ({
    items: collector.items,
    resume: null,
    counts: collector.counts,
    scannedBytes: budget.bytes,
    truncated: null,
    error: null,
    ...over,
  });

  const { files, error } = await resolveLogFiles(pattern, timeOf, budget);
  if (error) return result({ error });

  let startIdx = files.length - 1;
  let startOffset: number | null = null;
  if (opts.cursor) {
    const c = opts.cursor;
    let idx = c.f < files.length && fileCheck(files[c.f].dev, files[c.f].ino) === c.i ? c.f : -1;
    if (idx < 0) idx = files.findIndex((f) => fileCheck(f.dev, f.ino) === c.i);
    if (idx < 0)
      return result({
        error: `the log files of ${pattern} changed (rotated) since the previous page: load the first page again`,
      });
    if (c.o > files[idx].size)
      return result({ error: 'the cursor is past the end of the log file: load the first page again' });
    startIdx = idx;
    startOffset = c.o;
  }

  const lo = filter.from - SEEK_SLACK_MS;
  const hi = filter.to + SEEK_SLACK_MS;
  for (let idx = startIdx; idx >= 0; idx--) {
    const f = files[idx];
    if (f.last !== null && f.last < lo) break; // this and every older file end before the window
    if (f.first !== null && f.first > hi) continue;
    const { fh, error: openError } = await openLogFile(f);
    if (!fh) return result({ error: openError, resume: collector.lastDecided });
    const check = fileCheck(f.dev, f.ino);
    try {
      const s = await seekTime(fh, f.size, lo, timeOf, budget);
      let e =
        idx === startIdx && startOffset !== null ? startOffset : await seekTime(fh, f.size, hi + 1, timeOf, budget);
      if (idx === startIdx && startOffset !== null) e = Math.min(e, await seekTime(fh, f.size, hi + 1, timeOf, budget));
      if (e > s) {
        for await (const l of linesBackward(fh, s, e, budget)) {
          collector.push(l.text, l.cut, { k: 'f', f: idx, o: l.offset, i: check });
          if (!collector.wantsMore) break;
        }
      }
      if (!collector.wantsMore) {
        const last = collector.items[collector.items.length - 1];
        return result({ resume: last ? last.pos : null });
      }
      if (budget.exhausted) {
        return result({
          truncated: budget.reason(),
          resume: collector.full
            ? collector.items[collector.items.length - 1].pos
            : (collector.lastDecided ?? { k: 'f', f: idx, o: e, i: check }),
        });
      }
      if (idx === 0 && s === 0) collector.end(true);
    } finally {
      await fh.close();
    }
  }
  collector.end(false);
  const last = collector.items[collector.items.length - 1];
  return result({ resume: collector.full && collector.more && last ? last.pos : null });
}
