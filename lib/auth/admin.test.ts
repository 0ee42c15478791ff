import { describe, expect, it } from 'vitest';
import { Secret } from '../config/secret';
import type { AuthConfig } from '../config/load';
import { accessOf, makeSessionCookieValue, requireWrite, SESSION_COOKIE, verifySessionCookie } from './admin';

const TOKEN = 'a-long-admin-token-0123456789';
const auth: AuthConfig = { adminToken: new Secret(TOKEN), adminTokenEnv: 'T', userHeader: 'X-Forwarded-User' };
const open: AuthConfig = { adminToken: null, adminTokenEnv: null, userHeader: null };

describe('admin access', () => {
  it('no token configured: anyone may write', () => {
    expect(accessOf(new Headers(), open)).toMatchObject({ required: false, granted: true, via: 'open' });
  });
  it('bearer token: right grants, wrong is rejected, none is not granted', () => {
    expect(accessOf(new Headers({ authorization: `Bearer ${TOKEN}` }), auth)).toMatchObject({
      granted: true,
      via: 'bearer',
    });
    expect(accessOf(new Headers({ authorization: `bearer  ${TOKEN} ` }), auth).granted).toBe(true);
    expect(accessOf(new Headers({ authorization: `Bearer ${TOKEN}x` }), auth)).toMatchObject({
      granted: false,
      rejected: true,
    });
    expect(accessOf(new Headers({ authorization: `Basic ${TOKEN}` }), auth)).toMatchObject({
      granted: false,
      rejected: true,
    });
    expect(accessOf(new Headers(), auth)).toMatchObject({ granted: false, rejected: false });
  });
  it('login cookies: an HMAC with expiry and name, never the token', () => {
    const now = 1_800_000_000_000;
    const v = makeSessionCookieValue(TOKEN, 'Alice', now);
    expect(v).not.toContain(TOKEN);
    expect(verifySessionCookie(TOKEN, v, now)).toEqual({ name: 'Alice' });
    expect(verifySessionCookie(TOKEN, v, now + 13 * 3600_000)).toBeUndefined();
    expect(verifySessionCookie('another-token-0123456789', v, now)).toBeUndefined();
    const [exp, , mac] = v.split('.');
    expect(
      verifySessionCookie(TOKEN, `${exp}.${Buffer.from('Eve').toString('base64url')}.${mac}`, now),
    ).toBeUndefined();
    expect(verifySessionCookie(TOKEN, `${Number(exp) + 999}.${v.split('.')[1]}.${mac}`, now)).toBeUndefined();
    const h = new Headers({ cookie: `other=1; ${SESSION_COOKIE}=${makeSessionCookieValue(TOKEN, 'Bob')}` });
    expect(accessOf(h, auth)).toMatchObject({ granted: true, via: 'cookie', user: 'Bob' });
  });
  it('the proxy user header names the creator', () => {
    expect(
      accessOf(new Headers({ 'x-forwarded-user': ' carol\u0007 ', authorization: `Bearer ${TOKEN}` }), auth).user,
    ).toBe('carol');
  });
  it('requireWrite: 401 without credentials, 403 with wrong ones or cross-site cookies', () => {
    const req = (h: Record<string, string>) =>
      new Request('http://f.test/api/snapshots', { method: 'POST', headers: { host: 'f.test', ...h } });
    expect(() => requireWrite(req({}), auth)).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => requireWrite(req({ authorization: 'Bearer nope' }), auth)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    const cookie = `${SESSION_COOKIE}=${makeSessionCookieValue(TOKEN, null)}`;
    expect(requireWrite(req({ cookie, origin: 'http://f.test' }), auth).granted).toBe(true);
    expect(() => requireWrite(req({ cookie, origin: 'http://evil.test' }), auth)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(() => requireWrite(req({ cookie, 'sec-fetch-site': 'cross-site' }), auth)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
    expect(requireWrite(req({}), open).granted).toBe(true);
  });
});
