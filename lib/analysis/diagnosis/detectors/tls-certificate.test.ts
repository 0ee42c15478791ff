import { describe, expect, it } from 'vitest';
import type { MemberCert } from '../../../types';
import { fixText, input, member } from '../testkit';
import { tlsCertificate } from './tls-certificate';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 29);
const cert = (over: Partial<MemberCert> = {}): MemberCert => ({
  notAfter: NOW + 300 * DAY,
  subject: 'CN=etcd',
  altNames: ['IP Address:10.0.0.1'],
  nameMatches: true,
  trusted: true,
  ...over,
});
const https = (i: number, c: MemberCert | null) => member(i, { endpoint: `https://10.0.0.${i}:2379`, cert: c });

describe('tls-certificate', () => {
  it('warns within 14 days, naming the endpoint; critical within 3 days, expired, or for another name', () => {
    const run = (c: MemberCert) =>
      tlsCertificate.run(input({ members: [https(1, c), https(2, cert()), https(3, cert())], t: NOW })).candidates;
    expect(run(cert())).toEqual([]);
    const soon = run(cert({ notAfter: NOW + 9.5 * DAY }))[0];
    expect(soon).toMatchObject({ severity: 'warning', members: ['https://10.0.0.1:2379'] });
    expect(soon.summary).toContain('the certificate of https://10.0.0.1:2379 expires in 9 days');
    expect(run(cert({ notAfter: NOW + 2 * DAY }))[0].severity).toBe('critical');
    expect(run(cert({ notAfter: NOW - DAY }))[0].summary).toContain('expired on');
    const wrong = run(cert({ nameMatches: false, altNames: ['DNS:wrong.example'] }))[0];
    expect(wrong.severity).toBe('critical');
    expect(wrong.summary).toContain('does not cover 10.0.0.1 (DNS:wrong.example)');
    expect(fixText(wrong)).toContain('subjectAltName=IP:10.0.0.1');
    expect(run(cert({ trusted: false }))[0].summary).toContain('not signed by the configured CA');
  });

  it('says what it could not check', () => {
    expect(tlsCertificate.run(input({ members: [member(1)], t: NOW })).check).toMatchObject({
      state: 'ok',
      note: 'no https endpoints: no certificates to check',
    });
    expect(tlsCertificate.run(input({ members: [https(1, null)], t: NOW })).check.note).toBe('no certificate seen yet');
  });
});
