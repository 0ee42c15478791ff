import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../errors';
import { Budget, DEFAULT_FILE_LIMITS, globToRegExp, linesBackward, linesForward, seekTime } from './file';
import { lineTime } from './parse';
import { queryLogs } from './query';
import { clusterWithLogs, writeZapFile, zapLine } from './testkit';
import type { LogLine } from './types';

const T0 = Date.UTC(2024, 10, 25, 10, 0, 0);
const timeOf = (l: string) => lineTime(l, 'member', { utcOffsetMin: 0, now: T0 });
const msgIndex = (l: LogLine) => Number(/^line (\d+)$/.exec(l.msg)?.[1] ?? -1);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-logs-file-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function allPages(
  cluster: ReturnType<typeof clusterWithLogs>,
  member: string,
  q: Parameters<typeof queryLogs>[2],
) {
  const lines: LogLine[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const p = await queryLogs(cluster, member, { ...q, cursor });
    expect(p.errors).toEqual([]);
    lines.push(...p.lines);
    pages++;
    if (!p.nextCursor) break;
    cursor = p.nextCursor;
    if (pages > 1000) throw new Error('paging does not end');
  }
  return { lines, pages };
}

describe('seekTime on a big file', () => {
  let file: string;
  let times: number[];
  let offsets: number[];
  let size: number;

  beforeAll(() => {
    file = path.join(dir, 'big.log');
    // ~12 MB: 60 000 lines of 3 per 10 ms, padded to varied lengths.
    times = writeZapFile(file, T0, 60_000, 10 / 3, (i) => ({ pad: 'x'.repeat((i * 7919) % 200) }));
    const text = fs.readFileSync(file);
    offsets = [0];
    for (let i = 0; i < text.length - 1; i++) if (text[i] === 10) offsets.push(i + 1);
    size = text.length;
  });

  /** Reference: the offset of the first line with time >= t. */
  const expected = (t: number) => {
    const i = times.findIndex((x) => x >= t);
    return i < 0 ? size : offsets[i];
  };

  it('finds the first line at or after a time, at the edges and in between', async () => {
    const fh = await fs.promises.open(file, 'r');
    try {
      const probes = [
        T0 - 60_000,
        T0,
        T0 + 1,
        times[1],
        times[29_999],
        times[30_000] + 1,
        times[59_999],
        times[59_999] + 1,
        T0 + 10 ** 9,
      ];
      for (let k = 0; k < 40; k++) probes.push(T0 + Math.floor(((k * 104729) % 200_000) + 0.5));
      for (const t of probes) {
        const budget = new Budget(DEFAULT_FILE_LIMITS);
        expect(await seekTime(fh, size, t, timeOf, budget), `t=${t - T0}`).toBe(expected(t));
        // Binary search: a few probes, never the file.
        expect(budget.bytes).toBeLessThan(700 * 1024);
      }
    } finally {
      await fh.close();
    }
  });

  it('answers a window with exactly its lines, newest first, without reading the file', async () => {
    const cluster = clusterWithLogs(dir, { members: { 'etcd-1': file }, timezone: 'UTC' });
    const from = times[20_000];
    const to = times[20_299];
    const page = await queryLogs(cluster, 'etcd-1', { from, to, limit: 1000, source: 'member' });
    const want = times
      .map((t, i) => [t, i] as const)
      .filter(([t]) => t >= from && t <= to)
      .map(([, i]) => i)
      .reverse();
    expect(page.lines.map(msgIndex)).toEqual(want);
    expect(page.nextCursor).toBeNull();
    expect(page.truncated).toBe(false);
    expect(page.scannedBytes).toBeLessThan(size / 10);
    for (const l of page.lines)
      expect(l).toMatchObject({ source: 'member', member: 'http://127.0.0.1:23790', format: 'etcd-json' });
  });

  it('pages through a window with no line lost or repeated', async () => {
    const cluster = clusterWithLogs(dir, { members: { 'etcd-1': file }, timezone: 'UTC' });
    const from = times[10_000] + 1;
    const to = times[12_000];
    const { lines, pages } = await allPages(cluster, 'etcd-1', { from, to, limit: 97, source: 'member' });
    const want = times
      .map((t, i) => [t, i] as const)
      .filter(([t]) => t >= from && t <= to)
      .map(([, i]) => i)
      .reverse();
    expect(lines.map(msgIndex)).toEqual(want);
    expect(pages).toBe(Math.ceil(want.length / 97) + (want.length % 97 === 0 ? 1 : 0));
  });

  it('stops at the byte bound and says so', async () => {
    const cluster = clusterWithLogs(dir, { members: { 'etcd-1': file }, timezone: 'UTC' });
    const page = await queryLogs(
      cluster,
      'etcd-1',
      { from: T0, to: times[59_999], limit: 1000, q: 'no such text', source: 'member' },
      { fileLimits: { maxScanBytes: 2 * 1024 * 1024 } },
    );
    expect(page.truncated).toBe(true);
    expect(page.scannedBytes).toBeLessThan(3 * 1024 * 1024);
    expect(page.notes?.[0].message).toMatch(/read limit of 2 MiB reached/);
    expect(page.nextCursor).not.toBeNull(); // the rest can be paged
  });
});

describe('line reading', () => {
  it('cuts a line longer than the cap, in both directions, and keeps its neighbours', async () => {
    const file = path.join(dir, 'long.log');
    const long = zapLine(T0 + 1000, 'huge', 'warn', { blob: 'y'.repeat(300_000) });
    fs.writeFileSync(file, [zapLine(T0, 'before'), long, zapLine(T0 + 2000, 'after'), ''].join('\n'));
    const fh = await fs.promises.open(file, 'r');
    const limits = { ...DEFAULT_FILE_LIMITS, maxLineBytes: 64 * 1024, chunkBytes: 16 * 1024 };
    try {
      const size = (await fh.stat()).size;
      const back = [];
      for await (const l of linesBackward(fh, 0, size, new Budget(limits))) back.push(l);
      const fwd = [];
      for await (const l of linesForward(fh, 0, size, new Budget(limits))) fwd.push(l);
      for (const ls of [back.slice().reverse(), fwd]) {
        expect(ls.map((l) => l.cut)).toEqual([false, true, false]);
        expect(ls[1].text.length).toBe(64 * 1024);
        expect(ls[1].text.startsWith('{"level":"warn"')).toBe(true);
        expect(ls[1].offset).toBe(ls[0].text.length + 1);
        expect(JSON.parse(ls[2].text).msg).toBe('after');
      }
    } finally {
      await fh.close();
    }
    const cluster = clusterWithLogs(dir, { members: { 'etcd-1': file }, timezone: 'UTC' });
    const page = await queryLogs(cluster, 'etcd-1', { from: T0 - 1, to: T0 + 5000, limit: 10, source: 'member' });
    expect(page.lines.map((l) => l.format)).toEqual(['etcd-json', 'raw', 'etcd-json']);
    // The cut line can't be parsed: it is kept as raw text, marked, and still in the window.
    expect(page.lines[1].fields.truncated).toMatch(/cut/);
    expect(page.lines[1].raw.length).toBe(64 * 1024);
  });

  it('keeps lines without a time with the line before them', async () => {
    const file = path.join(dir, 'trace.log');
    fs.writeFileSync(
      file,
      [
        zapLine(T0, 'early'),
        'panic: boom',
        zapLine(T0 + 60_000, 'in window', 'error'),
        'goroutine 1 [running]:',
        '\tmain.main()',
        zapLine(T0 + 120_000, 'late'),
        '',
      ].join('\n'),
    );
    const cluster = clusterWithLogs(dir, { members: { 'etcd-1': file }, timezone: 'UTC' });
    const page = await queryLogs(cluster, 'etcd-1', {
      from: T0 + 30_000,
      to: T0 + 90_000,
      limit: 10,
      source: 'member',
    });
    expect(page.lines.map((l) => (l.raw.startsWith('{') ? l.msg : l.raw))).toEqual([
      '\tmain.main()',
      'goroutine 1 [running]:',
      'in window',
    ]);
    expect(page.lines[0]).toMatchObject({ t: null, format: 'raw' });
  });

  it('matches globs on the file name only', () => {
    expect(globToRegExp('etcd.log*').test('etcd.log.1')).toBe(true);
    expect(globToRegExp('etcd.log*').test('etcd.log')).toBe(true);
    expect(globToRegExp('etcd-?.log').test('etcd-1.log')).toBe(true);
    expect(globToRegExp('etcd-[12].log').test('etcd-3.log')).toBe(false);
    expect(globToRegExp('etcd-[!1].log').test('etcd-2.log')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('*').test('../x')).toBe(false);
  });
});

describe('rotated files', () => {
  it('reads a window across a rotation, newest first, and skips compressed files', async () => {
    const rdir = path.join(dir, 'rot');
    fs.mkdirSync(rdir);
    // Three generations: .2 (oldest), .1, current; each 1000 lines, 100 ms apart.
    const gens = ['etcd.log.2', 'etcd.log.1', 'etcd.log'];
    for (const [k, g] of gens.entries())
      writeZapFile(path.join(rdir, g), T0 + k * 100_000, 1000, 100, (i) => ({ gen: k, n: i }));
    fs.writeFileSync(path.join(rdir, 'etcd.log.3.gz'), 'not text');
    fs.writeFileSync(path.join(rdir, 'other.log'), `${zapLine(T0 + 150_000, 'not ours')}\n`);
    // mtimes: make the current file the newest (writeFileSync order already does, but be sure).
    for (const [k, g] of gens.entries())
      fs.utimesSync(path.join(rdir, g), new Date(T0 + k * 1000), new Date(T0 + k * 1000));
    const cluster = clusterWithLogs(dir, { members: { 'etcd-1': path.join(rdir, 'etcd.log*') }, timezone: 'UTC' });
    const from = T0 + 190_000;
    const to = T0 + 210_000 - 1;
    const { lines } = await allPages(cluster, 'etcd-1', { from, to, limit: 64, source: 'member' });
    const got = lines.map((l) => `${l.fields.gen}:${l.fields.n}`);
    const want: string[] = [];
    for (let i = 99; i >= 0; i--) want.push(`2:${i}`);
    for (let i = 999; i >= 900; i--) want.push(`1:${i}`);
    expect(got).toEqual(want);
    expect(lines.every((l) => l.msg !== 'not ours')).toBe(true);
  });

  it('says so when the file rotated between two pages', async () => {
    const rdir = path.join(dir, 'rot2');
    fs.mkdirSync(rdir);
    const file = path.join(rdir, 'etcd.log');
    writeZapFile(file, T0, 1000, 100);
    const cluster = clusterWithLogs(dir, { members: { 'etcd-1': file }, timezone: 'UTC' });
    const p1 = await queryLogs(cluster, 'etcd-1', { from: T0, to: T0 + 100_000, limit: 10, source: 'member' });
    expect(p1.nextCursor).not.toBeNull();
    fs.renameSync(file, `${file}.1`);
    writeZapFile(file, T0 + 200_000, 10, 100);
    const p2 = await queryLogs(cluster, 'etcd-1', {
      from: T0,
      to: T0 + 100_000,
      limit: 10,
      source: 'member',
      cursor: p1.nextCursor!,
    });
    expect(p2.lines).toEqual([]);
    expect(p2.errors[0].message).toMatch(/changed \(rotated\) since the previous page: load the first page again/);
  });
});

describe('missing files and filters', () => {
  it('reports a missing file or an empty glob per source; the other source still answers', async () => {
    const bal = path.join(dir, 'haproxy.log');
    fs.writeFileSync(
      bal,
      [
        `<134>Nov 25 10:00:01 lb haproxy[1]: 127.0.0.1:5000 [25/Nov/2024:10:00:00.500] etcd_in etcd/etcd-1 1/0/500 100 -- 1/1/1/1/0 0/0`,
        `<134>Nov 25 10:00:02 lb haproxy[1]: 127.0.0.1:5001 [25/Nov/2024:10:00:01.000] etcd_in etcd/etcd-2 1/-1/1000 0 SC 1/1/1/1/3 0/0`,
        `<129>Nov 25 10:00:03 lb haproxy[1]: Server etcd/etcd-1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 1 active and 0 backup servers left.`,
        `<128>Nov 25 10:00:04 lb haproxy[1]: backend etcd has no server available!`,
        '',
      ].join('\n'),
    );
    const cluster = clusterWithLogs(dir, {
      members: { 'etcd-1': path.join(dir, 'nope', 'etcd.log'), 'etcd-2': path.join(dir, 'nope', 'etcd-*.log') },
      balancer: bal,
      timezone: 'UTC',
    });
    const p1 = await queryLogs(cluster, 'etcd-1', { from: T0, to: T0 + 60_000, limit: 10 }, { now: T0 });
    expect(p1.errors).toEqual([
      { source: 'member', message: `log file ${path.join(dir, 'nope', 'etcd.log')} does not exist (yet?)` },
    ]);
    // The balancer's lines about etcd-1 (and about no server at all), not etcd-2's.
    expect(p1.lines.map((l) => l.msg.slice(0, 30))).toEqual([
      'backend etcd has no server ava',
      'Server etcd/etcd-1 is DOWN, re',
      '127.0.0.1:5000 [25/Nov/2024:10',
    ]);
    expect(p1.signalCounts).toEqual([{ minute: T0, signal: 'lb-server-down', count: 2 }]);
    const p2 = await queryLogs(cluster, 'etcd-2', { from: T0, to: T0 + 60_000, limit: 10 }, { now: T0 });
    expect(p2.errors[0].message).toMatch(/^cannot list .*nope: ENOENT$/);
    expect(p2.lines.map((l) => l.fields.termination ?? l.fields.server)).toEqual(['<NOSRV>', 'SC']);
    expect(p2.signalCounts).toEqual([
      { minute: T0, signal: 'lb-server-down', count: 1 },
      { minute: T0, signal: 'lb-termination', count: 1 },
    ]);
  });

  it('filters by text and minimum level (signal lines count as warn) and counts signals per minute', async () => {
    const file = path.join(dir, 'mixed.log');
    fs.writeFileSync(
      file,
      [
        zapLine(T0 + 1_000, 'raft.node: a elected leader b at term 2'),
        zapLine(T0 + 2_000, 'apply request took too long', 'warn'),
        zapLine(T0 + 61_000, 'ordinary'),
        zapLine(T0 + 62_000, 'slow fdatasync', 'warn'),
        zapLine(T0 + 63_000, 'SLOW FDATASYNC in caps is not the signal', 'error'),
        '',
      ].join('\n'),
    );
    const cluster = clusterWithLogs(dir, { members: { 'etcd-1': file }, timezone: 'UTC' });
    const all = await queryLogs(cluster, 'etcd-1', { from: T0, to: T0 + 120_000, limit: 10, source: 'member' });
    expect(all.signalCounts).toEqual([
      { minute: T0, signal: 'elected-leader', count: 1 },
      { minute: T0, signal: 'took-too-long', count: 1 },
      { minute: T0 + 60_000, signal: 'slow-fdatasync', count: 1 },
    ]);
    const warn = await queryLogs(cluster, 'etcd-1', {
      from: T0,
      to: T0 + 120_000,
      limit: 10,
      level: 'warn',
      source: 'member',
    });
    expect(warn.lines.map((l) => l.msg)).toEqual([
      'SLOW FDATASYNC in caps is not the signal',
      'slow fdatasync',
      'apply request took too long',
      'raft.node: a elected leader b at term 2',
    ]);
    const err = await queryLogs(cluster, 'etcd-1', {
      from: T0,
      to: T0 + 120_000,
      limit: 10,
      level: 'error',
      source: 'member',
    });
    expect(err.lines.map((l) => l.msg)).toEqual(['SLOW FDATASYNC in caps is not the signal']);
    const q = await queryLogs(cluster, 'etcd-1', {
      from: T0,
      to: T0 + 120_000,
      limit: 10,
      q: 'fdatasync',
      source: 'member',
    });
    expect(q.lines.map((l) => l.msg)).toEqual(['SLOW FDATASYNC in caps is not the signal', 'slow fdatasync']);
    // Counts describe the window, not the search.
    expect(q.signalCounts.length).toBe(3);
    const sig = await queryLogs(cluster, 'etcd-1', {
      from: T0,
      to: T0 + 120_000,
      limit: 10,
      signalsOnly: true,
      source: 'member',
    });
    expect(sig.lines.map((l) => l.msg)).toEqual([
      'slow fdatasync',
      'apply request took too long',
      'raft.node: a elected leader b at term 2',
    ]);
  });

  it('refuses unknown members, bad windows and cursors that are not its own', async () => {
    const cluster = clusterWithLogs(dir, { members: { 'etcd-1': path.join(dir, 'mixed.log') } });
    await expect(queryLogs(cluster, '../etc/passwd', { from: T0, to: T0 + 1, limit: 1 })).rejects.toThrow(
      NotFoundError,
    );
    await expect(queryLogs(cluster, 'etcd-1', { from: T0, to: T0, limit: 1 })).rejects.toThrow(ValidationError);
    await expect(queryLogs(cluster, 'etcd-1', { from: T0, to: T0 + 25 * 3600_000, limit: 1 })).rejects.toThrow(
      ValidationError,
    );
    await expect(queryLogs(cluster, 'etcd-1', { from: T0, to: T0 + 1, limit: 1001 })).rejects.toThrow(ValidationError);
    const evil = Buffer.from(JSON.stringify({ v: 1, m: { k: 'f', f: 0, o: 0, i: 0, path: '/etc/passwd' } })).toString(
      'base64url',
    );
    await expect(queryLogs(cluster, 'etcd-1', { from: T0, to: T0 + 1, limit: 1, cursor: evil })).rejects.toThrow(
      ValidationError,
    );
    // By URL and host:port too.
    const byUrl = await queryLogs(cluster, encodeURIComponent('http://127.0.0.1:23790'), {
      from: T0,
      to: T0 + 120_000,
      limit: 1,
      source: 'member',
    });
    expect(byUrl.lines.length).toBe(1);
    const byHp = await queryLogs(cluster, '127.0.0.1:23790', {
      from: T0,
      to: T0 + 120_000,
      limit: 1,
      source: 'member',
    });
    expect(byHp.lines.length).toBe(1);
  });
});
