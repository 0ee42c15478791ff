import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema, type RawConfig } from './schema';
import { Secret } from './secret';

export interface EndpointConfig {
  /** Normalised client URL (no trailing slash): the member's key everywhere. */
  url: string;
  /** Configured name, or null to use the name etcd reports. */
  name: string | null;
  weight: number;
  /** Value of the Prometheus instance label for this member. */
  instance: string;
  direct: boolean;
}

export interface TlsConfig {
  ca?: Buffer;
  cert?: Buffer;
  key?: Secret<Buffer>;
}

export interface ClusterConfig {
  name: string;
  endpoints: EndpointConfig[];
  /** Some endpoint has a configured weight: expected shares follow the weights. */
  weighted: boolean;
  tls: TlsConfig | null;
  auth: { username: string; password: Secret } | null;
  prometheus: { instanceLabel: string; selector: string };
  balancer: RawConfig['clusters'][number]['balancer'] | null;
  logs: RawConfig['clusters'][number]['logs'] | null;
}

export interface FulcrumConfig {
  file: string;
  pollIntervalMs: number;
  timeoutMs: number;
  historyMinutes: number;
  scoreWindowPolls: number;
  maxSubscribers: number;
  prometheus: {
    url: string;
    timeoutMs: number;
    rateWindow: string;
    bearerToken: Secret | null;
    backfill: boolean;
  } | null;
  clusters: ClusterConfig[];
  /** FULCRUM_DEMO=1: the local stack's fault buttons may be shown. */
  demo: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const ENV_OVERRIDES: Array<{ env: string; path: string[]; parse: (s: string) => unknown }> = [
  { env: 'FULCRUM_POLL_INTERVAL_MS', path: ['pollIntervalMs'], parse: Number },
  { env: 'FULCRUM_TIMEOUT_MS', path: ['timeoutMs'], parse: Number },
  { env: 'FULCRUM_HISTORY_MINUTES', path: ['historyMinutes'], parse: Number },
  { env: 'FULCRUM_PROMETHEUS_URL', path: ['prometheus', 'url'], parse: (s) => s },
];

function formatPath(p: PropertyKey[]): string {
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

function describeIssues(issues: z.core.$ZodIssue[], fromEnv: Map<string, string>): string {
  return issues
    .slice(0, 8)
    .map((i) => {
      const p = formatPath(i.path);
      const env = fromEnv.get(p);
      return `  ${p || '(top level)'}${env ? ` (from ${env})` : ''}: ${i.message}`;
    })
    .join('\n');
}

function readBytes(file: string, what: string, baseDir: string): Buffer {
  const p = path.resolve(baseDir, file);
  try {
    return readFileSync(/*turbopackIgnore: true*/ p);
  } catch (e) {
    throw new ConfigError(`${what}: cannot read ${p} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** host:port of a URL, with the scheme's default port filled in. */
export function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
}

/** Validates raw config text. `file` is only used in messages and to resolve relative paths. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): FulcrumConfig {
  const where = `Fulcrum config ${file}`;
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(`${where}: invalid YAML: ${doc.errors[0].message}`);
  }
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${where}: expected a mapping at the top level`);
  const fromEnv = new Map<string, string>();
  for (const o of ENV_OVERRIDES) {
    const v = env[o.env];
    if (v === undefined || v === '') continue;
    let target = raw as Record<string, unknown>;
    for (const k of o.path.slice(0, -1)) {
      if (typeof target[k] !== 'object' || target[k] === null) target[k] = {};
      target = target[k] as Record<string, unknown>;
    }
    target[o.path[o.path.length - 1]] = o.parse(v);
    fromEnv.set(o.path.join('.'), o.env);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${where} is invalid:\n${describeIssues(parsed.error.issues, fromEnv)}`);
  }
  const c = parsed.data;
  const baseDir = path.dirname(path.resolve(file));
  const clusters: ClusterConfig[] = c.clusters.map((cl, i) => {
    const at = `${where}: clusters[${i}] (${cl.name})`;
    const endpoints: EndpointConfig[] = cl.endpoints.map((e) => {
      const o = typeof e === 'string' ? { url: e, direct: true } : e;
      const url = o.url.replace(/\/+$/, '');
      return {
        url,
        name: 'name' in o && o.name ? o.name : null,
        weight: 'weight' in o && o.weight !== undefined ? o.weight : 1,
        instance: 'instance' in o && o.instance ? o.instance : hostPort(url),
        direct: o.direct,
      };
    });
    const names = endpoints.map((e) => e.name).filter(Boolean);
    if (new Set(names).size !== names.length) throw new ConfigError(`${at}: endpoint names must be unique`);
    let auth: ClusterConfig['auth'] = null;
    if (cl.auth) {
      const pw = env[cl.auth.passwordEnv];
      if (pw === undefined || pw === '') {
        throw new ConfigError(`${at}.auth.passwordEnv: environment variable ${cl.auth.passwordEnv} is not set`);
      }
      auth = { username: cl.auth.username, password: new Secret(pw) };
    }
    const tls: TlsConfig | null = cl.tls
      ? {
          ca: cl.tls.ca ? readBytes(cl.tls.ca, `${at}.tls.ca`, baseDir) : undefined,
          cert: cl.tls.cert ? readBytes(cl.tls.cert, `${at}.tls.cert`, baseDir) : undefined,
          key: cl.tls.key ? new Secret(readBytes(cl.tls.key, `${at}.tls.key`, baseDir)) : undefined,
        }
      : null;
    return {
      name: cl.name,
      endpoints,
      weighted: cl.endpoints.some((e) => typeof e !== 'string' && e.weight !== undefined),
      tls,
      auth,
      prometheus: cl.prometheus,
      balancer: cl.balancer ?? null,
      logs: cl.logs ?? null,
    };
  });
  let prometheus: FulcrumConfig['prometheus'] = null;
  if (c.prometheus) {
    let bearerToken: Secret | null = null;
    if (c.prometheus.bearerTokenEnv) {
      const tok = env[c.prometheus.bearerTokenEnv];
      if (!tok) throw new ConfigError(`${where}: prometheus.bearerTokenEnv: environment variable ${c.prometheus.bearerTokenEnv} is not set`);
      bearerToken = new Secret(tok);
    }
    prometheus = {
      url: c.prometheus.url.replace(/\/+$/, ''),
      timeoutMs: c.prometheus.timeoutMs ?? Math.max(50, Math.floor(c.pollIntervalMs * 0.8)),
      rateWindow: c.prometheus.rateWindow,
      bearerToken,
      backfill: c.prometheus.backfill,
    };
  }
  return {
    file,
    pollIntervalMs: c.pollIntervalMs,
    timeoutMs: c.timeoutMs ?? Math.max(50, Math.floor(c.pollIntervalMs * 0.8)),
    historyMinutes: c.historyMinutes,
    scoreWindowPolls: c.scoreWindowPolls,
    maxSubscribers: c.maxSubscribers,
    prometheus,
    clusters,
    demo: env.FULCRUM_DEMO === '1' || env.FULCRUM_DEMO === 'true',
  };
}

/** Reads the file named by FULCRUM_CONFIG (default ./fulcrum.yaml). Throws ConfigError with one clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): FulcrumConfig {
  const file = path.resolve(env.FULCRUM_CONFIG || 'fulcrum.yaml');
  if (!existsSync(/*turbopackIgnore: true*/ file)) {
    throw new ConfigError(
      `Fulcrum config ${file} not found: set FULCRUM_CONFIG to your config file (see fulcrum.example.yaml)`,
    );
  }
  let text: string;
  try {
    text = readFileSync(/*turbopackIgnore: true*/ file, 'utf8');
  } catch (e) {
    throw new ConfigError(`Fulcrum config ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (text.length > 1_000_000) throw new ConfigError(`Fulcrum config ${file}: larger than 1 MB`);
  return parseConfig(text, file, env);
}
