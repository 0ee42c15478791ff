import { describe, expect, it } from 'vitest';
import { auditLine, MAX_LINE_BYTES, parseAudit, readLine, resolveMember } from './protocol';

const clusters = [
  {
    name: 'prod',
    members: [
      { name: 'etcd-1', endpoint: 'https://10.0.1.11:2379' },
      { name: 'etcd-2', endpoint: 'https://10.0.1.12:2379' },
    ],
  },
  { name: 'stage', members: [{ name: 'etcd-1', endpoint: 'http://10.0.2.11:2379' }] },
];

describe('agent-send line', () => {
  it('waits for the newline, accepts CRLF, refuses binary and long lines', () => {
    expect(readLine(Buffer.from('etcd-2'))).toEqual({ kind: 'more' });
    expect(readLine(Buffer.from('etcd-2\n'))).toEqual({ kind: 'line', line: 'etcd-2' });
    expect(readLine(Buffer.from('  prod/etcd-2\r\n'))).toEqual({ kind: 'line', line: 'prod/etcd-2' });
    expect(readLine(Buffer.from([0x65, 0x00, 0x0a]))).toEqual({ kind: 'bad', reason: 'not-text' });
    expect(readLine(Buffer.from('\u001b[31m\n'))).toEqual({ kind: 'bad', reason: 'not-text' });
    expect(readLine(Buffer.from('x'.repeat(MAX_LINE_BYTES + 1)))).toEqual({ kind: 'bad', reason: 'too-long' });
    expect(readLine(Buffer.from(`${'x'.repeat(MAX_LINE_BYTES)}\n`)).kind).toBe('line');
  });

  it('names a member by name, host:port or URL, scoped by cluster when names clash', () => {
    expect(resolveMember('etcd-2', clusters)).toEqual({
      ok: true,
      cluster: 'prod',
      endpoint: 'https://10.0.1.12:2379',
      member: 'etcd-2',
    });
    expect(resolveMember('10.0.1.11:2379', clusters)).toMatchObject({ ok: true, member: 'etcd-1', cluster: 'prod' });
    expect(resolveMember('http://10.0.2.11:2379', clusters)).toMatchObject({ ok: true, cluster: 'stage' });
    expect(resolveMember('etcd-1', clusters)).toEqual({ ok: false, reason: 'ambiguous' });
    expect(resolveMember('stage/etcd-1', clusters)).toMatchObject({ ok: true, cluster: 'stage' });
    expect(resolveMember('prod/10.0.1.11:2379', clusters)).toMatchObject({ ok: true, member: 'etcd-1' });
    expect(resolveMember('etcd-9', clusters)).toEqual({ ok: false, reason: 'unknown' });
    expect(resolveMember('nope/etcd-2', clusters)).toEqual({ ok: false, reason: 'unknown' });
    expect(resolveMember('   ', clusters)).toEqual({ ok: false, reason: 'empty' });
  });
});

describe('audit log', () => {
  it('reads back what it writes and skips torn or foreign lines', () => {
    const e = {
      t: 1,
      cluster: 'prod',
      member: 'etcd-2',
      endpoint: 'https://10.0.1.12:2379',
      server: 'etcd-2',
      peer: '127.0.0.1:1234',
      by: 'fulcrum-agent@127.0.0.1:5555',
      before: 100,
      after: 80,
      reply: '80%',
      why: 'probe 40 ms vs peers’ 1 ms\nsecond line',
    };
    const text = `${auditLine(e)}{"t":"x"}\nnot json\n${auditLine({ ...e, t: 2 }).slice(0, 30)}`;
    expect(auditLine(e).split('\n')).toHaveLength(2);
    expect(parseAudit(text)).toEqual([e]);
  });
});
