import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogLine, LogSource } from '../types';
import { SIGNALS } from '../types';
import { upstreamAddrs } from './nginx';
import { lineTime, parseLine, type ParseContext } from './index';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/logs');
// The captures were taken on a UTC machine; wall-clock formats are read as UTC here.
const CTX: ParseContext = { utcOffsetMin: 0, now: Date.UTC(2026, 10, 25, 12) };

function fixture(name: string, source: LogSource): LogLine[] {
  return fs
    .readFileSync(path.join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => parseLine(l, source, CTX));
}

const find = (lines: LogLine[], re: RegExp) => {
  const l = lines.find((x) => re.test(x.raw));
  if (!l) throw new Error(`no line matches ${re}`);
  return l;
};

describe('etcd zap JSON (captured from the local stack)', () => {
  const lines = fixture('etcd-leader-frozen.zap.log', 'member');
  const follower = fixture('etcd-follower.zap.log', 'member');

  it('parses every JSON line: level, ts, caller, msg, fields', () => {
    const json = lines.filter((l) => l.raw.startsWith('{'));
    expect(json.length).toBeGreaterThan(15);
    for (const l of json) {
      expect(l.format).toBe('etcd-json');
      expect(l.t).not.toBeNull();
      expect(l.level).not.toBeNull();
      expect(l.msg).not.toBe('');
      expect(l.fields.caller).toMatch(/\.go:\d+$/);
    }
    const first = lines[0];
    expect(first.t).toBe(Date.UTC(2026, 10, 25, 10, 45, 32, 149));
    expect(first.level).toBe('info');
    expect(first.msg).toBe('configuring peer listeners');
    // Arrays and numbers become JSON text.
    expect(first.fields['listen-peer-urls']).toMatch(/^\["http:\/\/127\.0\.0\.1:\d+"\]$/);
    const start = find(lines, /starting an etcd server/);
    expect(start.fields['max-cpu-set']).toBe('2');
    expect(start.fields['etcd-version']).toBe('3.4.23');
    expect(start.signals).toEqual([]); // "heartbeat-interval" etc. are not signals
  });

  it('finds the leader election and heartbeat signals', () => {
    expect(find(lines, /elected leader/).signals).toEqual(['elected-leader']);
    const hb = lines.filter((l) => l.signals.includes('heartbeat-late'));
    expect(hb.length).toBe(2);
    expect(hb[0].level).toBe('warn');
    expect(hb[0].fields['exceeded-duration']).toMatch(/s$/);
    // The heartbeat line says "took too long" too, but it is not a slow request.
    expect(hb[0].signals).not.toContain('took-too-long');
    expect(find(lines, /changed leader from/).signals).toEqual(['leader-changed']);
    expect(find(follower, /lost leader/).signals).toEqual(['lost-leader']);
    expect(find(follower, /apply request took too long/).signals).toEqual(['took-too-long']);
    expect(find(follower, /ReadIndex response took too long/).signals).toEqual(['took-too-long']);
    expect(find(lines, /peer became inactive/).signals).toContain('peer-unreachable');
    expect(find(follower, /lost TCP streaming connection/).signals).toContain('peer-unreachable');
    expect(find(lines, /became leader at term/).signals).toEqual([]);
  });

  it("reads etcd 3.4's plain-text lines mixed into the zap log", () => {
    const text = lines.filter((l) => l.format === 'etcd-text');
    expect(text.length).toBeGreaterThan(0);
    expect(text[0].level).toBe('warn');
    expect(text[0].fields.pkg).toBe('etcdserver/api/etcdhttp');
    expect(text[0].msg).toMatch(/^\/health error; QGET failed/);
    expect(text[0].t).toBe(Date.UTC(2026, 10, 25, 10, 46, 6, 916));
  });

  it('keeps the file sorted by time (the seek relies on it)', () => {
    const ts = [...lines, ...follower].filter((l) => l.t !== null);
    for (const f of [lines, follower]) {
      const t = f.map((l) => l.t).filter((x): x is number => x !== null);
      expect([...t].sort((a, b) => a - b)).toEqual(t);
    }
    expect(ts.length).toBeGreaterThan(30);
  });

  it('reads epoch-seconds and zoned ts values, and rejects JSON that is not a log record', () => {
    expect(parseLine('{"level":"error","ts":1732528800.5,"msg":"x"}', 'member', CTX).t).toBe(1732528800500);
    expect(parseLine('{"level":"warn","ts":"2024-11-25T10:00:00.000+0100","msg":"x"}', 'member', CTX).t).toBe(
      Date.UTC(2024, 10, 25, 9),
    );
    expect(parseLine('{"level":"panic","ts":"2024-11-25T10:00:00Z","msg":"x"}', 'member', CTX).level).toBe('fatal');
    expect(parseLine('[1,2,3]', 'member', CTX).format).toBe('raw');
    expect(parseLine('{"a":1}', 'member', CTX).format).toBe('raw');
    expect(parseLine('{"msg":"unterminated', 'member', CTX).format).toBe('raw');
  });

  it('bounds the fields of a hostile line', () => {
    const big: Record<string, string> = { level: 'info', msg: 'm' };
    for (let i = 0; i < 500; i++) big[`k${i}`] = 'v'.repeat(10_000);
    const l = parseLine(JSON.stringify(big), 'member', CTX);
    expect(Object.keys(l.fields).length).toBeLessThanOrEqual(65);
    expect(Math.max(...Object.values(l.fields).map((v) => v.length))).toBeLessThanOrEqual(2001);
  });
});

describe('etcd plain text (capnslog, hand-written from the format)', () => {
  const lines = fixture('etcd-capnslog.log', 'member');

  it('parses level letters, package and local time', () => {
    expect(lines[0]).toMatchObject({
      format: 'etcd-text',
      level: 'info',
      msg: 'etcd Version: 3.3.13',
      fields: { pkg: 'etcdmain' },
    });
    expect(lines[0].t).toBe(Date.UTC(2019, 9, 22, 15, 28, 14, 190));
    expect(lines[1].level).toBe('info'); // N (notice)
    expect(find(lines, /C \| etcdmain/).level).toBe('fatal');
    expect(find(lines, /E \| rafthttp/).level).toBe('error');
  });

  it('honours the configured UTC offset for wall-clock times', () => {
    const l = parseLine('2019-10-22 15:28:14.190434 I | etcdmain: x', 'member', { utcOffsetMin: 120, now: 0 });
    expect(l.t).toBe(Date.UTC(2019, 9, 22, 13, 28, 14, 190));
  });

  it('finds the 3.3-era wording of each signal', () => {
    expect(find(lines, /lost leader/).signals).toEqual(['lost-leader']);
    expect(find(lines, /elected leader/).signals).toEqual(['elected-leader']);
    expect(find(lines, /heartbeat on time/).signals).toEqual(['heartbeat-late']);
    expect(find(lines, /sync duration/).signals).toEqual(['slow-fdatasync']);
    expect(find(lines, /read-only range request/).signals).toEqual(['took-too-long']);
    expect(find(lines, /could not connect/).signals).toEqual(['peer-unreachable']);
    expect(find(lines, /failed to dial/).signals).toContain('peer-unreachable');
    expect(find(lines, /DeadlineExceeded/).signals).toEqual(['deadline-exceeded']);
    expect(find(lines, /database space exceeded/).signals).toEqual(['db-space-exceeded']);
  });

  it('skips a journald prefix and keeps a stack-trace line as raw text', () => {
    const j = find(lines, /^Oct 22/);
    expect(j.format).toBe('etcd-text');
    expect(j.msg).toMatch(/^published/);
    const raw = lines[lines.length - 1];
    expect(raw).toMatchObject({
      format: 'raw',
      t: null,
      level: null,
      msg: 'goroutine 1 [running]:',
      raw: 'goroutine 1 [running]:',
    });
  });
});

describe('HAProxy TCP log (captured)', () => {
  const lines = fixture('haproxy-tcp.log', 'balancer');

  it('parses every line, traffic and server state', () => {
    for (const l of lines) expect(l.format).toBe('haproxy');
    const first = lines[0];
    expect(first.fields).toMatchObject({
      client: '127.0.0.1:51880',
      frontend: 'etcd_in',
      backend: 'etcd',
      server: 'etcd-1',
      Tw: '1',
      Tc: '0',
      Tt: '1587',
      bytes: '2065',
      termination: '--',
      actconn: '9',
      srv_conn: '4',
      host: 'localhost',
      pid: '24082',
    });
    // accept date + Tt: when the session ended and the line was written.
    expect(first.t).toBe(Date.UTC(2026, 10, 25, 10, 45, 35, 155) + 1587);
    expect(first.level).toBe('info');
    expect(first.signals).toEqual([]);
  });

  it('flags SC sessions to the killed member and the DOWN line', () => {
    const sc = lines.filter((l) => l.fields.termination === 'SC');
    expect(sc.length).toBe(3);
    for (const l of sc) {
      expect(l.fields.server).toBe('etcd-3');
      expect(l.fields.Tc).toBe('-1');
      expect(l.signals).toEqual(['lb-termination']);
    }
    const down = find(lines, /etcd-3 is DOWN/);
    expect(down.fields).toMatchObject({
      backend: 'etcd',
      server: 'etcd-3',
      state: 'DOWN',
      reason: 'Layer4 connection problem',
    });
    expect(down.level).toBe('error'); // <129>: alert
    expect(down.signals).toEqual(['lb-server-down']);
    expect(down.t).toBe(Date.UTC(2026, 10, 25, 10, 45, 45));
    const up = find(lines, /etcd-3 is UP/);
    expect(up.fields.state).toBe('UP');
    expect(up.signals).toEqual([]);
    expect(find(lines, /etcd-1 is DOWN/).fields.reason).toBe('Layer7 timeout');
  });
});

describe('HAProxy HTTP log (captured, h2c + gRPC)', () => {
  const lines = fixture('haproxy-http.log', 'balancer');

  it('parses timers, status, termination state and the request', () => {
    for (const l of lines) expect(l.format).toBe('haproxy');
    expect(lines[0].fields).toMatchObject({
      server: 'etcd-2',
      TR: '0',
      Tw: '0',
      Tc: '0',
      Tr: '2',
      Ta: '2',
      status: '200',
      bytes: '116',
      termination: '--',
      tsc: '----',
      request: 'POST http://127.0.0.1:43757/etcdserverpb.KV/Put HTTP/2.0',
    });
    expect(lines[0].signals).toEqual([]);
  });

  it('flags connect failures to the killed member and unanswered requests to the frozen one', () => {
    const cc = lines.filter((l) => l.fields.termination === 'CC');
    expect(cc.length).toBeGreaterThan(2);
    for (const l of cc) expect(l.signals).toEqual(['lb-termination']);
    const cd = lines.filter((l) => l.fields.termination === 'CD');
    expect(cd.length).toBeGreaterThan(2);
    for (const l of cd) {
      expect(l.fields.server).toBe('etcd-1');
      expect(l.fields.status).toBe('-1');
      expect(l.signals).toEqual(['lb-no-response']);
    }
  });

  it('reads HTTP statuses as signals', () => {
    const l = parseLine(
      '<134>Nov 25 10:50:11 lb haproxy[1]: 10.0.0.9:37200 [25/Nov/2026:10:50:11.450] fe be/etcd-2 0/0/0/-1/5 503 217 - - SC-- 1/1/0/0/0 0/0 "GET /health HTTP/1.1"',
      'balancer',
      CTX,
    );
    expect(l.fields.status).toBe('503');
    expect(l.signals).toEqual(['lb-503', 'lb-termination']);
  });

  it('reads the rfc5424 header and the <NOSRV> server', () => {
    const l = parseLine(
      '<134>1 2026-11-25T10:49:01.911+01:00 lb haproxy 27251 - - 127.0.0.1:36756 [25/Nov/2026:10:49:01.911] etcd_in etcd_in/<NOSRV> -1/-1/-1/-1/4 0 0 - - PR-- 1/1/0/0/0 0/0 "<BADREQ>"',
      'balancer',
      CTX,
    );
    expect(l.format).toBe('haproxy');
    expect(l.fields.server).toBe('<NOSRV>');
    expect(l.fields.request).toBe('<BADREQ>');
    expect(l.signals).toContain('lb-termination');
    const be = parseLine('<128>Nov 25 10:50:20 lb haproxy[1]: backend etcd has no server available!', 'balancer', CTX);
    expect(be.fields.server).toBe('<NOSRV>');
    expect(be.level).toBe('fatal');
    expect(be.signals).toEqual(['lb-server-down']);
  });
});

describe('NGINX access and error logs (hand-written from the documented formats)', () => {
  const access = fixture('nginx-access.log', 'balancer');
  const errors = fixture('nginx-error.log', 'balancer');

  it('parses combined lines with key=value extras', () => {
    expect(access[0]).toMatchObject({ format: 'nginx-access', t: Date.UTC(2024, 10, 25, 10) });
    expect(access[0].fields).toMatchObject({
      status: '200',
      upstream: '10.0.1.11:2379',
      upstreamStatus: '200',
      requestTime: '0.003',
      userAgent: 'grpc-go/1.59.0',
    });
    expect(access[1].signals).toEqual(['lb-502']);
    expect(access[2].signals).toEqual(['lb-503']);
    expect(access[3].signals).toEqual(['lb-499']);
    expect(access[3].t).toBe(Date.UTC(2024, 10, 25, 9, 0, 3)); // +0100
    expect(access[4].signals).toEqual(['lb-504']);
    expect(access[4].fields.upstream).toBe('10.0.1.12:2379, 10.0.1.13:2379');
    expect(access[5].fields.user).toBe('alice');
  });

  it('parses the stream (L4) format', () => {
    expect(access[6].fields).toMatchObject({
      protocol: 'TCP',
      status: '200',
      upstream: '10.0.1.11:2379',
      sessionTime: '12.004',
    });
    expect(access[7].signals).toEqual(['lb-502']);
    expect(access[8].format).toBe('raw');
  });

  it('parses error lines with their context', () => {
    expect(errors[0]).toMatchObject({ format: 'nginx-error', level: 'error', t: Date.UTC(2024, 10, 25, 10, 0, 1) });
    expect(errors[0].msg).toBe('connect() failed (111: Connection refused) while connecting to upstream');
    expect(errors[0].fields).toMatchObject({
      connection: '4021',
      client: '10.0.5.21',
      upstream: 'grpc://10.0.1.12:2379',
    });
    expect(errors[1].signals).toEqual(['lb-server-down']);
    expect(errors[2].signals).toEqual(['conn-reset']);
    expect(errors[3]).toMatchObject({ level: 'warn', signals: ['lb-server-down'] });
    expect(errors[5]).toMatchObject({ level: 'info', msg: 'signal process started' });
    expect(errors[6].level).toBe('fatal');
  });

  it('splits upstream address lists', () => {
    expect(upstreamAddrs('grpc://10.0.1.12:2379')).toEqual(['10.0.1.12:2379']);
    expect(upstreamAddrs('10.0.1.12:2379, 10.0.1.13:2379 : 10.0.1.11:2379')).toEqual([
      '10.0.1.12:2379',
      '10.0.1.13:2379',
      '10.0.1.11:2379',
    ]);
    expect(upstreamAddrs('http://[::1]:2379/health')).toEqual(['[::1]:2379']);
    expect(upstreamAddrs('grpc://etcd_members')).toEqual([]);
    expect(upstreamAddrs('-')).toEqual([]);
  });
});

describe('untrusted text', () => {
  it('keeps markup and control characters verbatim (rendering is the view’s job)', () => {
    const raw = '<script>alert(1)</script> \u001b[31mred\u001b[0m <img src=x onerror=alert(2)>';
    const l = parseLine(raw, 'member', CTX);
    expect(l).toMatchObject({ format: 'raw', raw, msg: raw, signals: [] });
    const j = parseLine(JSON.stringify({ level: 'warn', ts: '2024-11-25T10:00:00Z', msg: raw }), 'member', CTX);
    expect(j.msg).toBe(raw);
  });

  it('strips a CR line end', () => {
    expect(parseLine('hello\r', 'member', CTX).raw).toBe('hello');
  });
});

describe('signals', () => {
  it('has unique ids and each regex matches its own label or a sample', () => {
    expect(new Set(SIGNALS.map((s) => s.id)).size).toBe(SIGNALS.length);
    for (const s of SIGNALS)
      if (!('field' in s)) expect(s.re.test(s.label) || s.id === 'lb-server-down', s.id).toBe(true);
  });

  it('lineTime gives the same time as the full parse', () => {
    const l = '{"level":"info","ts":"2026-11-25T10:45:32.149Z","msg":"x"}';
    expect(lineTime(l, 'member', CTX)).toBe(Date.UTC(2026, 10, 25, 10, 45, 32, 149));
    expect(lineTime('nothing', 'member', CTX)).toBeNull();
  });
});
