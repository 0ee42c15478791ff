// The access check with a real SQLite store in a temp dir (sessions, wall links, rate counters).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AuthConfig, AuthSchema, resolveAccess, type ServerConfig, ServerSchema } from '../config/access';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import { SqliteStore } from '../store/sqlite';
import { type AccessContext, authorize, identify, newSessionId, SESSION_COOKIE, sessionCookie } from './access';
import { clientAddress, clientKey, PEER_HEADER } from './client';
import { login, logout } from './login';
import { ratePeek, rateTake } from './ratelimit';
import { localPath, localPathOr400 } from './redirect';
import { createWallLink, verifyWallLink } from './wallLinks';

const ADMIN = 'a-long-admin-token-0123456789';
const VIEWER = 'a-long-viewer-token-9876543210';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-access-'));
const store = new SqliteStore(dir);
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function cfg(
  auth: Record<string, unknown> = {},
  server: Record<string, unknown> = {},
  env: Record<string, string> = {},
) {
  return resolveAccess(AuthSchema.parse(auth), ServerSchema.parse(server), {
    FULCRUM_ADMIN_TOKEN: ADMIN,
    FULCRUM_VIEWER_TOKENS: `${VIEWER}, another-viewer-token-000000`,
    ...env,
  });
}
function ctx(c: { auth: AuthConfig; server: ServerConfig }): AccessContext {
  return { ...c, store: async () => store };
}
const OPEN = ctx(cfg());
const ADMIN_ONLY = ctx(cfg({ adminTokenEnv: 'FULCRUM_ADMIN_TOKEN' }));
const ROLES = ctx(cfg({ adminTokenEnv: 'FULCRUM_ADMIN_TOKEN', viewerTokensEnv: 'FULCRUM_VIEWER_TOKENS' }));
const PROXIED = ctx(
  cfg(
    { userHeader: 'X-Forwarded-User', groupsHeader: 'X-Forwarded-Groups', adminGroups: ['sre'], viewerGroups: ['dev'] },
    { trustedProxies: ['10.0.0.0/8'] },
  ),
);

const h = (o: Record<string, string> = {}) => new Headers({ [PEER_HEADER]: '192.0.2.1', host: 'f.test', ...o });

describe('config', () => {
  it('viewers without an admin, proxy headers without trusted proxies, short tokens: clear errors', () => {
    expect(() => cfg({ viewerTokensEnv: 'FULCRUM_VIEWER_TOKENS' })).toThrow(/no admin/);
    expect(() => cfg({ userHeader: 'X-Forwarded-User', adminGroups: [] })).toThrow(/trustedProxies/);
    expect(() => cfg({ viewerTokensEnv: 'V' }, {}, { V: 'short' })).toThrow(/shorter than 16/);
    expect(() => cfg({ adminTokenEnv: 'A', viewerTokensEnv: 'A' }, {}, { A: ADMIN })).toThrow(/is the admin token/);
    expect(() => ServerSchema.parse({ frameAncestors: ["'none'", 'https://a.test'] })).toThrow(/alone/);
    expect(() => ServerSchema.parse({ frameAncestors: ['https://a.test; script-src *'] })).toThrow();
    expect(() => ServerSchema.parse({ trustedProxies: ['10.0.0.0/33'] })).toThrow(/CIDR/);
  });
});

describe('client identity', () => {
  const trusted = cfg({}, { trustedProxies: ['10.0.0.0/8', '::1'] }).server.trusted;
  it('X-Forwarded-For counts only from a trusted proxy; the peer otherwise', () => {
    expect(clientAddress(h({ 'x-forwarded-for': '1.2.3.4' }), trusted)).toBe('192.0.2.1');
    expect(clientAddress(h({ [PEER_HEADER]: '10.1.1.1', 'x-forwarded-for': '6.6.6.6, 1.2.3.4' }), trusted)).toBe(
      '1.2.3.4',
    );
    // Through two trusted hops: the first untrusted address from the right.
    expect(
      clientAddress(h({ [PEER_HEADER]: '::ffff:10.1.1.1', 'x-forwarded-for': '6.6.6.6, 1.2.3.4, 10.2.2.2' }), trusted),
    ).toBe('1.2.3.4');
    expect(clientAddress(new Headers({ 'x-forwarded-for': '1.2.3.4' }), trusted)).toBe('unknown');
  });
  it('IPv6 clients count by their /64', () => {
    expect(clientKey(h({ [PEER_HEADER]: '2001:db8:1:2:aaaa::1' }), trusted)).toBe('2001:db8:1:2::/64');
    expect(clientKey(h({ [PEER_HEADER]: '2001:db8:1:2:bbbb::9' }), trusted)).toBe('2001:db8:1:2::/64');
  });
});

describe('redirect targets', () => {
  it('only same-origin paths as a browser reads them', () => {
    expect(localPath('/clusters/prod?range=5m#x')).toBe('/clusters/prod?range=5m#x');
    for (const bad of [
      '/\tevil.example',
      '/%09/evil.example'.replace('%09', '\t'),
      '/\\evil.example',
      '//evil.example',
      'https://evil.example',
      '/a\r\nSet-Cookie: x=1',
      'evil.example',
      '',
    ])
      expect(localPath(bad), JSON.stringify(bad)).toBeNull();
    // An encoded tab is just text in the path: it stays on this site.
    expect(localPath('/%09/evil.example')).toBe('/%09/evil.example');
    expect(() => localPathOr400('/\\evil', 'next')).toThrow(/invalid next/);
  });
});

describe('roles', () => {
  it('no access control: everyone is an admin ("open"); reads stay open with only an admin token', async () => {
    expect(await identify(h(), OPEN)).toMatchObject({ role: 'admin', via: 'open', required: false });
    expect(await authorize(h(), ADMIN_ONLY, 'read')).toMatchObject({ role: 'viewer', via: 'open' });
    await expect(authorize(h(), ADMIN_ONLY, 'write')).rejects.toBeInstanceOf(UnauthenticatedError);
  });
  it('viewer tokens read, never write; the admin token does both', async () => {
    const viewer = h({ authorization: `Bearer ${VIEWER}` });
    expect(await authorize(viewer, ROLES, 'read')).toMatchObject({ role: 'viewer', via: 'bearer' });
    await expect(authorize(viewer, ROLES, 'write')).rejects.toThrow(/viewer access is read-only/);
    await expect(authorize(viewer, ROLES, 'write')).rejects.toBeInstanceOf(ForbiddenError);
    expect(await authorize(h({ authorization: `Bearer ${ADMIN}` }), ROLES, 'write')).toMatchObject({ role: 'admin' });
    await expect(authorize(h(), ROLES, 'read')).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(authorize(h({ authorization: 'Bearer nope-nope-nope-nope' }), ROLES, 'read')).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(await authorize(h(), ROLES, 'public')).toMatchObject({ role: null });
  });
  it('logs: viewers by default, admins only when auth.logs is admin', async () => {
    const viewer = h({ authorization: `Bearer ${VIEWER}` });
    expect((await authorize(viewer, ROLES, 'logs')).role).toBe('viewer');
    const strict = ctx(
      cfg({ adminTokenEnv: 'FULCRUM_ADMIN_TOKEN', viewerTokensEnv: 'FULCRUM_VIEWER_TOKENS', logs: 'admin' }),
    );
    await expect(authorize(viewer, strict, 'logs')).rejects.toBeInstanceOf(ForbiddenError);
  });
  it('proxy users and groups only from trusted proxies', async () => {
    const via = (peer: string, groups: string) =>
      h({ [PEER_HEADER]: peer, 'x-forwarded-user': 'carol', 'x-forwarded-groups': groups });
    expect(await authorize(via('10.0.0.5', 'sre, dev'), PROXIED, 'write')).toMatchObject({
      role: 'admin',
      via: 'proxy',
      user: 'carol',
    });
    expect((await authorize(via('10.0.0.5', 'dev'), PROXIED, 'read')).role).toBe('viewer');
    await expect(authorize(via('10.0.0.5', 'dev'), PROXIED, 'write')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(authorize(via('10.0.0.5', 'sales'), PROXIED, 'read')).rejects.toThrow(/may not read/);
    // The same headers from anyone else: nobody.
    await expect(authorize(via('192.0.2.9', 'sre'), PROXIED, 'read')).rejects.toBeInstanceOf(UnauthenticatedError);
  });
  it('writes from a browser must come from this site (or server.publicUrl)', async () => {
    const open = (o: Record<string, string>) => authorize(h(o), OPEN, 'write');
    expect((await open({ origin: 'http://f.test' })).role).toBe('admin');
    expect((await open({})).role).toBe('admin');
    await expect(open({ origin: 'http://evil.test' })).rejects.toThrow(/cross-site/);
    await expect(open({ origin: 'null' })).rejects.toThrow(/cross-site/);
    await expect(open({ 'sec-fetch-site': 'cross-site' })).rejects.toThrow(/cross-site/);
    // X-Forwarded-Host from an untrusted peer does not make evil.test this site.
    await expect(open({ origin: 'http://evil.test', 'x-forwarded-host': 'evil.test' })).rejects.toThrow(/cross-site/);
    const pub = ctx(cfg({}, { publicUrl: 'https://fulcrum.example.com/' }));
    expect((await authorize(h({ origin: 'https://fulcrum.example.com' }), pub, 'write')).role).toBe('admin');
    await expect(authorize(h({ origin: 'http://f.test' }), pub, 'write')).rejects.toThrow(/cross-site/);
  });
});

describe('sessions', () => {
  it('a login is a row in the store; logout deletes it and the cookie is worthless', async () => {
    const now = Date.now();
    const r = await login(store, ROLES.auth, { token: VIEWER, name: 'Kiosk\u0007 1', client: '192.0.2.1' }, now);
    if (r.kind !== 'ok') throw new Error(r.kind);
    expect(r.sessionId).not.toContain(VIEWER);
    const cookie = h({ cookie: `x=1; ${SESSION_COOKIE}=${r.sessionId}`, origin: 'http://f.test' });
    const a = await authorize(cookie, ROLES, 'read');
    expect(a).toMatchObject({ role: 'viewer', via: 'session', user: 'Kiosk 1' });
    await expect(authorize(cookie, ROLES, 'write')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(logout(store, a, h({ origin: 'http://evil.test' }), ROLES.server)).rejects.toThrow(/cross-site/);
    await logout(store, a, cookie, ROLES.server);
    await expect(authorize(cookie, ROLES, 'read')).rejects.toThrow(/revoked/);
    // An expired session is gone as well.
    const { id, hash } = newSessionId();
    await store.insertSession({
      idHash: hash,
      role: 'admin',
      user: null,
      via: 'token',
      createdAt: 0,
      expiresAt: now - 1,
      linkId: null,
    });
    await expect(authorize(h({ cookie: `${SESSION_COOKIE}=${id}` }), ROLES, 'read')).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(sessionCookie('abc', 60, true)).toBe(
      `${SESSION_COOKIE}=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure`,
    );
  });
  it('wrong tokens: 10 a minute per client, 100 for everyone together', async () => {
    const t0 = Date.UTC(2030, 0, 1, 0, 0, 5);
    const tries = async (client: string, n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++)
        out.push((await login(store, ROLES.auth, { token: 'x'.repeat(20), name: null, client }, t0)).kind);
      return out;
    };
    const mine = await tries('198.51.100.1', 12);
    expect(mine.filter((k) => k === 'wrong')).toHaveLength(10);
    expect(mine.slice(10)).toEqual(['too-many', 'too-many']);
    // Even the right token waits while the client is locked out; another client is not.
    expect((await login(store, ROLES.auth, { token: ADMIN, name: null, client: '198.51.100.1' }, t0)).kind).toBe(
      'too-many',
    );
    expect((await login(store, ROLES.auth, { token: ADMIN, name: null, client: '198.51.100.2' }, t0)).kind).toBe('ok');
    // Rotating addresses: the global cap stops them.
    let wrong = 10;
    for (let c = 0; c < 30; c++) wrong += (await tries(`203.0.113.${c}`, 5)).filter((k) => k === 'wrong').length;
    expect(wrong).toBe(100);
  });
});

describe('shared rate counters', () => {
  it('a sliding window: n per window, then a Retry-After; the previous window weighs in', async () => {
    const rule = { limit: 3, windowMs: 60_000 };
    const t = Date.UTC(2031, 0, 1, 0, 0, 0);
    const r = [];
    for (let i = 0; i < 4; i++) r.push(await rateTake(store, 'test|a', rule, t + i * 1000));
    expect(r.map((x) => x.ok)).toEqual([true, true, true, false]);
    expect(r[3].retryAfterS).toBeGreaterThan(0);
    expect(r[3].retryAfterS).toBeLessThanOrEqual(120);
    // Half-way through the next window, half of the 4 previous still count: 2 + 1 more fits, then not.
    expect((await ratePeek(store, 'test|a', rule, t + 90_000)).ok).toBe(true);
    expect((await rateTake(store, 'test|a', rule, t + 90_000)).ok).toBe(true);
    expect((await rateTake(store, 'test|a', rule, t + 90_000)).ok).toBe(false);
    expect((await rateTake(store, 'test|b', rule, t + 90_000)).ok).toBe(true);
  });
});

describe('wall links', () => {
  it('signed, expiring, revocable; revoking ends the sessions made with it', async () => {
    const now = Date.now();
    const { link, token } = await createWallLink(
      store,
      { name: 'NOC TV', path: '/wall?rotate=20s', expiry: '1d', createdBy: 'ops' },
      now,
    );
    expect(await verifyWallLink(store, token, now)).toMatchObject({ id: link.id, path: '/wall?rotate=20s' });
    const [id, exp, sig] = token.split('.');
    // Altered expiry or signature, or past the expiry: refused.
    expect(await verifyWallLink(store, `${id}.${(Number.parseInt(exp, 36) + 1).toString(36)}.${sig}`, now)).toBeNull();
    expect(await verifyWallLink(store, `${id}.${exp}.${sig.slice(0, -2)}AA`, now)).toBeNull();
    expect(await verifyWallLink(store, token, link.expiresAt + 1)).toBeNull();
    const { hash } = newSessionId();
    await store.insertSession({
      idHash: hash,
      role: 'viewer',
      user: 'wall',
      via: 'wall-link',
      createdAt: now,
      expiresAt: link.expiresAt,
      linkId: link.id,
    });
    expect((await store.listWallLinks(now)).find((l) => l.id === link.id)?.sessions).toBe(1);
    expect(await store.deleteWallLink(link.id)).toBe(true);
    expect(await verifyWallLink(store, token, now)).toBeNull();
    expect(await store.getSession(hash, now)).toBeNull();
  });
});

describe('the data dir', () => {
  it('is 0700 and the database 0600 even when the dir already existed with wider modes', async () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-perm-'));
    fs.chmodSync(d, 0o755);
    const old = process.umask(0o022);
    try {
      const s = new SqliteStore(d);
      await s.close();
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(d).mode & 0o777).toBe(0o700);
    for (const f of fs.readdirSync(d)) expect(fs.statSync(path.join(d, f)).mode & 0o777, f).toBe(0o600);
    fs.rmSync(d, { recursive: true, force: true });
  });
});
