import { z } from 'zod';
import { ConfigError } from '../config/load';
import type { LiveCluster } from '../engine/live';
import { getRuntime, type Runtime } from '../engine/runtime';

const NO_STORE = { 'Cache-Control': 'no-store' };

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...NO_STORE, ...headers },
  });
}

export function errorJson(status: number, error: string, extra: Record<string, unknown> = {}): Response {
  return json({ error, ...extra }, status);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers (Retry-After, WWW-Authenticate). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Runs a handler with the runtime; turns known failures into clear JSON errors. */
export async function handle(fn: (rt: Runtime) => Promise<Response> | Response): Promise<Response> {
  try {
    return await fn(getRuntime());
  } catch (e) {
    if (e instanceof ApiError) return json({ error: e.message }, e.status, e.headers);
    if (e instanceof ConfigError) return errorJson(500, e.message);
    console.error('fulcrum: request failed:', e);
    return errorJson(500, 'internal error');
  }
}

export const ClusterNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/);

export function clusterOr404(rt: Runtime, name: string): LiveCluster {
  const parsed = ClusterNameSchema.safeParse(name);
  if (!parsed.success) throw new ApiError(400, 'invalid cluster name: letters, digits, "_", "." or "-", at most 63');
  const engine = rt.clusters.get(parsed.data);
  if (!engine) throw new ApiError(404, `no cluster named ${JSON.stringify(parsed.data)}`);
  return engine;
}

/** Parses URL search params with a zod schema, or throws a 400 naming the parameter. */
export function parseQuery<T extends z.ZodType>(url: string, schema: T): z.infer<T> {
  const params = Object.fromEntries(new URL(url).searchParams.entries());
  const r = schema.safeParse(params);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ApiError(400, `invalid parameter ${i.path.join('.') || '(query)'}: ${i.message}`);
  }
  return r.data;
}
