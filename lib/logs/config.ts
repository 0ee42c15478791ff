// The `logs` section of a cluster in the config file, and how its names and paths resolve.
// Log paths and Loki URLs come from here only: no request can name a file or a URL.
import path from 'node:path';
import { z } from 'zod';
import { httpUrl } from '../config/url';
import { hostPortOf } from '../hostport';

/** Characters that make a path a glob (only allowed in the file name, not in directories). */
const GLOB_CHARS = /[*?[\]]/;

const PathOrGlob = z
  .string()
  .min(1)
  .max(4096)
  .superRefine((p, ctx) => {
    if (p.includes('\0')) ctx.addIssue({ code: 'custom', message: 'a path cannot contain a NUL byte' });
    const dir = path.dirname(p);
    if (GLOB_CHARS.test(dir)) {
      ctx.addIssue({
        code: 'custom',
        message: `wildcards are allowed in the file name only, not in the directory (${JSON.stringify(dir).slice(0, 120)})`,
      });
    }
    if (p.includes('**'))
      ctx.addIssue({ code: 'custom', message: '"**" is not supported: name the directory and use * in the file name' });
    if (/[{}]/.test(path.basename(p)))
      ctx.addIssue({ code: 'custom', message: 'brace expansion ({a,b}) is not supported: use * or ?' });
  });

/** A LogQL stream selector: `{job="etcd", instance=~"etcd-1.*"}`. */
const SELECTOR_RE =
  /^\{\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\\n]|\\.)*"\s*(,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\\n]|\\.)*"\s*)*\}$/;
const StreamSelector = z
  .string()
  .max(1024)
  .regex(SELECTOR_RE, 'a LogQL stream selector such as {job="etcd",instance="etcd-1"}');

const LokiUrl = httpUrl('logs.loki.url', 'use bearerTokenEnv').superRefine((s, ctx) => {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return; // reported by httpUrl
  }
  if (u.search || u.hash)
    ctx.addIssue({
      code: 'custom',
      message: 'logs.loki.url takes no query or fragment (e.g. http://loki:3100 or https://host/loki)',
    });
});

const MemberKey = z.string().min(1).max(255);

export const LokiConfigSchema = z
  .object({
    /** Base URL of Loki (or a Loki-compatible API), e.g. http://loki:3100. */
    url: LokiUrl,
    /** Member name (or endpoint URL, or host:port) → LogQL stream selector of its log. */
    members: z.record(MemberKey, StreamSelector).default({}),
    /** Stream selector of the balancer's log. */
    balancer: StreamSelector.optional(),
    /** X-Scope-OrgID for multi-tenant Loki. */
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9_.|-]{1,150}$/, 'a Loki tenant id')
      .optional(),
    /** Name of an env var holding a bearer token sent to Loki. */
    bearerTokenEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as LOKI_TOKEN')
      .optional(),
    timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
    /** Lines asked of Loki per query (and per signal count). */
    maxLines: z.number().int().min(100).max(50_000).default(5_000),
  })
  .strict();

export const LogsConfigSchema = z
  .object({
    /** Member name (or endpoint URL, or host:port) → log file path or glob (rotated files). */
    members: z.record(MemberKey, PathOrGlob).default({}),
    /** The balancer's log file (HAProxy or NGINX), path or glob. */
    balancer: PathOrGlob.optional(),
    /**
     * Zone of times written without one (HAProxy, NGINX error log, etcd's plain text):
     * "local" (the Fulcrum server's), "UTC", or an offset such as "+02:00".
     */
    timezone: z
      .string()
      .regex(/^(local|UTC|[+-](0\d|1[0-4]):[0-5]\d)$/, 'local, UTC or an offset such as +02:00')
      .default('local'),
    loki: LokiConfigSchema.optional(),
  })
  .strict();

export type LogsConfig = z.infer<typeof LogsConfigSchema>;

/** What the log sources need to know about a member. */
export interface MemberRef {
  url: string;
  name: string | null;
}

/** The configured endpoint a `logs.members` key (name, URL or host:port) stands for, or null. */
export function endpointForKey(key: string, endpoints: readonly MemberRef[]): MemberRef | null {
  const k = key.replace(/\/+$/, '');
  return (
    endpoints.find((e) => e.name !== null && e.name === key) ??
    endpoints.find((e) => e.url === k) ??
    endpoints.find((e) => {
      try {
        return hostPortOf(e.url) === k;
      } catch {
        return false;
      }
    }) ??
    null
  );
}

/**
 * Checks a cluster's logs section against its endpoints and makes file paths absolute (relative
 * ones are relative to the config file). Throws an Error with a message naming the key.
 */
export function resolveLogsConfig(
  logs: LogsConfig,
  baseDir: string,
  endpoints: readonly MemberRef[],
  env: Record<string, string | undefined>,
): LogsConfig {
  const known = () => endpoints.map((e) => (e.name ? `${e.name} (${e.url})` : e.url)).join(', ');
  const check = (where: string, key: string) => {
    const e = endpointForKey(key, endpoints);
    if (!e) {
      throw new Error(
        `${where}: "${key}" is not a member of this cluster; use a member's configured name, its URL or host:port (members: ${known()})`,
      );
    }
    return e;
  };
  const fileOwners = new Map<string, string>();
  const members: Record<string, string> = {};
  for (const [key, p] of Object.entries(logs.members)) {
    const e = check('logs.members', key);
    if (fileOwners.has(e.url))
      throw new Error(`logs.members: "${key}" and "${fileOwners.get(e.url)}" name the same member (${e.url})`);
    fileOwners.set(e.url, key);
    members[key] = path.resolve(baseDir, p);
  }
  if (logs.loki) {
    const lokiOwners = new Map<string, string>();
    for (const key of Object.keys(logs.loki.members)) {
      const e = check('logs.loki.members', key);
      if (fileOwners.has(e.url)) {
        throw new Error(
          `logs: member "${key}" has both a file (logs.members) and a Loki stream (logs.loki.members): keep one`,
        );
      }
      if (lokiOwners.has(e.url))
        throw new Error(`logs.loki.members: "${key}" and "${lokiOwners.get(e.url)}" name the same member (${e.url})`);
      lokiOwners.set(e.url, key);
    }
    if (logs.balancer && logs.loki.balancer)
      throw new Error(
        'logs: the balancer has both a file (logs.balancer) and a Loki stream (logs.loki.balancer): keep one',
      );
    if (logs.loki.bearerTokenEnv && !env[logs.loki.bearerTokenEnv]) {
      throw new Error(`logs.loki.bearerTokenEnv: environment variable ${logs.loki.bearerTokenEnv} is not set`);
    }
  }
  return {
    ...logs,
    members,
    balancer: logs.balancer ? path.resolve(baseDir, logs.balancer) : undefined,
    loki: logs.loki ? { ...logs.loki, url: logs.loki.url.replace(/\/+$/, '') } : undefined,
  };
}

/** Minutes east of UTC for the configured timezone; null = the server's local zone. */
export function utcOffsetMinutes(tz: string | undefined): number | null {
  if (!tz || tz === 'local') return null;
  if (tz === 'UTC') return 0;
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(tz);
  if (!m) return null;
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}
