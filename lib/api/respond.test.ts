// handle(): the access check runs before the route, domain errors become their status codes,
// anything else is a logged 500 that says nothing more.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FulcrumConfig } from '../config/load';
import { setRuntime, type Runtime } from '../engine/runtime';
import { accessConfigFor } from '../testkit';
import {
  ConflictError,
  DataCorruptError,
  ForbiddenError,
  LimitError,
  NotFoundError,
  RateLimitError,
  UnavailableError,
  ValidationError,
} from '../errors';
import { handle, json } from './respond';

function runtime(adminToken: string | null): void {
  const config = { ...accessConfigFor({ adminToken }) } as unknown as FulcrumConfig;
  setRuntime({ config, clusters: new Map() } as unknown as Runtime);
}

afterEach(() => setRuntime(undefined));

const get = (h: Record<string, string> = {}) =>
  new Request('http://f.test/api/x', { headers: { host: 'f.test', ...h } });

describe('handle', () => {
  it('maps each domain error to its status, with its message and headers', async () => {
    runtime(null);
    const cases: Array<[Error, number]> = [
      [new ValidationError('invalid parameter from: x'), 400],
      [new ForbiddenError('no'), 403],
      [new NotFoundError('no cluster named "x"'), 404],
      [new ConflictError('active already'), 409],
      [new LimitError('too large', 10), 413],
      [new RateLimitError('too many', 7), 429],
      [new UnavailableError('store down'), 503],
      [new DataCorruptError('snapshot x is damaged'), 500],
    ];
    for (const [e, status] of cases) {
      const r = await handle('public', () => {
        throw e;
      })(get());
      expect(r.status, e.name).toBe(status);
      expect(await r.json()).toEqual({ error: e.message });
    }
    const limited = await handle('public', () => {
      throw new RateLimitError('too many', 7);
    })(get());
    expect(limited.headers.get('retry-after')).toBe('7');
  });

  it('an unknown error is a 500 "internal error" (logged, not shown)', async () => {
    runtime(null);
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const r = await handle('public', () => {
      throw new Error('secret detail');
    })(get());
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ error: 'internal error' });
    expect(log).toHaveBeenCalled();
    log.mockRestore();
  });

  it('checks the declared access before running the route, and passes params and access', async () => {
    runtime('a-long-admin-token-0123456789');
    let ran = 0;
    const route = handle<{ id: string }>('write', ({ params, access }) => {
      ran++;
      return json<{ id: string; via: string | null }>({ id: params.id, via: access.via });
    });
    const ctx = { params: Promise.resolve({ id: 'abc' }) };
    const anon = await route(get(), ctx);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Bearer realm="fulcrum"');
    expect((await route(get({ authorization: 'Bearer wrong' }), ctx)).status).toBe(403);
    expect(ran).toBe(0);
    const ok = await route(get({ authorization: 'Bearer a-long-admin-token-0123456789' }), ctx);
    expect(await ok.json()).toEqual({ id: 'abc', via: 'bearer' });
    expect(ran).toBe(1);
    const read = await handle('read', () => json<{ ok: true }>({ ok: true }))(get());
    expect(read.status).toBe(200);
  });
});
