import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load';

const base = 'clusters: [{ name: c, endpoints: ["http://10.0.0.1:2379"] }]\n';

function error(text: string, env: Record<string, string> = {}): string {
  try {
    parseConfig(text, '/etc/fulcrum/fulcrum.yaml', env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('snapshots and auth config', () => {
  it('defaults: ./data next to the config file, 1 week, 20 MB, 10 per minute, no access control, SQLite', () => {
    const c = parseConfig(base, '/etc/fulcrum/fulcrum.yaml', {});
    expect(c.snapshots).toEqual({
      dataDir: '/etc/fulcrum/data',
      defaultExpiry: '1w',
      maxBytes: 20_000_000,
      createPerMinute: 10,
      databaseUrl: null,
    });
    expect(c.auth).toMatchObject({
      adminToken: null,
      viewerTokens: [],
      userHeader: null,
      logs: 'viewer',
      readRequired: false,
      writeRequired: false,
    });
    expect(c.server).toMatchObject({ publicUrl: null, trustedProxies: [], frameAncestors: ["'none'"] });
  });

  it('reads every field, FULCRUM_DATA_DIR overrides the data dir', () => {
    const text = `${base}snapshots: { dataDir: /var/lib/fulcrum, defaultExpiry: never, maxBytes: 1000000, createPerMinute: 3 }\nauth: { adminTokenEnv: ADMIN_T, userHeader: X-Forwarded-User }\nserver: { trustedProxies: [10.0.0.0/8] }\n`;
    const c = parseConfig(text, '/x.yaml', { ADMIN_T: 'sixteen-chars-at-least' });
    expect(c.snapshots).toMatchObject({
      dataDir: '/var/lib/fulcrum',
      defaultExpiry: 'never',
      maxBytes: 1_000_000,
      createPerMinute: 3,
    });
    expect(c.auth.adminToken?.reveal()).toBe('sixteen-chars-at-least');
    expect(inspect(c.auth)).not.toContain('sixteen-chars-at-least');
    expect(JSON.stringify(c.auth)).not.toContain('sixteen-chars-at-least');
    expect(c.auth.userHeader).toBe('X-Forwarded-User');
    expect(
      parseConfig(text, '/x.yaml', { ADMIN_T: 'sixteen-chars-at-least', FULCRUM_DATA_DIR: 'rel/dir' }).snapshots
        .dataDir,
    ).toBe('/rel/dir');
  });

  it('clear errors, naming the field', () => {
    expect(error(`${base}snapshots: { defaultExpiry: 2w }`)).toMatch(
      /snapshots\.defaultExpiry: one of 1h, 1d, 1w, never/,
    );
    expect(error(`${base}snapshots: { maxBytes: 10 }`)).toMatch(/snapshots\.maxBytes/);
    expect(error(`${base}snapshots: { bogus: 1 }`)).toMatch(/snapshots: .*bogus/);
    expect(error(`${base}auth: { adminTokenEnv: lower-case }`)).toMatch(
      /auth\.adminTokenEnv: an environment variable name/,
    );
    expect(error(`${base}auth: { adminTokenEnv: ADMIN_T }`)).toMatch(
      /auth\.adminTokenEnv: environment variable ADMIN_T is not set/,
    );
    expect(error(`${base}auth: { adminTokenEnv: ADMIN_T }`, { ADMIN_T: 'short' })).toMatch(
      /shorter than 16 characters/,
    );
    expect(error(`${base}auth: { userHeader: Authorization }`)).toMatch(
      /auth\.userHeader: not a credentials, host or address header/,
    );
  });

  it('DATABASE_URL selects PostgreSQL; a bad one is refused without echoing it', () => {
    const c = parseConfig(base, '/x.yaml', { DATABASE_URL: 'postgres://fulcrum:pw-s3cret@db:5432/fulcrum' });
    expect(c.snapshots.databaseUrl?.reveal()).toBe('postgres://fulcrum:pw-s3cret@db:5432/fulcrum');
    expect(JSON.stringify(c.snapshots)).not.toContain('pw-s3cret');
    const msg = error(base, { DATABASE_URL: 'mysql://u:pw-s3cret@db/x' });
    expect(msg).toMatch(/DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(msg).not.toContain('pw-s3cret');
  });
});
