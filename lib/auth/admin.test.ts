import { describe, expect, it } from 'vitest';
import { Secret } from '../config/secret';
import type { AuthConfig } from '../config/load';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import { accessOf, authorize, makeSessionCookieValue, SESSION_COOKIE, verifySessionCookie } from './admin';

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
  it('authorize write: 401 without credentials, 403 with wrong ones or cross-site browser requests', () => {
    const req = (h: Record<string, string>) =>
      new Request('http://f.test/api/snapshots', { method: 'POST', headers: { host: 'f.test', ...h } });
    const write = (h: Record<string, string>, a = auth) => authorize(req(h), a, 'write');
    expect(() => write({})).toThrow(UnauthenticatedError);
    expect(() => write({ authorization: 'Bearer nope' })).toThrow(ForbiddenError);
    const cookie = `${SESSION_COOKIE}=${makeSessionCookieValue(TOKEN, null)}`;
    expect(write({ cookie, origin: 'http://f.test' }).granted).toBe(true);
    expect(() => write({ cookie, origin: 'http://evil.test' })).toThrow(ForbiddenError);
    expect(() => write({ cookie, 'sec-fetch-site': 'cross-site' })).toThrow(ForbiddenError);
    // A bearer token is never sent by a browser on its own: no origin check.
    expect(write({ authorization: `Bearer ${TOKEN}`, origin: 'http://evil.test' }).via).toBe('bearer');
    // Without access control anyone may write, but only from this site (the demo's fault buttons).
    expect(write({}, open).granted).toBe(true);
    expect(write({ origin: 'http://f.test' }, open).granted).toBe(true);
    expect(() => write({ origin: 'http://evil.test' }, open)).toThrow(ForbiddenError);
    expect(() => write({ 'sec-fetch-site': 'cross-site' }, open)).toThrow(ForbiddenError);
  });
  it('authorize read and public: nothing to check today, the caller is still identified', () => {
    const r = new Request('http://f.test/api/clusters', { headers: { 'x-forwarded-user': 'dave' } });
    expect(authorize(r, auth, 'read')).toMatchObject({ granted: false, user: 'dave' });
    expect(authorize(r, auth, 'public').user).toBe('dave');
  });
});
