// NGINX as a balancer source. Open-source NGINX has no runtime API: Fulcrum reads the upstream
// from its config (following includes), the log_format its access log is written with, and tails
// the access and error logs once per poll. Per server it keeps cumulative counters (sessions or
// requests, bytes, time, errors) from what the logs said since Fulcrum started, like HAProxy's
// own counters, so the analysis takes rates over its window the same way for both. With
// `plusApi` (NGINX Plus) the peers' live state, weights, connections and active health checks
// come from its REST API. Read-only: nothing here changes NGINX.
import { lookup } from 'node:dns/promises';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseNginxError } from '../../logs/parse/nginx';
import { FileTail } from '../../logs/tail';
import {
  extractUpstream,
  formatForAccessLog,
  loadNginxConfig,
  NginxConfigError,
  type NginxUpstreamConf,
  type UpstreamServerConf,
} from './conf';
import type { BalancerSample } from '../balancer';
import { checkLogFormat, compileLogFormat, listValues, secondsToMs, type CompiledFormat } from './logformat';
import { plus5xx, plusApiVersion, plusStatus, plusUpstream, type PlusPeer } from './plus';

export interface NginxSourceConfig {
  /** nginx.conf (includes are followed). */
  config?: string;
  /** Upstream name; optional when the config proxies to exactly one. */
  upstream?: string;
  /** Access log file; default: the one the proxying server writes (from the config). */
  accessLog?: string;
  errorLog?: string;
  /** NGINX Plus API base, e.g. http://127.0.0.1:8080/api. */
  plusApi?: string;
}

/** Cumulative per-server counters: what the logs (or the Plus API) said since the source started. */
export interface NginxServerCounters {
  /** Sessions (stream) or requests (http) that ended on this server. */
  stot: number;
  bytesIn: number;
  bytesOut: number;
  /** Sum and count of session (stream) or request (http) times, ms. */
  timeMsSum: number;
  timeCount: number;
  /** Connect failures (502, `connect() failed`, `upstream timed out … while connecting`). */
  econ: number;
  /** Response errors (504, `upstream timed out … while reading`). */
  eresp: number;
  /** Tries that moved on to the next server. */
  wretr: number;
  wredis: number;
  hrsp5xx: number;
  /** Client gave up (499). */
  cliAbrt: number;
  /** Server closed or reset (`upstream prematurely closed`, `reset by peer`). */
  srvAbrt: number;
}

export interface NginxServerSample extends NginxServerCounters {
  /** As written in the config (`10.0.0.1:2379`, `etcd-1.internal:2379`). */
  name: string;
  address: string;
  /** Addresses the access log may show for it (resolved IPs). */
  aliases: string[];
  status: string;
  weight: number;
  /** Weight in the config file (with the Plus API, the live weight may differ). */
  initialWeight: number | null;
  maxFails: number;
  failTimeoutMs: number;
  backup: boolean;
  down: boolean;
  maxConns: number;
  checkLayer: 'L7' | 'L4' | 'none' | 'unknown';
  checkMode: 'active' | 'passive' | 'none';
  checkStatus: string | null;
  checkDesc: string | null;
  /** Current connections: only the Plus API knows; 0 otherwise. */
  scur: number;
  /** When passive checks last took it out (`upstream server temporarily disabled`), ms epoch. */
  disabledAt: number | null;
}

export interface NginxSnapshot extends BalancerSample {
  context: 'stream' | 'http';
  protocol: 'tcp' | 'http' | 'grpc';
  servers: NginxServerSample[];
  /** Access/error log problems (unreadable, format without $upstream_addr, …). */
  logErrors: string[];
  /** Access lines naming no configured server, or not in the format. */
  unmatchedLines: number;
  nginx: NonNullable<BalancerSample['nginx']>;
}

const ZERO: NginxServerCounters = {
  stot: 0,
  bytesIn: 0,
  bytesOut: 0,
  timeMsSum: 0,
  timeCount: 0,
  econ: 0,
  eresp: 0,
  wretr: 0,
  wredis: 0,
  hrsp5xx: 0,
  cliAbrt: 0,
  srvAbrt: 0,
};

const TAIL = { maxBytesPerCall: 4 * 1024 * 1024, backfillBytes: 64 * 1024, maxLineBytes: 16 * 1024 };

interface Loaded {
  conf: NginxUpstreamConf;
  files: Array<{ file: string; mtimeMs: number }>;
  /** address as written → addresses the logs may show. */
  aliases: Map<string, string[]>;
  format: CompiledFormat | null;
  formatError: string | null;
  formatMissing: string[];
  accessLog: string | null;
  errorLog: string | null;
}

const num = (v: string | undefined): number => {
  const n = Number(v);
  return v && Number.isFinite(n) && n >= 0 ? n : 0;
};

/** What one error-log message says about an upstream server. */
export function classifyErrorMessage(msg: string): keyof NginxServerCounters | 'disabled' | 'noLive' | null {
  if (/no live upstreams/.test(msg)) return 'noLive';
  if (/upstream server temporarily disabled/.test(msg)) return 'disabled';
  if (/connect\(\) failed|while connecting to upstream/.test(msg) && !/reading|sending/.test(msg)) return 'econ';
  if (/upstream timed out/.test(msg)) return 'eresp';
  if (/upstream prematurely closed|reset by peer|upstream sent (invalid|no valid)/.test(msg)) return 'srvAbrt';
  return null;
}

export class NginxSource {
  private loaded: Loaded | null = null;
  private readonly counters = new Map<string, NginxServerCounters>();
  /** Per poll error-log counts, merged with the access log's by max (the same failures seen twice). */
  private readonly disabledAt = new Map<string, number>();
  private noLive = 0;
  /** This poll's `no live upstreams` in each log (the same events: merged by max). */
  private pollNoLive = { access: 0, errors: 0 };
  private unmatched = 0;
  private access: FileTail | null = null;
  private errors: FileTail | null = null;
  private plusVersion: number | null = null;
  private readonly baseDir: string;

  constructor(
    private readonly cfg: NginxSourceConfig,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!cfg.config && !cfg.plusApi) throw new Error('NGINX balancer: set config (nginx.conf) or plusApi');
    this.baseDir = cfg.config ? path.dirname(path.resolve(cfg.config)) : process.cwd();
  }

  get backend(): string {
    return this.loaded?.conf.name ?? this.cfg.upstream ?? 'etcd';
  }

  private async configChanged(): Promise<boolean> {
    if (!this.loaded) return true;
    for (const f of this.loaded.files) {
      const st = await fs.stat(/*turbopackIgnore: true*/ f.file).catch(() => null);
      if (!st || st.mtimeMs !== f.mtimeMs) return true;
    }
    return false;
  }

  private async load(): Promise<Loaded> {
    const file = path.resolve(this.cfg.config!);
    const { tree, files } = await loadNginxConfig(file, {
      readFile: async (f) => {
        const st = await fs.stat(/*turbopackIgnore: true*/ f);
        if (st.size > 4 * 1024 * 1024) throw new NginxConfigError(`${f} is larger than 4 MB`);
        return fs.readFile(/*turbopackIgnore: true*/ f, 'utf8');
      },
      readDir: (d) => fs.readdir(/*turbopackIgnore: true*/ d),
    });
    const conf = extractUpstream(tree, this.cfg.upstream ?? null);
    const mtimes = await Promise.all(
      files.map(async (f) => ({ file: f, mtimeMs: (await fs.stat(/*turbopackIgnore: true*/ f)).mtimeMs })),
    );
    const aliases = new Map<string, string[]>();
    await Promise.all(
      conf.servers.map(async (s) => {
        aliases.set(s.address, await resolveAliases(s.address, this.timeoutMs));
      }),
    );
    const accessLog = this.cfg.accessLog
      ? path.resolve(this.baseDir, this.cfg.accessLog)
      : (() => {
          const l = conf.proxies.flatMap((p) => p.accessLogs)[0];
          return l ? path.resolve(this.baseDir, l.path) : null;
        })();
    const errorLog = this.cfg.errorLog
      ? path.resolve(this.baseDir, this.cfg.errorLog)
      : (() => {
          const l = conf.proxies.flatMap((p) => p.errorLogs)[0] ?? conf.mainErrorLogs[0];
          return l && l.path !== 'stderr' && !l.path.startsWith('syslog:') ? path.resolve(this.baseDir, l.path) : null;
        })();
    let format: CompiledFormat | null = null;
    let formatError: string | null = null;
    let formatMissing: string[] = [];
    if (accessLog) {
      const text = formatForAccessLog(conf, accessLog, this.baseDir);
      if (text === null)
        formatError = `${accessLog}: no server that proxies to upstream "${conf.name}" writes this access log with a log_format Fulcrum can find`;
      else {
        const compiled = compileLogFormat(text);
        const check = checkLogFormat(compiled.parts, conf.context);
        if (check.ok) format = compiled;
        else formatError = `${accessLog}: ${check.error}`;
        formatMissing = check.missing;
      }
    }
    return { conf, files: mtimes, aliases, format, formatError, formatMissing, accessLog, errorLog };
  }

  private serverFor(addr: string): string | null {
    const l = this.loaded!;
    for (const s of l.conf.servers)
      if (s.address === addr || l.aliases.get(s.address)?.includes(addr)) return s.address;
    return null;
  }

  private counter(name: string): NginxServerCounters {
    let c = this.counters.get(name);
    if (!c) this.counters.set(name, (c = { ...ZERO }));
    return c;
  }

  private accessLine(raw: string, add: Map<string, NginxServerCounters>): void {
    const l = this.loaded!;
    const v = l.format?.match(raw);
    if (!v) {
      this.unmatched++;
      return;
    }
    const addrs = listValues(v.upstream_addr);
    // $upstream_addr ends with the group's name when no server was live (left to try)
    if (addrs.at(-1) === l.conf.name) {
      this.pollNoLive.access++;
      addrs.pop();
    } else if (addrs.length === 0 || this.serverFor(addrs.at(-1)!) === null) {
      this.unmatched++;
      return;
    }
    const statuses = listValues(v.upstream_status);
    const noneLeft = addrs.length < listValues(v.upstream_addr).length;
    const get = (name: string) => {
      let c = add.get(name);
      if (!c) add.set(name, (c = { ...ZERO }));
      return c;
    };
    addrs.forEach((a, i) => {
      const name = this.serverFor(a);
      if (name === null) return;
      const c = get(name);
      const st = statuses[i];
      if (i < addrs.length - 1 || noneLeft) {
        // an earlier try failed and nginx moved on
        c.wretr++;
        if (st === '504') c.eresp++;
        else c.econ++;
        return;
      }
      c.stot++;
      if (i > 0) c.wredis++;
      c.bytesIn += num(v.bytes_received ?? v.request_length ?? v.upstream_bytes_sent);
      c.bytesOut += num(v.bytes_sent ?? v.body_bytes_sent ?? v.upstream_bytes_received);
      const ms = secondsToMs(v.session_time ?? v.request_time ?? listValues(v.upstream_response_time).at(-1));
      if (ms !== null) {
        c.timeMsSum += ms;
        c.timeCount++;
      }
      const code = st ?? (l.conf.context === 'stream' ? v.status : undefined);
      if (code === '502') c.econ++;
      else if (code === '504') c.eresp++;
      if (code && /^5\d\d$/.test(code)) c.hrsp5xx++;
      if (v.status === '499') c.cliAbrt++;
    });
  }

  private errorLine(raw: string, add: Map<string, NginxServerCounters>, now: number): void {
    const p = parseNginxError(raw, { utcOffsetMin: null, now });
    if (!p) return;
    const kind = classifyErrorMessage(p.msg);
    if (kind === null) return;
    if (kind === 'noLive') {
      this.pollNoLive.errors++;
      return;
    }
    const up = p.fields.upstream;
    if (!up) return;
    const addr = up.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
    const name = this.serverFor(addr);
    if (name === null) return;
    if (kind === 'disabled') {
      this.disabledAt.set(name, Math.min(p.t ?? now, now));
      return;
    }
    let c = add.get(name);
    if (!c) add.set(name, (c = { ...ZERO }));
    c[kind]++;
  }

  async poll(): Promise<NginxSnapshot> {
    const t = this.now();
    let configError: string | null = null;
    if (this.cfg.config) {
      try {
        if (await this.configChanged()) {
          const next = await this.load();
          if (!this.loaded || next.accessLog !== this.loaded.accessLog) {
            await this.access?.close();
            this.access = next.accessLog ? new FileTail(next.accessLog, TAIL) : null;
          }
          if (!this.loaded || next.errorLog !== this.loaded.errorLog) {
            await this.errors?.close();
            this.errors = next.errorLog ? new FileTail(next.errorLog, TAIL) : null;
          }
          this.loaded = next;
        }
      } catch (e) {
        configError =
          e instanceof NginxConfigError ? e.message : `cannot read the NGINX config: ${(e as Error).message}`;
        if (!this.loaded && !this.cfg.plusApi) throw new Error(configError);
      }
    }
    const logErrors: string[] = [];
    const fromAccess = new Map<string, NginxServerCounters>();
    const fromErrors = new Map<string, NginxServerCounters>();
    this.pollNoLive = { access: 0, errors: 0 };
    if (this.loaded) {
      if (this.loaded.formatError) logErrors.push(this.loaded.formatError);
      if (this.access && this.loaded.format) {
        await this.access.read((raw) => this.accessLine(raw, fromAccess));
        if (this.access.error) logErrors.push(`access log: ${this.access.error}`);
      }
      if (this.errors) {
        await this.errors.read((raw) => this.errorLine(raw, fromErrors, t));
        if (this.errors.error) logErrors.push(`error log: ${this.errors.error}`);
      }
      // The same failure shows in both logs: count it once per poll.
      for (const name of new Set([...fromAccess.keys(), ...fromErrors.keys()])) {
        const a = fromAccess.get(name) ?? ZERO;
        const e = fromErrors.get(name) ?? ZERO;
        const c = this.counter(name);
        for (const k of Object.keys(ZERO) as Array<keyof NginxServerCounters>) c[k] += Math.max(a[k], e[k]);
      }
      this.noLive += Math.max(this.pollNoLive.access, this.pollNoLive.errors);
    }
    let peers: PlusPeer[] | null = null;
    if (this.cfg.plusApi) {
      this.plusVersion ??= await plusApiVersion(this.cfg.plusApi, this.timeoutMs);
      const context = this.loaded?.conf.context ?? 'stream';
      const upstream = this.loaded?.conf.name ?? this.cfg.upstream;
      if (!upstream) throw new Error('NGINX Plus: set balancer.upstream (no config to find it in)');
      peers = (await plusUpstream(this.cfg.plusApi, this.plusVersion, context, upstream, this.timeoutMs)).peers;
    }
    return this.snapshot(t, configError, logErrors, peers);
  }

  private snapshot(
    t: number,
    configError: string | null,
    logErrors: string[],
    peers: PlusPeer[] | null,
  ): NginxSnapshot {
    const conf = this.loaded?.conf ?? null;
    const proxy = conf?.proxies[0] ?? null;
    const context = conf?.context ?? 'stream';
    const protocol = proxy?.protocol ?? (context === 'stream' ? 'tcp' : 'grpc');
    const hc = conf?.proxies.find((p) => p.healthCheck)?.healthCheck ?? null;
    // Passive checks count failed connections; over HTTP also the statuses *_next_upstream names.
    const passiveLayer: NginxServerSample['checkLayer'] =
      protocol !== 'tcp' && (proxy?.nextUpstream ?? []).some((x) => /^http_\d{3}$/.test(x)) ? 'L7' : 'L4';
    const fromConf = (s: UpstreamServerConf): NginxServerSample => {
      const disabledAt = this.disabledAt.get(s.address) ?? null;
      const disabled = disabledAt !== null && s.maxFails > 0 && t - disabledAt < s.failTimeoutMs;
      const passive = s.maxFails > 0;
      return {
        ...(this.counters.get(s.address) ?? ZERO),
        name: s.address,
        address: s.address,
        aliases: this.loaded?.aliases.get(s.address) ?? [],
        status: s.down ? 'MAINT' : disabled ? 'DOWN (max_fails)' : s.backup ? 'BACKUP' : 'UP',
        weight: s.weight,
        initialWeight: s.weight,
        maxFails: s.maxFails,
        failTimeoutMs: s.failTimeoutMs,
        backup: s.backup,
        down: s.down,
        maxConns: s.maxConns,
        checkLayer: passive ? passiveLayer : 'none',
        checkMode: passive ? 'passive' : 'none',
        // the check kind (passive) is checkMode; the status says only when it took the server out
        checkStatus: disabled ? 'passive: failed' : null,
        checkDesc: passive
          ? `max_fails=${s.maxFails} fail_timeout=${Math.round(s.failTimeoutMs / 1000)}s on real ${protocol === 'tcp' ? 'connections' : 'requests'}`
          : 'max_fails=0: never taken out',
        scur: 0,
        disabledAt,
      };
    };
    let servers = (conf?.servers ?? []).map(fromConf);
    if (peers) servers = mergePlus(servers, peers, context, hc !== null && hc.match !== null);
    const anyPassive = servers.some((s) => s.checkMode === 'passive');
    const check: NginxSnapshot['check'] = hc
      ? {
          type: context === 'http' ? 'http' : hc.match ? 'http' : 'tcp',
          method: context === 'http' ? 'GET' : null,
          path: hc.uri,
          interMs: Object.fromEntries(servers.map((s) => [s.name, hc.intervalMs])),
        }
      : conf
        ? { type: anyPassive ? 'passive' : 'none', method: null, path: null, interMs: {} }
        : null;
    return {
      t,
      backend: this.backend,
      context,
      protocol,
      servers,
      check,
      configError,
      logErrors,
      unmatchedLines: this.unmatched,
      nginx: {
        upstreamAt: conf?.at ?? null,
        directives: conf?.directives ?? [],
        noLiveUpstreams: this.noLive,
        formatMissing: this.loaded?.formatMissing ?? [],
        plus: peers !== null,
      },
    };
  }

  async close(): Promise<void> {
    await this.access?.close();
    await this.errors?.close();
  }
}

/** Live state from the Plus API over the config's view (matched by address). */
function mergePlus(
  servers: NginxServerSample[],
  peers: PlusPeer[],
  context: 'stream' | 'http',
  matchCheck: boolean,
): NginxServerSample[] {
  const out: NginxServerSample[] = [];
  for (const p of peers) {
    const conf = servers.find((s) => s.address === p.server || s.aliases.includes(p.server) || s.address === p.name);
    const active = (p.health_checks?.checks ?? 0) > 0;
    const base: NginxServerSample = conf ?? {
      ...ZERO,
      name: p.name ?? p.server,
      address: p.server,
      aliases: [],
      status: 'UP',
      weight: p.weight,
      initialWeight: null,
      maxFails: 1,
      failTimeoutMs: 10_000,
      backup: p.backup,
      down: false,
      maxConns: p.max_conns ?? 0,
      checkLayer: 'L4',
      checkMode: 'passive',
      checkStatus: null,
      checkDesc: null,
      scur: 0,
      disabledAt: null,
    };
    out.push({
      ...base,
      address: p.server,
      status: plusStatus(p.state, p.backup),
      weight: p.weight,
      backup: p.backup,
      scur: p.active,
      stot: p.requests ?? p.connections ?? base.stot,
      bytesIn: p.received,
      bytesOut: p.sent,
      econ: p.fails,
      hrsp5xx: plus5xx(p),
      checkMode: active ? 'active' : base.checkMode,
      checkLayer: active ? (context === 'http' || matchCheck ? 'L7' : 'L4') : base.checkLayer,
      checkStatus: active
        ? p.health_checks?.last_passed === false
          ? 'health check failed'
          : 'health check passed'
        : base.checkStatus,
      checkDesc: active
        ? `${p.health_checks!.checks} checks, ${p.health_checks!.fails} failed, unhealthy ${p.health_checks!.unhealthy}×`
        : base.checkDesc,
    });
  }
  return out;
}

/** The addresses the access log may show for a server written as host:port. */
async function resolveAliases(address: string, timeoutMs: number): Promise<string[]> {
  const m = /^(.+):(\d+)$/.exec(address);
  if (!m || /^\d+\.\d+\.\d+\.\d+$/.test(m[1]) || m[1].startsWith('[') || address.startsWith('unix:')) return [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const res = await Promise.race([
      lookup(m[1], { all: true }),
      new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new Error('timeout')), timeoutMs);
      }),
    ]);
    return res.map((r) => (r.family === 6 ? `[${r.address}]:${m[2]}` : `${r.address}:${m[2]}`));
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}
