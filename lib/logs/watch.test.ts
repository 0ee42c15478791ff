import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterWithLogs, zapLine } from './testkit';
import { LogSignalWatcher } from './watch';

const T0 = Date.UTC(2024, 10, 25, 10, 0, 0);
const EP1 = 'http://127.0.0.1:23790';
const EP2 = 'http://127.0.0.1:23791';
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-watch-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const haproxy = (server: string, term: string, s: number) =>
  `<134>Nov 25 10:00:${String(s).padStart(2, '0')} lb haproxy[1]: 127.0.0.1:5000 [25/Nov/2024:10:00:${String(s).padStart(2, '0')}.000] etcd_in etcd/${server} 1/0/10 0 ${term} 1/1/1/1/0 0/0`;

describe('LogSignalWatcher', () => {
  it('counts only what was appended since the last call, per member and minute', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'a-'));
    const m1 = path.join(d, 'etcd-1.log');
    const m2 = path.join(d, 'etcd-2.log');
    const lb = path.join(d, 'haproxy.log');
    fs.writeFileSync(m1, `${zapLine(T0 - 3_600_000, 'slow fdatasync', 'warn')}\n`); // old, but within the backfill
    fs.writeFileSync(m2, '');
    fs.writeFileSync(lb, '');
    const cluster = clusterWithLogs(d, { members: { 'etcd-1': m1, 'etcd-2': m2 }, balancer: lb, timezone: 'UTC' });
    const w = new LogSignalWatcher(cluster, { keepMinutes: 120 });
    try {
      let s = await w.poll(T0);
      expect(s.get(EP1)!.counts).toEqual([{ minute: T0 - 3_600_000, signal: 'slow-fdatasync', count: 1 }]);
      fs.appendFileSync(
        m1,
        [
          zapLine(T0 + 1_000, 'slow fdatasync', 'warn'),
          zapLine(T0 + 2_000, 'ordinary'),
          zapLine(T0 + 61_000, 'raft.node: x lost leader y at term 3'),
          '',
        ].join('\n'),
      );
      fs.appendFileSync(
        lb,
        [haproxy('etcd-2', 'SC', 5), haproxy('etcd-1', '--', 6), haproxy('etcd-2', 'sD', 7), ''].join('\n'),
      );
      // A line still being written (no newline yet) is not counted...
      fs.appendFileSync(m2, zapLine(T0 + 3_000, 'leader failed to send out heartbeat on time', 'warn'));
      s = await w.poll(T0 + 62_000);
      expect(s.get(EP1)!.counts).toEqual([
        { minute: T0 - 3_600_000, signal: 'slow-fdatasync', count: 1 },
        { minute: T0, signal: 'slow-fdatasync', count: 1 },
        { minute: T0 + 60_000, signal: 'lost-leader', count: 1 },
      ]);
      expect(s.get(EP1)!.recent.map((l) => l.msg)).toEqual([
        'raft.node: x lost leader y at term 3',
        'slow fdatasync',
        'slow fdatasync',
      ]);
      expect(s.get(EP2)!.counts).toEqual([{ minute: T0, signal: 'lb-termination', count: 2 }]);
      // ...until it is complete.
      fs.appendFileSync(m2, '\n');
      s = await w.poll(T0 + 63_000);
      expect(s.get(EP2)!.counts).toContainEqual({ minute: T0, signal: 'heartbeat-late', count: 1 });
      // Polling again without new bytes changes nothing.
      const again = await w.poll(T0 + 64_000);
      expect(again.get(EP2)!.counts).toEqual(s.get(EP2)!.counts);
      // What the detectors take: counts by label over a window.
      expect(w.totals(5 * 60_000, T0 + 64_000)).toEqual({
        [EP1]: { 'slow fdatasync': 1, 'lost leader': 1 },
        [EP2]: { 'abnormal termination': 2, 'failed to send out heartbeat on time': 1 },
      });
      expect(w.totals(5 * 60_000, T0 + 64_000, 'id')![EP1]).toEqual({ 'slow-fdatasync': 1, 'lost-leader': 1 });
    } finally {
      await w.close();
    }
  });

  it('follows a rotation and reads the rest of the old file first', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'r-'));
    const m1 = path.join(d, 'etcd.log');
    fs.writeFileSync(m1, '');
    const cluster = clusterWithLogs(d, { members: { 'etcd-1': path.join(d, 'etcd.log*') }, timezone: 'UTC' });
    const w = new LogSignalWatcher(cluster);
    try {
      await w.poll(T0);
      fs.appendFileSync(m1, `${zapLine(T0 + 1_000, 'apply request took too long', 'warn')}\n`);
      await w.poll(T0 + 2_000);
      // logrotate: rename, the writer's last line lands in the old file, a new file starts.
      fs.renameSync(m1, `${m1}.1`);
      fs.appendFileSync(`${m1}.1`, `${zapLine(T0 + 3_000, 'apply request took too long', 'warn')}\n`);
      fs.writeFileSync(m1, `${zapLine(T0 + 4_000, 'apply request took too long', 'warn')}\n`);
      const future = new Date(Date.now() + 5_000);
      fs.utimesSync(m1, future, future);
      const s = await w.poll(T0 + 5_000);
      expect(s.get(EP1)!.counts).toEqual([{ minute: T0, signal: 'took-too-long', count: 3 }]);
      expect(s.get(EP1)!.errors).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it('reads at most maxBytesPerCall per file and counts what it skipped', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'b-'));
    const m1 = path.join(d, 'etcd-1.log');
    fs.writeFileSync(m1, '');
    const cluster = clusterWithLogs(d, { members: { 'etcd-1': m1 }, timezone: 'UTC' });
    const w = new LogSignalWatcher(cluster, { maxBytesPerCall: 64 * 1024 });
    try {
      await w.poll(T0);
      const lines: string[] = [];
      for (let i = 0; i < 5_000; i++) lines.push(zapLine(T0 + i, 'slow fdatasync', 'warn'));
      fs.appendFileSync(m1, `${lines.join('\n')}\n`);
      const s = await w.poll(T0 + 10_000);
      const total = fs.statSync(m1).size;
      expect(s.get(EP1)!.skippedBytes).toBe(total - 64 * 1024);
      const counted = s.get(EP1)!.counts.reduce((a, c) => a + c.count, 0);
      // Only whole lines of the last 64 KiB.
      expect(counted).toBe(Math.floor((64 * 1024) / (lines[0].length + 1)));
    } finally {
      await w.close();
    }
  });

  it('reports a missing file for its member only', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'm-'));
    const m2 = path.join(d, 'etcd-2.log');
    fs.writeFileSync(m2, `${zapLine(T0, 'slow fdatasync', 'warn')}\n`);
    const cluster = clusterWithLogs(d, {
      members: { 'etcd-1': path.join(d, 'gone.log'), 'etcd-2': m2 },
      timezone: 'UTC',
    });
    const w = new LogSignalWatcher(cluster);
    try {
      const s = await w.poll(T0 + 1_000);
      expect(s.get(EP1)!.errors).toEqual([
        { source: 'member', message: `log file ${path.join(d, 'gone.log')} does not exist (yet?)` },
      ]);
      expect(s.get(EP2)!.errors).toEqual([]);
      expect(s.get(EP2)!.counts).toEqual([{ minute: T0, signal: 'slow-fdatasync', count: 1 }]);
      // It shows up later: read from its start.
      fs.writeFileSync(path.join(d, 'gone.log'), `${zapLine(T0 + 2_000, 'raft.node: a elected leader b at term 2')}\n`);
      const s2 = await w.poll(T0 + 3_000);
      expect(s2.get(EP1)!.errors).toEqual([]);
      expect(s2.get(EP1)!.counts).toEqual([{ minute: T0, signal: 'elected-leader', count: 1 }]);
    } finally {
      await w.close();
    }
  });

  it('is disabled without a logs section', async () => {
    const cluster = clusterWithLogs(dir, { members: {} });
    const w = new LogSignalWatcher(cluster);
    expect(w.enabled).toBe(false);
    expect(w.totals(60_000, T0)).toBeNull();
    expect((await w.poll(T0)).get(EP1)!.counts).toEqual([]);
  });
});
