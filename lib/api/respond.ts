// Route plumbing: every route is `export const GET = handle(need, async ({ req, rt, params, access }) => …)`.
// `handle` runs the access check (lib/auth/access.ts `authorize`, the one place), awaits the route
// params, and turns domain errors (lib/errors.ts) into JSON errors with the right status, so no
// route needs a try/catch. Answers are typed: `json<ClusterListResponse>(…)` (lib/api/types.ts).
import { z } from 'zod';
import { type Access, type AccessNeed, AUTH_CHALLENGE, authorize } from '../auth/access';
import { accessContext } from '../auth/context';
import { ConfigError } from '../config/load';
import { NAME_RE } from '../config/schema';
import type { LiveCluster } from '../engine/live';
import { getRuntime, type Runtime } from '../engine/runtime';
import {
  DomainError,
  ForbiddenError,
  LimitError,
  NotFoundError,
  RateLimitError,
  UnauthenticatedError,
  StorageFullError,
  UnavailableError,
  ValidationError,
  ConflictError,
} from '../errors';
import type { ApiErrorBody } from './types';

const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * A JSON answer. The type parameter is required (it defaults to `never`): name the response type
 * from lib/api/types.ts, so the route and the components that read it agree.
 */
export function json<T = never>(data: NoInfer<T>, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...NO_STORE, ...headers },
  });
}

const sharedBodies = new WeakMap<object, string>();

/**
 * A JSON answer whose body is encoded once per `key` object and reused for every request that
 * gets the same object (a history range many viewers ask for at once).
 */
export function sharedJson<T = never>(key: object, data: () => NoInfer<T>): Response {
  let body = sharedBodies.get(key);
  if (body === undefined) {
    body = JSON.stringify(data());
    sharedBodies.set(key, body);
  }
  return new Response(body, {
    status: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...NO_STORE },
  });
}

export function errorJson(status: number, error: string, headers: Record<string, string> = {}): Response {
  return json<ApiErrorBody>({ error }, status, headers);
}

/** The status (and extra headers) for a domain error. */
export function statusOf(e: DomainError): { status: number; headers?: Record<string, string> } {
  if (e instanceof ValidationError) return { status: 400 };
  if (e instanceof UnauthenticatedError) return { status: 401, headers: { 'WWW-Authenticate': AUTH_CHALLENGE } };
  if (e instanceof ForbiddenError) return { status: 403 };
  if (e instanceof NotFoundError) return { status: 404 };
  if (e instanceof ConflictError) return { status: 409 };
  if (e instanceof LimitError) return { status: 413 };
  if (e instanceof RateLimitError) return { status: 429, headers: { 'Retry-After': String(e.retryAfterS) } };
  if (e instanceof UnavailableError) return { status: 503 };
  if (e instanceof StorageFullError) return { status: 507 };
  // DataCorruptError and any other domain error: the server's fault, said plainly.
  return { status: 500 };
}

/** Turns anything a route threw into a JSON error; unknown errors are logged and say only "internal error". */
export function errorResponse(e: unknown): Response {
  if (e instanceof DomainError) {
    const s = statusOf(e);
    return errorJson(s.status, e.message, s.headers);
  }
  if (e instanceof ConfigError) return errorJson(500, e.message);
  console.error('fulcrum: request failed:', e);
  return errorJson(500, 'internal error');
}

export interface RouteContext<P> {
  req: Request;
  rt: Runtime;
  /** The route's dynamic segments, already awaited (still untrusted: validate them). */
  params: P;
  /** Who the caller is (authorize's answer for the declared need). */
  access: Access;
}

type RouteFn<P> = (c: RouteContext<P>) => Promise<Response> | Response;
type NextRouteHandler<P> = (req: Request, ctx?: { params: Promise<P> }) => Promise<Response>;

/**
 * A Next.js route handler: checks the access the route declares (`public`, `read`, `logs` or `write`)
 * before anything else, then runs `fn`; a thrown domain error becomes its status code.
 */
export function handle<P = Record<string, never>>(need: AccessNeed, fn: RouteFn<P>): NextRouteHandler<P> {
  return async (req, ctx) => {
    try {
      const rt = getRuntime();
      const access = await authorize(req.headers, accessContext(rt), need);
      const params = ((await ctx?.params) ?? {}) as P;
      return await fn({ req, rt, params, access });
    } catch (e) {
      return errorResponse(e);
    }
  };
}

/**
 * `Content-Disposition: attachment` for a file name from anywhere (RFC 6266): an ASCII
 * `filename` with anything unsafe replaced, and the exact name as UTF-8 in `filename*`. Never
 * throws (a raw CR/LF or non-Latin-1 name would make the header invalid).
 */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200) || 'download';
  // RFC 5987 attr-chars stay, every other UTF-8 byte is %XX (lone surrogates become U+FFFD).
  let exact = '';
  for (const b of Buffer.from(name.slice(0, 500), 'utf8'))
    exact +=
      /[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(b)) && b < 0x80
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

export const ClusterNameSchema = z.string().regex(NAME_RE);

export function clusterOr404(rt: Runtime, name: string): LiveCluster {
  const parsed = ClusterNameSchema.safeParse(name);
  if (!parsed.success) throw new ValidationError('invalid cluster name: letters, digits, "_", "." or "-", at most 63');
  const engine = rt.clusters.get(parsed.data);
  if (!engine) throw new NotFoundError(`no cluster named ${JSON.stringify(parsed.data)}`);
  return engine;
}

export { parseQuery } from './parse';
