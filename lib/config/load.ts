import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import type { Thresholds } from '../analysis/diagnosis/thresholds';
import { ConfigSchema, durationMs, type RawConfig, type SNAPSHOT_EXPIRIES } from './schema';
import { type AuthConfig, resolveAccess, type ServerConfig } from './access';
import { Secret } from './secret';
import { resolveLogsConfig, type LogsConfig } from '../logs/config';
import type { AgentLimits } from '../analysis/weights/agent';

export interface EndpointConfig {
  /** Normalised client URL (no trailing slash): the member's key everywhere. */
  url: string;
  /** Configured name, or null to use the name etcd reports. */
  name: string | null;
  weight: number;
  /** Value of the Prometheus instance label for this member. */
  instance: string;
  direct: boolean;
  /** Base URL of /metrics and /health when not the client URL (`--listen-metrics-urls`). */
  metricsUrl: string | null;
}

export interface TlsConfig {
  ca?: Buffer;
  cert?: Buffer;
  key?: Secret<Buffer>;
}

export interface ClusterConfig {
  name: string;
  /** Free labels for filtering the fleet (config `labels`, or a discovered cluster's series labels). */
  labels: Record<string, string>;
  endpoints: EndpointConfig[];
  /** Some endpoint has a configured weight: expected shares follow the weights. */
  weighted: boolean;
  /** `discover: true`: the endpoints follow etcd's member list (the configured one is only a seed). */
  discover: boolean;
  tls: TlsConfig | null;
  auth: { username: string; password: Secret } | null;
  prometheus: { instanceLabel: string; selector: string };
  balancer: RawConfig['clusters'][number]['balancer'] | null;
  logs: RawConfig['clusters'][number]['logs'] | null;
  /** Global thresholds with this cluster's overrides applied. */
  thresholds: Thresholds;
}

export type SnapshotExpiry = (typeof SNAPSHOT_EXPIRIES)[number];

export interface SnapshotsConfig {
  /** Absolute directory of the embedded SQLite store. */
  dataDir: string;
  defaultExpiry: SnapshotExpiry;
  maxBytes: number;
  createPerMinute: number;
  /** DATABASE_URL: a PostgreSQL store shared by several replicas instead of SQLite. */
  databaseUrl: Secret | null;
}

export type { AuthConfig, ServerConfig };

export interface DiscoveryConfig {
  clusterLabel: string;
  memberLabel: string;
  selector: string;
  refreshMs: number;
  intervalMs: number;
  /** Series labels copied to cluster labels; null: those every series of the cluster shares. */
  labels: string[] | null;
  maxClusters: number;
}

/** The agent's listener and audit log, and its limits (one declaration: lib/analysis/weights/agent.ts). */
export interface WeightsAgentConfig extends AgentLimits {
  /** host and port of the TCP listener. */
  host: string;
  port: number;
  clusters: string[];
  /** Absolute path of the audit log (JSON lines). */
  auditLog: string;
}

export interface WeightsConfig {
  /** How long after a weight change the measured shares are compared with the prediction. */
  settleMs: number;
  /** The weights agent; null: off (the default). */
  agent: WeightsAgentConfig | null;
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
  /** The global detector thresholds (config `diagnosis`): discovered clusters use them. */
  diagnosis: Thresholds;
  /** Clusters read from Prometheus (config `discovery.prometheus`), null when off. */
  discovery: DiscoveryConfig | null;
  snapshots: SnapshotsConfig;
  weights: WeightsConfig;
  auth: AuthConfig;
  server: ServerConfig;
  /** FULCRUM_DEMO=1: the local stack's fault buttons may be shown. */
  demo: boolean;
}

/** Environment variables (process.env, or a plain object in tests). */
export type Env = Record<string, string | undefined>;

/** Checks the logs section against the endpoints and makes its paths absolute (lib/logs/config.ts). */
function resolveLogs(logs: LogsConfig, baseDir: string, endpoints: EndpointConfig[], env: Env, at: string): LogsConfig {
  try {
    return resolveLogsConfig(logs, baseDir, endpoints, env);
  } catch (e) {
    throw new ConfigError(`${at}.${(e as Error).message}`);
  }
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
  { env: 'FULCRUM_DATA_DIR', path: ['snapshots', 'dataDir'], parse: (s) => s },
];

function formatPath(p: PropertyKey[]): string {
  return p.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
    '',
  );
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

/** Balancer file paths, like the TLS files, are relative to the config file. */
function resolveBalancerPaths(b: ClusterConfig['balancer'], baseDir: string): ClusterConfig['balancer'] {
  if (!b) return null;
  const abs = (p: string | undefined) => (p === undefined ? undefined : path.resolve(baseDir, p));
  if (b.type === 'haproxy') return { ...b, configFile: abs(b.configFile) };
  return { ...b, config: abs(b.config), accessLog: abs(b.accessLog), errorLog: abs(b.errorLog) };
}

/** host:port of a URL, with the scheme's default port filled in. */
export function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
}

/**
 * Alias expansions allowed in a config (yaml counts each alias times the aliases inside what it
 * points at). A 2,000-cluster config with three aliases per cluster stays well below it.
 */
export const MAX_ALIAS_COUNT = 10_000;

/** Validates raw config text. `file` is only used in messages and to resolve relative paths. */
export function parseConfig(text: string, file: string, env: Env = process.env): FulcrumConfig {
  const where = `Fulcrum config ${file}`;
  // Merge keys (`<<: *defaults`) let a large fleet share its settings; aliases are bounded (a
  // config is at most 1 MB, and an alias bomb stops at MAX_ALIAS_COUNT expanded nodes).
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(`${where}: invalid YAML: ${doc.errors[0].message}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = (doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(
      `${where}: invalid YAML: ${(e as Error).message} (more than ${MAX_ALIAS_COUNT} alias expansions)`,
    );
  }
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`${where}: expected a mapping at the top level`);
  // Top-level keys starting with `x-` are a place for YAML anchors (`x-defaults: &defaults`).
  for (const k of Object.keys(raw)) if (k.startsWith('x-')) delete raw[k];
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
      const metricsUrl = 'metricsUrl' in o && o.metricsUrl ? o.metricsUrl.replace(/\/+$/, '') : null;
      return {
        url,
        name: 'name' in o && o.name ? o.name : null,
        weight: 'weight' in o && o.weight !== undefined ? o.weight : 1,
        // Prometheus scrapes where the metrics are: the metrics listener when there is one
        instance: 'instance' in o && o.instance ? o.instance : hostPort(metricsUrl ?? url),
        direct: o.direct,
        metricsUrl,
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
      labels: cl.labels,
      endpoints,
      discover: cl.discover,
      weighted: cl.endpoints.some((e) => typeof e !== 'string' && e.weight !== undefined),
      tls,
      auth,
      prometheus: cl.prometheus,
      balancer: resolveBalancerPaths(cl.balancer ?? null, baseDir),
      logs: cl.logs ? resolveLogs(cl.logs, baseDir, endpoints, env, at) : null,
      thresholds: { ...c.diagnosis, ...(cl.diagnosis ?? {}) },
    };
  });
  let prometheus: FulcrumConfig['prometheus'] = null;
  if (c.prometheus) {
    let bearerToken: Secret | null = null;
    if (c.prometheus.bearerTokenEnv) {
      const tok = env[c.prometheus.bearerTokenEnv];
      if (!tok)
        throw new ConfigError(
          `${where}: prometheus.bearerTokenEnv: environment variable ${c.prometheus.bearerTokenEnv} is not set`,
        );
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
  let access: ReturnType<typeof resolveAccess>;
  try {
    access = resolveAccess(c.auth, c.server, env);
  } catch (e) {
    throw new ConfigError(`${where}: ${(e as Error).message}`);
  }
  let databaseUrl: Secret | null = null;
  if (env.DATABASE_URL) {
    let ok = false;
    try {
      const u = new URL(env.DATABASE_URL);
      ok = u.protocol === 'postgres:' || u.protocol === 'postgresql:';
    } catch {
      ok = false;
    }
    // Never echo the value: it usually holds a password.
    if (!ok) throw new ConfigError(`${where}: DATABASE_URL: expected a postgres:// or postgresql:// URL`);
    databaseUrl = new Secret(env.DATABASE_URL);
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
    diagnosis: c.diagnosis,
    discovery: c.discovery.prometheus
      ? {
          clusterLabel: c.discovery.prometheus.clusterLabel,
          memberLabel: c.discovery.prometheus.memberLabel,
          selector: c.discovery.prometheus.selector.trim().replace(/,\s*$/, ''),
          refreshMs: durationMs(c.discovery.prometheus.refresh),
          intervalMs: durationMs(c.discovery.prometheus.interval),
          labels: c.discovery.prometheus.labels ?? null,
          maxClusters: c.discovery.prometheus.maxClusters,
        }
      : null,
    snapshots: {
      dataDir: path.resolve(baseDir, c.snapshots.dataDir),
      defaultExpiry: c.snapshots.defaultExpiry,
      maxBytes: c.snapshots.maxBytes,
      createPerMinute: c.snapshots.createPerMinute,
      databaseUrl,
    },
    weights: resolveWeights(c.weights, baseDir, path.resolve(baseDir, c.snapshots.dataDir)),
    auth: access.auth,
    server: access.server,
    demo: env.FULCRUM_DEMO === '1' || env.FULCRUM_DEMO === 'true',
  };
}

function resolveWeights(w: RawConfig['weights'], baseDir: string, dataDir: string): WeightsConfig {
  const a = w.agent;
  if (!a) return { settleMs: w.settleSeconds * 1000, agent: null };
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(a.listen)!;
  return {
    settleMs: w.settleSeconds * 1000,
    agent: {
      host: m[1],
      port: Number(m[2]),
      clusters: [...new Set(a.clusters)],
      min: a.min,
      max: a.max,
      maxStepPercent: a.maxStepPercent,
      settleSeconds: a.settleSeconds,
      drainDown: a.drainDown,
      deadbandPercent: a.deadbandPercent,
      auditLog: a.auditLog ? path.resolve(baseDir, a.auditLog) : path.join(dataDir, 'weights-audit.log'),
    },
  };
}

/** Reads the file named by FULCRUM_CONFIG (default ./fulcrum.yaml). Throws ConfigError with one clear message. */
export function loadConfig(env: Env = process.env): FulcrumConfig {
  const file = path.resolve(/*turbopackIgnore: true*/ env.FULCRUM_CONFIG || 'fulcrum.yaml');
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
