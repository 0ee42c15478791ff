import { z } from 'zod';
import { LogsConfigSchema } from '../logs/config';
import { httpUrl } from './url';
import { ThresholdsSchema } from '../analysis/diagnosis/thresholds';
import { AuthSchema as AccessAuthSchema, ServerSchema } from './access';

// The config file (YAML) schema. Every value here is untrusted input: bounded and checked.

/** Cluster and endpoint names: also the rule names discovered from Prometheus must pass. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** PromQL label matchers we splice into queries: `job="etcd",env=~"prod|stage"`. */
const MATCHERS_RE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\\n]|\\.)*"\s*,?\s*)*$/;
const DURATION_RE = /^[1-9][0-9]{0,4}(ms|s|m|h)$/;
const PROM_LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Milliseconds of a duration that passed DURATION_RE (`500ms`, `30s`, `5m`, `1h`). */
export function durationMs(s: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(s);
  if (!m) throw new Error(`not a duration: ${s}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

/** Clusters read from Prometheus: the series of etcd's metrics grouped by a cluster label. */
export const DiscoveryPrometheusSchema = z
  .object({
    /** Label naming the cluster; its values become cluster names (checked like configured names). */
    clusterLabel: z.string().regex(PROM_LABEL_RE, 'a Prometheus label name').default('cluster'),
    /** Label naming the member within its cluster. */
    memberLabel: z.string().regex(PROM_LABEL_RE, 'a Prometheus label name').default('instance'),
    /** Label matchers added to every query, e.g. `job="etcd"`. */
    selector: z.string().max(1024).regex(MATCHERS_RE, 'PromQL label matchers such as job="etcd"').default(''),
    /** How often the list of clusters, members and labels is read again. */
    refresh: z.string().regex(DURATION_RE, 'a duration such as 30s or 1m').default('30s'),
    /** How often the metrics of every discovered cluster are read (one query per dimension for all). */
    interval: z.string().regex(DURATION_RE, 'a duration such as 5s').default('5s'),
    /** Series labels copied to the cluster's labels; default: the labels every series of the cluster shares. */
    labels: z.array(z.string().regex(PROM_LABEL_RE, 'a Prometheus label name')).max(16).optional(),
    /** Discovered clusters beyond this many (by name) are left out and counted. */
    maxClusters: z.number().int().min(1).max(5000).default(2000),
  })
  .strict();

const endpointUrl = httpUrl('an etcd client URL').refine(
  (s) => {
    try {
      const u = new URL(s);
      return (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash;
    } catch {
      return true; // reported by httpUrl
    }
  },
  { message: 'an etcd client URL has no path, query or fragment (e.g. https://10.0.0.1:2379)' },
);

export const EndpointSchema = z.union([
  endpointUrl,
  z
    .object({
      url: endpointUrl,
      name: z.string().regex(NAME_RE, 'letters, digits, "_", "." or "-", at most 63').optional(),
      weight: z.number().min(0).max(1_000_000).optional(),
      /** Value of the Prometheus instance label for this member (default: host:port of url). */
      instance: z.string().min(1).max(255).optional(),
      /** false: Fulcrum can't reach this member; read it from Prometheus only. */
      direct: z.boolean().default(true),
      /**
       * Where the member serves /metrics and /health when not on its client URL: etcd's
       * `--listen-metrics-urls` (often plain HTTP on :2381, no client certificate needed).
       */
      metricsUrl: httpUrl('endpoints[].metricsUrl')
        .refine(
          (s) => {
            try {
              const u = new URL(s);
              return (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash;
            } catch {
              return true;
            }
          },
          { message: 'a metrics URL has no path, query or fragment (e.g. http://10.0.0.1:2381)' },
        )
        .optional(),
    })
    .strict(),
]);

const TlsSchema = z
  .object({
    ca: z.string().min(1).optional(),
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
  })
  .strict()
  .refine((t) => Boolean(t.cert) === Boolean(t.key), { message: 'tls.cert and tls.key go together' });

const AuthSchema = z
  .object({
    username: z.string().min(1).max(255),
    /** Name of the environment variable holding the password. Never the password itself. */
    passwordEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as ETCD_PASSWORD'),
  })
  .strict();

const BalancerSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('haproxy'),
      /** Unix socket path or host:port of HAProxy's runtime API. */
      runtimeApi: z.string().min(1).max(1024),
      backend: z.string().regex(/^[A-Za-z0-9_.:-]{1,127}$/, 'an HAProxy backend name'),
      /** Optional path of haproxy.cfg: check interval and path are not in the runtime API. */
      configFile: z.string().min(1).max(4096).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('nginx'),
      /** nginx.conf (includes are followed): the upstream, its servers and the log_format of the access log. */
      config: z.string().min(1).max(4096).optional(),
      /** Upstream name; optional when the config has exactly one. */
      upstream: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,127}$/, 'an NGINX upstream name')
        .optional(),
      /** Access/error log files; default: the ones the proxying server writes (from the config). */
      accessLog: z.string().min(1).max(4096).optional(),
      errorLog: z.string().min(1).max(4096).optional(),
      /** NGINX Plus REST API base URL (e.g. http://127.0.0.1:8080/api): live peer state, weights, health checks. */
      plusApi: httpUrl('balancer.plusApi').optional(),
    })
    .strict()
    .refine((b) => b.config || b.plusApi, { message: 'an NGINX balancer needs config (nginx.conf) or plusApi' })
    .refine((b) => b.config || b.upstream, { message: 'balancer.upstream is required without a config file' }),
]);

/** Log files (paths or globs) and/or Loki streams per member and for the balancer: lib/logs/config.ts. */
const LogsSchema = LogsConfigSchema;

const ClusterPrometheusSchema = z
  .object({
    instanceLabel: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name')
      .default('instance'),
    /** Extra label matchers added to every query, e.g. `job="etcd"`. */
    selector: z.string().max(1024).regex(MATCHERS_RE, 'PromQL label matchers such as job="etcd"').default(''),
  })
  .strict();

/** Label keys (Prometheus-style, plus "." and "-") and bounded printable values, for filtering the fleet. */
export const LABEL_KEY_RE = /^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/;
export const MAX_LABELS = 16;
export const MAX_LABEL_VALUE = 128;
export const LabelsSchema = z
  .record(
    z.string(),
    z
      .string()
      .max(MAX_LABEL_VALUE, `at most ${MAX_LABEL_VALUE} characters`)
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters'),
  )
  .superRefine((r, ctx) => {
    const keys = Object.keys(r);
    if (keys.length > MAX_LABELS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_LABELS} labels` });
    for (const k of keys)
      if (!LABEL_KEY_RE.test(k))
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `${JSON.stringify(k.slice(0, 70))} is not a label name: a letter or "_", then letters, digits, "_", "." or "-", at most 63`,
        });
  });

export const ClusterSchema = z
  .object({
    name: z.string().regex(NAME_RE, 'letters, digits, "_", "." or "-", starting with a letter or digit, at most 63'),
    /** Free labels (env, region, team, ...) the fleet page and the wall filter on. */
    labels: LabelsSchema.default({}),
    endpoints: z.array(EndpointSchema).min(1).max(15),
    /** One seed endpoint; Fulcrum polls every member etcd's MemberList names, and follows changes. */
    discover: z.boolean().default(false),
    tls: TlsSchema.optional(),
    auth: AuthSchema.optional(),
    prometheus: ClusterPrometheusSchema.default({ instanceLabel: 'instance', selector: '' }),
    balancer: BalancerSchema.optional(),
    logs: LogsSchema.optional(),
    /** Per-cluster overrides of the global diagnosis thresholds. */
    diagnosis: ThresholdsSchema.partial().optional(),
  })
  .strict();

/** How long a snapshot lives unless the creator picks otherwise. */
export const SNAPSHOT_EXPIRIES = ['1h', '1d', '1w', 'never'] as const;

const SnapshotsSchema = z
  .object({
    /** Directory of the embedded SQLite store (relative to the config file). Ignored with DATABASE_URL. */
    dataDir: z.string().min(1).max(4096).default('./data'),
    defaultExpiry: z.enum(SNAPSHOT_EXPIRIES, { message: 'one of 1h, 1d, 1w, never' }).default('1w'),
    /** Largest snapshot (uncompressed JSON bytes) Fulcrum stores or imports. */
    maxBytes: z.number().int().min(65_536).max(1_073_741_824).default(20_000_000),
    /** Snapshots (and imports) one client may create per minute. */
    createPerMinute: z.number().int().min(1).max(10_000).default(10),
  })
  .strict();

/** host:port a TCP listener binds (IPv6 in brackets): the weights agent's `listen`. */
const LISTEN_RE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253}):(\d{1,5})$/;

/**
 * The weights agent (off unless configured): one TCP listener answering HAProxy's agent-check
 * for the servers of the listed clusters (lib/weights/agent.ts).
 */
export const WeightsAgentSchema = z
  .object({
    listen: z
      .string()
      .regex(LISTEN_RE, 'host:port to listen on, e.g. 127.0.0.1:5555 (IPv6 in brackets)')
      .refine((l) => {
        const port = Number(LISTEN_RE.exec(l)?.[2]);
        return port >= 1 && port <= 65535;
      }, 'a port within 1..65535'),
    /** Clusters whose servers it answers for (each with an HAProxy balancer). */
    clusters: z.array(z.string().regex(NAME_RE, 'a cluster name')).min(1).max(1000),
    /** Lowest and highest percentage of the configured weight it hands out. */
    min: z.number().int().min(1).max(256).default(25),
    max: z.number().int().min(1).max(256).default(100),
    /** Most points a server's percentage moves within any minute. */
    maxStepPercent: z.number().int().min(1).max(100).default(20),
    /** Least time between two changes of one server's percentage (the shares settle meanwhile). */
    settleSeconds: z.number().int().min(1).max(3600).default(30),
    /** Answer "drain" for a member down by Fulcrum's checks and still UP at the balancer. */
    drainDown: z.boolean().default(false),
    /** Moves smaller than this many points are not made (hysteresis). */
    deadbandPercent: z.number().int().min(0).max(50).default(5),
    /** Audit log (JSON lines, appended); default <snapshots.dataDir>/weights-audit.log. */
    auditLog: z.string().min(1).max(4096).optional(),
  })
  .strict()
  .refine((a) => a.min <= a.max, { message: 'min must not be above max', path: ['min'] });

const WeightsSchema = z
  .object({
    /** After a weight change at the balancer, measure the shares this long later and compare them with the prediction. */
    settleSeconds: z.number().int().min(1).max(3600).default(60),
    agent: WeightsAgentSchema.optional(),
  })
  .strict();

export const ConfigSchema = z
  .object({
    pollIntervalMs: z.number().int().min(100).max(60_000).default(1000),
    /** Per source call; must stay below pollIntervalMs. Default: 80 % of it. */
    timeoutMs: z.number().int().min(50).max(59_000).optional(),
    historyMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    /** Polls averaged into the scores (the heatmap shows every poll). */
    scoreWindowPolls: z.number().int().min(1).max(600).default(5),
    /** Open streams per cluster; more get 503. */
    maxSubscribers: z.number().int().min(1).max(10_000).default(200),
    prometheus: z
      .object({
        url: httpUrl('prometheus.url'),
        timeoutMs: z.number().int().min(50).max(60_000).optional(),
        /** Range of rate() in backfill and fallback queries; at least 2 scrape intervals. */
        rateWindow: z.string().regex(DURATION_RE, 'a duration such as 30s or 1m').default('30s'),
        /** Name of an env var holding a bearer token sent to Prometheus. */
        bearerTokenEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .optional(),
        backfill: z.boolean().default(true),
      })
      .strict()
      .optional(),
    /** Detector thresholds for every cluster (clusters may override some). */
    diagnosis: ThresholdsSchema.default(ThresholdsSchema.parse({})),
    /** Clusters found in Prometheus rather than listed here (configured clusters win on a name clash). */
    discovery: z.object({ prometheus: DiscoveryPrometheusSchema.optional() }).strict().default({}),
    clusters: z.array(ClusterSchema).max(1000).default([]),
    snapshots: SnapshotsSchema.default({
      dataDir: './data',
      defaultExpiry: '1w',
      maxBytes: 20_000_000,
      createPerMinute: 10,
    }),
    /** What-if verification and the (opt-in) weights agent. */
    weights: WeightsSchema.default({ settleSeconds: 60 }),
    /** Viewer (read) and admin (write) access: lib/config/access.ts. Without it anyone who can reach Fulcrum may read and write. */
    auth: AccessAuthSchema.default(AccessAuthSchema.parse({})),
    /** Public URL, trusted proxies, framing, stream caps: lib/config/access.ts. */
    server: ServerSchema.default(ServerSchema.parse({})),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.timeoutMs !== undefined && c.timeoutMs >= c.pollIntervalMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeoutMs'],
        message: `must be below pollIntervalMs (${c.pollIntervalMs})`,
      });
    }
    if (c.clusters.length === 0 && !c.discovery.prometheus)
      ctx.addIssue({
        code: 'custom',
        path: ['clusters'],
        message: 'list at least one cluster, or find them with discovery.prometheus',
      });
    if (c.discovery.prometheus) {
      if (!c.prometheus)
        ctx.addIssue({
          code: 'custom',
          path: ['discovery', 'prometheus'],
          message: 'needs prometheus.url (the Prometheus to discover clusters in)',
        });
      const d = c.discovery.prometheus;
      if (d.clusterLabel === d.memberLabel)
        ctx.addIssue({
          code: 'custom',
          path: ['discovery', 'prometheus', 'memberLabel'],
          message: 'must differ from clusterLabel',
        });
      if (durationMs(d.interval) < 1000)
        ctx.addIssue({ code: 'custom', path: ['discovery', 'prometheus', 'interval'], message: 'at least 1s' });
      if (durationMs(d.refresh) < durationMs(d.interval))
        ctx.addIssue({
          code: 'custom',
          path: ['discovery', 'prometheus', 'refresh'],
          message: `at least the interval (${d.interval})`,
        });
    }
    const agent = c.weights.agent;
    if (agent) {
      agent.clusters.forEach((name, i) => {
        const cl = c.clusters.find((x) => x.name === name);
        if (!cl)
          ctx.addIssue({
            code: 'custom',
            path: ['weights', 'agent', 'clusters', i],
            message: `no cluster named "${name}"`,
          });
        else if (cl.balancer?.type !== 'haproxy')
          ctx.addIssue({
            code: 'custom',
            path: ['weights', 'agent', 'clusters', i],
            message: `cluster "${name}" has no HAProxy balancer: the agent answers HAProxy's agent-check and starts from the runtime weights its runtime API reports`,
          });
      });
    }
    const seen = new Set<string>();
    c.clusters.forEach((cl, i) => {
      if (cl.discover && cl.endpoints.length !== 1)
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'endpoints'],
          message: `discover: true takes one seed endpoint (Fulcrum finds the others), got ${cl.endpoints.length}`,
        });
      if (seen.has(cl.name))
        ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `duplicate cluster name "${cl.name}"` });
      seen.add(cl.name);
      const urls = new Set<string>();
      cl.endpoints.forEach((e, j) => {
        const url = typeof e === 'string' ? e : e.url;
        const key = url.replace(/\/$/, '');
        if (urls.has(key))
          ctx.addIssue({ code: 'custom', path: ['clusters', i, 'endpoints', j], message: `duplicate endpoint ${url}` });
        urls.add(key);
      });
    });
  });

export type RawConfig = z.infer<typeof ConfigSchema>;
