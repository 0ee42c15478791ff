// Log excerpts read through the real log reader (lib/logs) from real files in a temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthSnapshot } from '../../dev/lib/snapshot-synth';
import { queryLogs } from '../logs/query';
import { clusterWithLogs, zapLine } from '../logs/testkit';
import { collectExcerpts, EXCERPT_LINES_PER_MEMBER, LINES_PER_FINDING } from './excerpts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-excerpts-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('collectExcerpts (real files, real reader)', () => {
  const t0 = Date.UTC(2026, 10, 25, 12, 0, 0);
  const lines1: string[] = [];
  for (let i = 0; i < 600; i++) {
    const t = t0 + i * 1000;
    // Every 2 s a warning with a signal (300 of them: more than the per-member bound).
    lines1.push(
      i % 2 === 0 ? zapLine(t, 'slow fdatasync', 'warn', { took: '1.2s' }) : zapLine(t, `applied entry ${i}`),
    );
  }
  const lines2 = [
    zapLine(t0 + 10_000, 'request took too long', 'warn'),
    zapLine(t0 + 20_000, 'all good'),
    zapLine(t0 + 30_000, 'failed to send out heartbeat on time', 'warn'),
  ];
  fs.writeFileSync(path.join(dir, 'etcd-1.log'), `${lines1.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'etcd-2.log'), `${lines2.join('\n')}\n`);
  const cluster = clusterWithLogs(
    dir,
    { members: { 'etcd-1': path.join(dir, 'etcd-1.log'), 'etcd-2': path.join(dir, 'etcd-2.log') } },
    2,
  );
  const rec = synthSnapshot({ seconds: 600, members: 2, end: t0 + 600_000 });
  const state = {
    ...rec.state,
    members: rec.state.members.map((m, i) => ({ ...m, endpoint: cluster.endpoints[i].url, name: `etcd-${i + 1}` })),
    findings: [{ ...rec.state.findings[0], members: [cluster.endpoints[0].url], since: t0 + 301_000 }],
  };

  it('per member: lines around each finding, then signal lines, bounded', async () => {
    const logs = await collectExcerpts(cluster, state, { from: t0, to: t0 + 600_000 }, (c, m, q) => queryLogs(c, m, q));
    expect(logs.status).toBe('ok');
    const [m1, m2] = logs.members;
    expect(m1.member).toBe('etcd-1');
    expect(m1.lines.length).toBe(EXCERPT_LINES_PER_MEMBER);
    expect(m1.truncated).toBe(true);
    const near = m1.lines.filter((l) => l.reason === 'finding');
    expect(near.length).toBeGreaterThan(0);
    expect(near.length).toBeLessThanOrEqual(LINES_PER_FINDING);
    for (const l of near) expect(Math.abs(l.t! - (t0 + 301_000))).toBeLessThanOrEqual(30_000);
    // Context lines (info) only appear because of the finding.
    expect(near.some((l) => l.msg.startsWith('applied entry'))).toBe(true);
    expect(m1.lines.filter((l) => l.reason !== 'finding').every((l) => l.signals.includes('slow-fdatasync'))).toBe(
      true,
    );
    // Oldest first.
    expect(m1.lines.map((l) => l.t)).toEqual([...m1.lines.map((l) => l.t)].sort((a, b) => a! - b!));
    expect(m2.lines.map((l) => l.msg)).toEqual(['request took too long', 'failed to send out heartbeat on time']);
    expect(m2.lines.every((l) => l.reason === 'signal')).toBe(true);
    expect(logs.lineCount).toBe(m1.lines.length + m2.lines.length);
  });

  it('a missing file is an error on that member, not a failure', async () => {
    const broken = clusterWithLogs(
      dir,
      { members: { 'etcd-1': path.join(dir, 'gone.log'), 'etcd-2': path.join(dir, 'etcd-2.log') } },
      2,
    );
    const logs = await collectExcerpts(broken, { ...state, findings: [] }, { from: t0, to: t0 + 600_000 }, (c, m, q) =>
      queryLogs(c, m, q),
    );
    expect(logs.members[0].lines).toHaveLength(0);
    expect(logs.members[0].errors.join(' ')).toMatch(/gone\.log/);
    expect(logs.members[1].lines).toHaveLength(2);
  });
});
