import { describe, expect, it } from 'vitest';
import { synthSnapshot } from '../../dev/lib/snapshot-synth';
import { parseConfig } from '../config/load';
import { parseSnapshotFile, SnapshotFileError } from '../store/snapshotFormat';
import { SNAPSHOT_FILE_KIND, type ExcerptLine } from '../store/types';
import { boundExcerpt, collectExcerpts } from './excerpts';
import { deleteKeyMatches, hashDeleteKey, newDeleteKey, newSnapshotId, SNAPSHOT_ID_RE } from './ids';
import { publicClusterConfig } from './publicConfig';
import { configSecrets, scrubDeep, scrubText } from './scrub';
import { freezeState, resolveWindow, upgradeRecord } from './service';
import { excerptPanelData, findMember, formatWindow, rangeForWindow } from './view';

describe('ids and delete keys', () => {
  it('ids are 128 random bits, URL-safe; keys 256 bits, matched only by themselves', () => {
    const ids = new Set(Array.from({ length: 2000 }, newSnapshotId));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(SNAPSHOT_ID_RE);
    expect(Buffer.from([...ids][0], 'base64url')).toHaveLength(16);
    const k = newDeleteKey();
    expect(Buffer.from(k, 'base64url')).toHaveLength(32);
    expect(deleteKeyMatches(k, hashDeleteKey(k))).toBe(true);
    expect(deleteKeyMatches(`${k}x`, hashDeleteKey(k))).toBe(false);
    expect(deleteKeyMatches(newDeleteKey(), hashDeleteKey(k))).toBe(false);
    expect(deleteKeyMatches(k, 'abc')).toBe(false);
  });
});

describe('windows and freezing', () => {
  const now = 10_000_000;
  it('defaults to the last 15 minutes and refuses odd windows', () => {
    expect(resolveWindow({}, now)).toEqual({ from: now - 900_000, to: now });
    expect(() => resolveWindow({ from: now, to: now - 1 }, now)).toThrow(/"from" must be before "to"/);
    expect(() => resolveWindow({ to: now + 120_000 }, now)).toThrow(/in the future/);
    expect(() => resolveWindow({ from: now - 25 * 3600_000 }, now)).toThrow(/longer than 24 hours/);
  });
  // Builds an hour of polls: seconds alone, more on a busy shared machine.
  it('keeps events in the window and findings active in it', { timeout: 60_000 }, () => {
    const rec = synthSnapshot({ seconds: 3600 });
    const w = { from: rec.window.from + 1000 * 1000, to: rec.window.from + 2000 * 1000 };
    const frozen = freezeState(
      rec.state,
      rec.state.frames.filter((f) => f.t >= w.from && f.t <= w.to),
      w,
    );
    expect(frozen.frames).toHaveLength(1001);
    expect(frozen.events.every((e) => e.t >= w.from && e.t <= w.to)).toBe(true);
    expect(frozen.events.length).toBe(1);
    expect(frozen.findings.map((f) => f.kind)).toEqual(['capacity-mismatch', 'slow-disk']);
    const early = freezeState(rec.state, [], { from: rec.window.from, to: rec.window.from + 700_000 });
    expect(early.findings.map((f) => f.kind)).toEqual(['capacity-mismatch']);
    expect(rec.state.events.length).toBe(4);
  });
  it('upgrades records written before checks/balancer/logs/engine statuses existed', () => {
    const rec = synthSnapshot({ seconds: 10 });
    const old = JSON.parse(JSON.stringify(rec));
    delete old.state.checks;
    delete old.state.balancer;
    delete old.state.sources.balancer;
    delete old.state.sources.logs;
    delete old.state.sources.engine;
    delete old.importedAt;
    const up = upgradeRecord(old);
    expect(up.state.checks).toEqual([]);
    expect(up.state.balancer).toBeNull();
    expect(up.state.sources.balancer).toBeNull();
    expect(up.state.sources.logs).toBeNull();
    expect(up.state.sources.engine.ok).toBe(true);
    expect(up.importedAt).toBeNull();
  });
});

describe('log excerpts', () => {
  const line = (t: number, reason: ExcerptLine['reason'], raw = `line ${t}`): ExcerptLine => ({
    t,
    source: 'member',
    level: 'warn',
    msg: raw,
    raw,
    signals: [],
    reason,
  });
  it('keeps finding lines first, then signal lines, newest first; returns them oldest first', () => {
    const lines = [line(1, 'context'), line(2, 'signal'), line(3, 'finding'), line(4, 'signal'), line(5, 'context')];
    const b = boundExcerpt(lines, 3);
    expect(b.truncated).toBe(true);
    expect(b.lines.map((l) => l.t)).toEqual([2, 3, 4]);
    expect(boundExcerpt(lines, 10).lines.map((l) => l.t)).toEqual([1, 2, 3, 4, 5]);
  });
  it('a line found twice keeps its most important reason', () => {
    const b = boundExcerpt([line(1, 'signal', 'x'), line(1, 'finding', 'x'), line(1, 'context', 'x')], 10);
    expect(b.lines).toHaveLength(1);
    expect(b.lines[0].reason).toBe('finding');
  });
  it('says why there are none', async () => {
    const cfg = parseConfig('clusters: [{ name: c, endpoints: ["http://a:1"] }]', '/x.yaml', {});
    const rec = synthSnapshot({ seconds: 5 });
    expect((await collectExcerpts(cfg.clusters[0], rec.state, rec.window, null)).status).toBe('no-log-sources');
    const withLogs = parseConfig(
      'clusters: [{ name: c, endpoints: [{ url: "http://a:1", name: a }], logs: { members: { a: /var/log/etcd.log } } }]',
      '/x.yaml',
      {},
    );
    const none = await collectExcerpts(withLogs.clusters[0], rec.state, rec.window, null);
    expect(none).toMatchObject({ status: 'unavailable', lineCount: 0 });
  });
});

describe('public config and scrubbing', () => {
  const yaml = `
prometheus: { url: "http://p:9090", bearerTokenEnv: PT }
auth: { adminTokenEnv: AT }
clusters:
  - name: prod
    endpoints: ["https://10.0.0.1:2379", { url: "https://10.0.0.2:2379", name: b, weight: 2 }]
    auth: { username: root, passwordEnv: PW }
    balancer: { type: nginx, config: /etc/nginx/nginx.conf, upstream: etcd_up }
`;
  const env = { PT: 'prom-token-123456', AT: 'admin-token-1234567890', PW: 'hunter2-hunter2' };
  it('carries names, URLs, weights and booleans only', () => {
    const cfg = parseConfig(yaml, '/x.yaml', env);
    const pub = publicClusterConfig(cfg.clusters[0]);
    expect(pub).toEqual({
      name: 'prod',
      endpoints: [
        { url: 'https://10.0.0.1:2379', name: null, weight: 1 },
        { url: 'https://10.0.0.2:2379', name: 'b', weight: 2 },
      ],
      weighted: true,
      tls: true,
      clientCert: false,
      auth: true,
      balancer: { type: 'nginx', backend: 'etcd_up' },
      logs: false,
    });
    expect(JSON.stringify(pub)).not.toMatch(/root|hunter2|nginx\.conf|PW/);
  });
  it('scrubs known secrets and credential-looking text from every string', () => {
    const cfg = parseConfig(yaml, '/x.yaml', env);
    const secrets = configSecrets(cfg);
    expect(secrets).toEqual(expect.arrayContaining(['prom-token-123456', 'admin-token-1234567890', 'hunter2-hunter2']));
    expect(scrubText('dial failed: hunter2-hunter2 rejected', secrets)).toBe('dial failed: [redacted] rejected');
    expect(scrubText('GET / Authorization: Bearer abc.def', [])).toBe('GET / Authorization: [redacted]');
    expect(scrubText('{"authorization":"Basic dXNlcjpwdw=="}', [])).toBe('{"authorization":"[redacted]"}');
    expect(scrubText('password=pw1&user=x token: t0k', [])).toBe('password=[redacted]&user=x token: [redacted]');
    expect(scrubText('https://user:pw@host:2379/x', [])).toBe('https://user:[redacted]@host:2379/x');
    expect(scrubText('request took too long (took 1.2s)', secrets)).toBe('request took too long (took 1.2s)');
    const deep = scrubDeep({ a: ['x hunter2-hunter2'], n: 5, b: { c: null } }, secrets);
    expect(deep).toEqual({ a: ['x [redacted]'], n: 5, b: { c: null } });
  });
});

describe('snapshot files', () => {
  const file = (r = synthSnapshot({ seconds: 120 })) =>
    JSON.stringify({ kind: SNAPSHOT_FILE_KIND, exportedAt: 5, ...r });
  it('an exported record reads back equal', () => {
    const rec = synthSnapshot({ seconds: 120 });
    expect(parseSnapshotFile(file(rec))).toEqual(rec);
  });
  it('errors say what is wrong, by field', () => {
    const err = (text: string) => {
      try {
        parseSnapshotFile(text);
      } catch (e) {
        expect(e).toBeInstanceOf(SnapshotFileError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(err('')).toMatch(/not valid JSON/);
    expect(err('{}')).toMatch(/"kind" must be "fulcrum-snapshot"/);
    expect(err(file().replace('"schemaVersion":1', '"schemaVersion":7'))).toMatch(/newer than this Fulcrum reads/);
    const r = synthSnapshot({ seconds: 10 });
    r.window = { from: 10, to: 5 };
    expect(err(file(r))).toMatch(/window: from must be before to/);
    const r2 = synthSnapshot({ seconds: 10 });
    r2.cluster.name = 'other';
    expect(err(file(r2))).toMatch(/cluster\.name: is "other" but state\.name is "prod-main"/);
    const r3 = synthSnapshot({ seconds: 10 });
    r3.state.frames = [r3.state.frames[1], r3.state.frames[0]];
    expect(err(file(r3))).toMatch(/state\.frames\[1\]\.t: frames are not in time order/);
  });
});

describe('snapshot view helpers', () => {
  it('picks the smallest range preset that shows the window', () => {
    expect(rangeForWindow(300_000)).toBe('5m');
    expect(rangeForWindow(900_000)).toBe('15m');
    expect(rangeForWindow(901_000)).toBe('15m');
    expect(rangeForWindow(1_000_000)).toBe('1h');
    expect(rangeForWindow(7 * 3600_000)).toBe('24h');
    expect(formatWindow(900_000)).toBe('15 min');
    expect(formatWindow(5_400_000)).toBe('1 h 30 min');
  });
  it('finds members by name or encoded endpoint', () => {
    const rec = synthSnapshot({ seconds: 60 });
    expect(findMember(rec.state.members, 'etcd-2')?.endpoint).toBe('https://10.0.1.12:2379');
    expect(findMember(rec.state.members, encodeURIComponent('https://10.0.1.13:2379'))?.name).toBe('etcd-3');
    expect(findMember(rec.state.members, 'nope')).toBeUndefined();
  });
  it("a member's excerpt as log panel data: newest first, signal counts per minute", () => {
    const rec = synthSnapshot({ seconds: 600 });
    const ep = rec.state.members[2].endpoint;
    const d = excerptPanelData(rec.logs, ep);
    const ex = rec.logs.members[2];
    expect(d.lines).toHaveLength(ex.lines.length);
    expect(d.lines[0].t).toBe(ex.lines[ex.lines.length - 1].t);
    expect(d.lines.every((l) => l.member === ep && l.level === 'warn')).toBe(true);
    expect(d.signalCounts.reduce((a, c) => a + c.count, 0)).toBe(ex.lines.reduce((a, l) => a + l.signals.length, 0));
    expect(d.signalCounts.every((c) => c.minute % 60_000 === 0)).toBe(true);
    expect(
      excerptPanelData({ status: 'no-log-sources', note: 'none configured', members: [], lineCount: 0 }, ep).notes[0]
        .message,
    ).toMatch(/none configured/);
  });
});
