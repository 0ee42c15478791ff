// NGINX Plus REST API (ngx_http_api_module): the live state of one upstream's peers. Read-only:
// Fulcrum only GETs; the weight change it suggests is a PATCH the user runs (fix text).
// Shapes as documented for API version 9 (nginx.org/en/docs/http/ngx_http_api_module.html):
//   GET /api/                          → [1, 2, …, 9]
//   GET /api/9/stream/upstreams/{name} → {peers: [{id, server, name, backup, weight, state,
//        active, max_conns, connections, sent, received, fails, unavail,
//        health_checks: {checks, fails, unhealthy, last_passed}, downtime, …}], zombies, zone}
//   GET /api/9/http/upstreams/{name}   → the same with requests and responses {"5xx", total, …}
// Open-source NGINX has no such API: it can't be run here, so the client is tested against a
// small HTTP server that answers these shapes.
import { z } from 'zod';
import { httpGet } from '../http';

const PeerSchema = z.object({
  id: z.number().int(),
  server: z.string().max(512),
  name: z.string().max(512).optional(),
  backup: z.boolean().default(false),
  weight: z.number().int().min(0),
  state: z.string().max(32),
  active: z.number().min(0).default(0),
  max_conns: z.number().min(0).optional(),
  /** stream: connections; http: requests. */
  connections: z.number().min(0).optional(),
  requests: z.number().min(0).optional(),
  responses: z.record(z.string(), z.unknown()).optional(),
  sent: z.number().min(0).default(0),
  received: z.number().min(0).default(0),
  fails: z.number().min(0).default(0),
  unavail: z.number().min(0).default(0),
  health_checks: z
    .object({
      checks: z.number().min(0).default(0),
      fails: z.number().min(0).default(0),
      unhealthy: z.number().min(0).default(0),
      last_passed: z.boolean().optional(),
    })
    .optional(),
  downtime: z.number().min(0).optional(),
});
export type PlusPeer = z.infer<typeof PeerSchema>;

const UpstreamSchema = z.object({ peers: z.array(PeerSchema).max(1000), zone: z.string().optional() });

export interface PlusUpstream {
  apiVersion: number;
  peers: PlusPeer[];
}

/** Highest API version this client knows the shapes of. */
export const PLUS_API_VERSION = 9;

export class PlusApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlusApiError';
  }
}

function base(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The API version to use: the highest the server offers up to the one this client knows. */
export async function plusApiVersion(apiUrl: string, timeoutMs: number): Promise<number> {
  const r = await httpGet(`${base(apiUrl)}/`, { timeoutMs, maxBytes: 64 * 1024 });
  if (r.status !== 200) throw new PlusApiError(`NGINX Plus API ${base(apiUrl)}/ answered HTTP ${r.status}`);
  let versions: unknown;
  try {
    versions = JSON.parse(r.body);
  } catch {
    throw new PlusApiError(`NGINX Plus API ${base(apiUrl)}/ did not answer JSON: is plusApi the /api location?`);
  }
  const ok = Array.isArray(versions)
    ? versions.filter((v): v is number => Number.isInteger(v) && v <= PLUS_API_VERSION)
    : [];
  if (ok.length === 0)
    throw new PlusApiError(
      `NGINX Plus API ${base(apiUrl)}/ offers no version this client knows (≤ ${PLUS_API_VERSION})`,
    );
  return Math.max(...ok);
}

export async function plusUpstream(
  apiUrl: string,
  apiVersion: number,
  context: 'stream' | 'http',
  upstream: string,
  timeoutMs: number,
): Promise<PlusUpstream> {
  const url = `${base(apiUrl)}/${apiVersion}/${context}/upstreams/${encodeURIComponent(upstream)}`;
  const r = await httpGet(url, { timeoutMs, maxBytes: 4 * 1024 * 1024 });
  if (r.status === 404)
    throw new PlusApiError(`NGINX Plus API has no ${context} upstream "${upstream}" (404 from ${url})`);
  if (r.status !== 200) throw new PlusApiError(`NGINX Plus API ${url} answered HTTP ${r.status}`);
  let body: unknown;
  try {
    body = JSON.parse(r.body);
  } catch {
    throw new PlusApiError(`NGINX Plus API ${url} did not answer JSON`);
  }
  const parsed = UpstreamSchema.safeParse(body);
  if (!parsed.success)
    throw new PlusApiError(
      `NGINX Plus API ${url}: unexpected answer (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
    );
  return { apiVersion, peers: parsed.data.peers };
}

/** Plus peer state → the status word the detectors read (UP… means it gets traffic). */
export function plusStatus(state: string, backup: boolean): string {
  switch (state) {
    case 'up':
      return backup ? 'BACKUP' : 'UP';
    case 'checking':
      return 'UP (checking)';
    case 'draining':
      return 'DRAIN';
    case 'down':
      return 'MAINT';
    case 'unavail':
      return 'DOWN (failed, max_fails)';
    case 'unhealthy':
      return 'DOWN (health check)';
    default:
      return state.toUpperCase().slice(0, 32);
  }
}

/** 5xx responses of an http peer. */
export function plus5xx(p: PlusPeer): number {
  const v = p.responses?.['5xx'];
  return typeof v === 'number' && v >= 0 ? v : 0;
}
