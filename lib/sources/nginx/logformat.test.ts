import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECOMMENDED_LOG_FORMATS } from '../../../dev/lib/nginx';
import { NGINX_COMBINED } from './conf';
import { checkLogFormat, compileLogFormat, listValues, parseLogFormat, secondsToMs } from './logformat';

const FIX = path.resolve(__dirname, '../../../test/fixtures/nginx');
const lines = (f: string) => readFileSync(path.join(FIX, f), 'utf8').trimEnd().split('\n');

describe('compileLogFormat on real NGINX lines', () => {
  it('stream: every captured line matches, with its upstream list', () => {
    const f = compileLogFormat(RECOMMENDED_LOG_FORMATS.stream);
    const parsed = lines('stream-access.log').map((l) => f.match(l));
    expect(parsed.every((p) => p !== null)).toBe(true);
    expect(parsed[0]).toMatchObject({
      remote_addr: '127.0.0.1',
      time_local: '29/Nov/2026:05:25:41 +0000',
      protocol: 'TCP',
      status: '200',
      bytes_sent: '2086',
      bytes_received: '2753',
      session_time: '1.389',
      upstream_addr: '127.0.0.1:45259',
    });
    const retried = parsed.find((p) => p!.upstream_addr.includes(','))!;
    expect(listValues(retried.upstream_addr)).toEqual(['127.0.0.1:43693', '127.0.0.1:37163']);
    expect(listValues(retried.upstream_connect_time)).toEqual(['-', '0.000']);
  });

  it('grpc: every captured line matches; statuses and times per try', () => {
    const f = compileLogFormat(RECOMMENDED_LOG_FORMATS.grpc);
    const parsed = lines('grpc-access.log').map((l) => f.match(l));
    expect(parsed.every((p) => p !== null)).toBe(true);
    expect(parsed[0]).toMatchObject({
      request: 'POST /etcdserverpb.KV/Range HTTP/2.0',
      status: '200',
      upstream_addr: '127.0.0.1:33173',
      sent_trailer_grpc_status: '0',
    });
    const retried = parsed.find((p) => p!.upstream_status.includes(','))!;
    expect(listValues(retried.upstream_status)).toEqual(['502', '200']);
    expect(parsed.find((p) => p!.status === '499')!.upstream_status).toBe('-');
  });

  it('unquoted list variables still split right: the list separators are skipped', () => {
    const f = compileLogFormat('$upstream_addr $status $upstream_response_time $request_time');
    expect(f.match('10.0.0.1:2379, 10.0.0.2:2379 : 10.0.0.3:2379 502 0.001, 0.002 : 0.003 0.010')).toEqual({
      upstream_addr: '10.0.0.1:2379, 10.0.0.2:2379 : 10.0.0.3:2379',
      status: '502',
      upstream_response_time: '0.001, 0.002 : 0.003',
      request_time: '0.010',
    });
  });

  it('nginx combined and braced variables', () => {
    const f = compileLogFormat(`${NGINX_COMBINED} "\${upstream_addr}"`);
    expect(f.vars).toContain('upstream_addr');
    const v = f.match('1.2.3.4 - - [25/Nov/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8" "10.0.0.1:2379"');
    expect(v?.upstream_addr).toBe('10.0.0.1:2379');
    expect(v?.request).toBe('GET / HTTP/1.1');
  });

  it('lines of another shape do not match', () => {
    const f = compileLogFormat(RECOMMENDED_LOG_FORMATS.stream);
    for (const l of [...lines('grpc-access.log'), '', 'garbage', '127.0.0.1 [x] TCP']) expect(f.match(l)).toBeNull();
  });

  it('never throws on hostile lines (property); no regular expression, so no backtracking', () => {
    const f = compileLogFormat(RECOMMENDED_LOG_FORMATS.grpc);
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (s) => {
        const v = f.match(s);
        expect(v === null || typeof v === 'object').toBe(true);
      }),
    );
    expect(f.match(`${'"a" '.repeat(4000)}`)).toBeNull();
  });
});

describe('checkLogFormat', () => {
  it('needs $upstream_addr; says what else is missing', () => {
    expect(checkLogFormat(parseLogFormat(NGINX_COMBINED), 'http')).toMatchObject({
      ok: false,
      error: expect.stringContaining('$upstream_addr'),
    });
    expect(checkLogFormat(parseLogFormat(RECOMMENDED_LOG_FORMATS.stream), 'stream')).toEqual({
      ok: true,
      missing: [],
      error: null,
    });
    expect(checkLogFormat(parseLogFormat(RECOMMENDED_LOG_FORMATS.grpc), 'http').missing).toEqual([]);
    expect(checkLogFormat(parseLogFormat('$remote_addr "$upstream_addr"'), 'stream').missing).toEqual([
      'status',
      'session_time',
      'bytes_sent',
    ]);
  });

  it('two variables with nothing between them cannot be split', () => {
    expect(checkLogFormat(parseLogFormat('$upstream_addr$status'), 'stream').error).toMatch(/nothing between/);
  });
});

describe('helpers', () => {
  it('secondsToMs', () => {
    expect(secondsToMs('0.004')).toBe(4);
    expect(secondsToMs('-')).toBeNull();
    expect(secondsToMs(undefined)).toBeNull();
    expect(secondsToMs('x')).toBeNull();
  });
});
