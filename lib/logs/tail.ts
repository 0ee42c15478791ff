// FileTail: reads what was appended to a log file (or the newest match of a glob) since the last
// call, bounded per call, following rotation (a new inode) and in-place truncation
// (copytruncate), and hands over complete lines. Used by the engine's log watcher and by the
// NGINX source (its access and error logs).
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { globToRegExp, isGlob } from './file';

export interface TailOptions {
  /** Bytes read per call; when more was appended, the older part is skipped (and counted). */
  maxBytesPerCall: number;
  /** On the first call, read back at most this much of what the file already holds. */
  backfillBytes: number;
  /** Lines longer than this are cut. */
  maxLineBytes: number;
}

export class FileTail {
  /** Why the last call could not read, null when it could. */
  error: string | null = null;
  /** The file being read (a glob's current match). */
  file: string | null = null;
  private fh: FileHandle | null = null;
  private dev = 0;
  private ino = 0;
  private offset = 0;
  private carry: Buffer | null = null;
  /** Reading starts mid-line: drop up to the first newline. */
  private dropPartial = false;
  private started = false;
  private onLine: (raw: string) => void = () => {};
  private skippedBytes = 0;

  constructor(
    readonly pattern: string,
    private readonly o: TailOptions,
  ) {}

  /** Reads what was appended since the last call; `onLine` gets each complete line. Returns bytes skipped. Never throws. */
  async read(onLine: (raw: string) => void): Promise<number> {
    this.onLine = onLine;
    this.skippedBytes = 0;
    await this.readTail();
    return this.skippedBytes;
  }

  async close(): Promise<void> {
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
  }

  /** The file a pattern means now: itself, or the most recently modified match of the glob. */
  private async currentFile(pattern: string): Promise<{ file: string | null; error: string | null }> {
    if (!isGlob(pattern)) return { file: pattern, error: null };
    const dir = path.dirname(pattern);
    let names: string[];
    try {
      names = await fs.readdir(/*turbopackIgnore: true*/ dir);
    } catch (e) {
      return { file: null, error: `cannot list ${dir}: ${(e as NodeJS.ErrnoException).code ?? e}` };
    }
    const re = globToRegExp(path.basename(pattern));
    let best: { file: string; mtime: number } | null = null;
    for (const n of names) {
      if (!re.test(n) || /\.(gz|bz2|xz|zst|lz4|zip)$/i.test(n)) continue;
      try {
        const st = await fs.stat(/*turbopackIgnore: true*/ path.join(dir, n));
        if (st.isFile() && (!best || st.mtimeMs > best.mtime)) best = { file: path.join(dir, n), mtime: st.mtimeMs };
      } catch {
        // rotated away meanwhile
      }
    }
    return best ? { file: best.file, error: null } : { file: null, error: `no file matches ${pattern}` };
  }

  private async readTail(): Promise<void> {
    try {
      const { file, error } = await this.currentFile(this.pattern);
      let st: Awaited<ReturnType<typeof fs.stat>> | null = null;
      if (file) {
        try {
          st = await fs.stat(/*turbopackIgnore: true*/ file);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          this.error = code === 'ENOENT' ? `log file ${file} does not exist (yet?)` : `cannot read ${file}: ${code}`;
        }
      } else this.error = error;
      const rotated = this.fh && st && (st.ino !== this.ino || st.dev !== this.dev);
      if (this.fh && (rotated || !st)) {
        // Finish the old file (it may still get its last lines), then let go of it.
        await this.readFrom();
        await this.fh.close().catch(() => undefined);
        this.fh = null;
        this.carry = null;
      }
      if (!st || !file) return;
      if (!this.fh) {
        this.fh = await fs.open(/*turbopackIgnore: true*/ file, 'r');
        this.file = file;
        this.dev = st.dev;
        this.ino = st.ino;
        // First call: a little of what is there already; after a rotation: the new file from its start.
        this.offset = this.started ? 0 : Math.max(0, st.size - this.o.backfillBytes);
        this.carry = null;
        this.dropPartial = this.offset > 0;
      }
      this.started = true;
      this.error = null;
      await this.readFrom();
    } catch (e) {
      this.error = `cannot read ${this.file ?? this.pattern}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
  }

  /** Reads [offset, size) of the open file, at most maxBytesPerCall (skipping older bytes). */
  private async readFrom(): Promise<void> {
    const fh = this.fh!;
    const size = (await fh.stat()).size;
    if (size < this.offset) {
      // Truncated in place (copytruncate): start over.
      this.offset = 0;
      this.carry = null;
      this.dropPartial = false;
    }
    let pending = size - this.offset;
    if (pending <= 0) return;
    if (pending > this.o.maxBytesPerCall) {
      const skip = pending - this.o.maxBytesPerCall;
      this.skippedBytes += skip;
      this.offset += skip;
      this.carry = null;
      this.dropPartial = true;
      pending = this.o.maxBytesPerCall;
    }
    const buf = Buffer.allocUnsafe(pending);
    const { bytesRead } = await fh.read(buf, 0, pending, this.offset);
    this.offset += bytesRead;
    let data = buf.subarray(0, bytesRead);
    if (this.dropPartial) {
      // Mid-line: the bytes up to the first newline belong to a line we didn't see begin.
      const nl = data.indexOf(10);
      if (nl < 0) return;
      data = data.subarray(nl + 1);
      this.dropPartial = false;
    }
    this.feed(data);
  }

  private feed(data: Buffer): void {
    let start = 0;
    if (this.carry?.length) {
      const nl = data.indexOf(10);
      if (nl < 0) {
        if (this.carry.length < this.o.maxLineBytes)
          this.carry = Buffer.concat([this.carry, data.subarray(0, this.o.maxLineBytes - this.carry.length)]);
        return;
      }
      const line = Buffer.concat([
        this.carry,
        data.subarray(0, Math.min(nl, Math.max(0, this.o.maxLineBytes - this.carry.length))),
      ]);
      this.onLine(line.toString('utf8'));
      start = nl + 1;
    }
    this.carry = null;
    for (;;) {
      const nl = data.indexOf(10, start);
      if (nl < 0) break;
      const end = Math.min(nl, start + this.o.maxLineBytes);
      this.onLine(data.toString('utf8', start, end));
      start = nl + 1;
    }
    if (start < data.length)
      this.carry = Buffer.from(data.subarray(start, Math.min(data.length, start + this.o.maxLineBytes)));
  }
}
