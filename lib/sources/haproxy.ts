// HAProxy as a source: its runtime API (`show stat`, `show servers state`) and, optionally,
// its config file (check interval and path are not in the runtime API). Read-only: Fulcrum
// suggests changes, it never sends a command that changes the balancer.
import { readFile } from 'node:fs/promises';
import net from 'node:net';

export interface HaproxyServerStat {
  name: string;
  /** host:port the server points at. */
  address: string;
  /** UP, DOWN, MAINT, DRAIN, NOLB, "UP 1/3" (going down), "no check"… */
  status: string;
  /** Effective weight now. */
  weight: number;
  /** Weight from the config file at start (show servers state srv_iweight), null when unknown. */
  initialWeight: number | null;
  /** L7 (a layer-7 check), L4 (a connect or TLS hello only), none (no check), unknown (not run yet, or failed before its layer). */
  checkLayer: 'L7' | 'L4' | 'none' | 'unknown';
  checkStatus: string | null;
  checkCode: string | null;
  checkDesc: string | null;
  /** Current and total sessions, and new sessions/s (HAProxy's own 1 s rate). */
  scur: number;
  stot: number;
  rate: number;
  /** Cumulative error counters. */
  econ: number;
  eresp: number;
  wretr: number;
  wredis: number;
  hrsp5xx: number;
  cliAbrt: number;
  srvAbrt: number;
  chkfail: number;
  chkdown: number;
  /** Seconds since the last UP/DOWN transition. */
  lastChange: number | null;
  /** A backup server (`backup`): it takes traffic only when no active server is UP. */
  backup?: boolean;
  /** The proxy's mode: tcp (a session is a connection, many gRPC calls) or http (one request). */
  mode?: 'tcp' | 'http' | null;
  /**
   * HAProxy's timers (ms), averages over the server's last 1024 sessions (tcp) or requests (http):
   * queue, connect, response (http only) and total; and the highest of each since HAProxy started.
   */
  timers?: HaproxyTimers | null;
}

export interface HaproxyTimers {
  qtime: number | null;
  ctime: number | null;
  rtime: number | null;
  ttime: number | null;
  qtimeMax: number | null;
  ctimeMax: number | null;
  rtimeMax: number | null;
  ttimeMax: number | null;
}

export interface HaproxyCheckConfig {
  /**
   * From the config file: http (option httpchk), tcp (a bare connect: `check` alone, ssl-hello-chk,
   * or tcp-check without expect rules), none (no server is checked), unknown (tcp-check rules with
   * an expect, or a protocol check: more than a connect, judged by the check status).
   */
  type: 'http' | 'tcp' | 'none' | 'unknown';
  method: string | null;
  path: string | null;
  /** Check interval per server name (ms). */
  interMs: Record<string, number>;
  expect: string | null;
}

export interface HaproxySnapshot {
  t: number;
  backend: string;
  servers: HaproxyServerStat[];
  check: HaproxyCheckConfig | null;
  /** Why the config file could not be read, when configured. */
  configError: string | null;
}

/** Sends one command to the runtime API (unix socket path or host:port) and returns the answer. */
export function runtimeCommand(target: string, cmd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const hp = /^([^/:][^:]*):(\d+)$/.exec(target);
    const sock = hp ? net.connect({ host: hp[1], port: Number(hp[2]) }) : net.connect({ path: target });
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`HAProxy runtime API ${target}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(`${cmd}\n`));
    sock.on('data', (c) => {
      size += c.length;
      if (size > 8 * 1024 * 1024) {
        sock.destroy();
        clearTimeout(timer);
        reject(new Error(`HAProxy runtime API ${target}: answer larger than 8 MB`));
        return;
      }
      chunks.push(c);
    });
    sock.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(`HAProxy runtime API ${target}: ${e.code ?? e.message}`));
    });
  });
}

const num = (s: string | undefined): number => {
  const n = Number(s);
  return s === undefined || s === '' || !Number.isFinite(n) ? 0 : n;
};

/**
 * What kind of check the last check result shows (HAProxy's `check_status`, management guide
 * "show stat"). A passed check says its kind: L7OK/L7OKC (HTTP, or tcp-check rules with an
 * expect) is layer 7; L4OK ("no upper layers testing enabled") is a bare connect; L6OK is a TLS
 * hello only (ssl-hello-chk), which says no more about etcd than a connect: both count as L4.
 * A failed one only says where it stopped: L7TOUT/L7RSP/L7STS come from a layer-7 check, but
 * L4CON/L4TOUT/SOCKERR/L6TOUT/L6RSP happen to any check before it reaches its layer, so they say
 * nothing about its kind (an HTTP check on a dead member reports L4CON). INI/UNK: not run yet.
 * A "* " prefix marks a check in progress. No status, or "no check" in the server's status: none.
 */
export function checkLayer(status: string | null, statusField: string): HaproxyServerStat['checkLayer'] {
  if (statusField.toLowerCase().includes('no check')) return 'none';
  if (!status) return 'none';
  const s = status.replace(/^\*\s*/, '');
  if (s.startsWith('L7')) return 'L7';
  if (s === 'L4OK' || s === 'L6OK') return 'L4';
  return 'unknown';
}

/** Parses `show stat` CSV: the servers of `backend`. */
export function parseShowStat(csv: string, backend: string): Omit<HaproxyServerStat, 'initialWeight'>[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) throw new Error('HAProxy show stat: no CSV header in the answer');
  const cols = header.slice(2).split(',');
  const idx = (name: string) => cols.indexOf(name);
  const out: Omit<HaproxyServerStat, 'initialWeight'>[] = [];
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    const f = line.split(',');
    if (f[idx('pxname')] !== backend) continue;
    const sv = f[idx('svname')];
    if (sv === 'BACKEND' || sv === 'FRONTEND') continue;
    const get = (name: string) => (idx(name) >= 0 ? f[idx(name)] : undefined);
    const status = get('status') ?? '';
    const checkStatus = get('check_status') || null;
    out.push({
      name: sv,
      address: get('addr') ?? '',
      status,
      weight: num(get('weight')),
      checkLayer: checkLayer(checkStatus, status),
      checkStatus,
      checkCode: get('check_code') || null,
      checkDesc: get('check_desc') || null,
      scur: num(get('scur')),
      stot: num(get('stot')),
      rate: num(get('rate')),
      econ: num(get('econ')),
      eresp: num(get('eresp')),
      wretr: num(get('wretr')),
      wredis: num(get('wredis')),
      hrsp5xx: num(get('hrsp_5xx')),
      cliAbrt: num(get('cli_abrt')),
      srvAbrt: num(get('srv_abrt')),
      chkfail: num(get('chkfail')),
      chkdown: num(get('chkdown')),
      lastChange: get('lastchg') ? num(get('lastchg')) : null,
      backup: get('bck') === '1',
      mode: get('mode') === 'http' ? 'http' : get('mode') === 'tcp' ? 'tcp' : null,
      timers: timersOf(get),
    });
  }
  return out;
}

/** An empty or absent field is not measured (HAProxy leaves timers empty before any session). */
const optNum = (s: string | undefined): number | null => {
  if (s === undefined || s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? n : null;
};

function timersOf(get: (name: string) => string | undefined): HaproxyTimers | null {
  const t: HaproxyTimers = {
    qtime: optNum(get('qtime')),
    ctime: optNum(get('ctime')),
    rtime: optNum(get('rtime')),
    ttime: optNum(get('ttime')),
    qtimeMax: optNum(get('qtime_max')),
    ctimeMax: optNum(get('ctime_max')),
    rtimeMax: optNum(get('rtime_max')),
    ttimeMax: optNum(get('ttime_max')),
  };
  return Object.values(t).some((v) => v !== null) ? t : null;
}

/** Parses `show servers state <backend>`: server name → initial (config) weight. */
export function parseServersState(text: string): Record<string, number> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) return {};
  const cols = header.slice(2).trim().split(/\s+/);
  const name = cols.indexOf('srv_name');
  const iw = cols.indexOf('srv_iweight');
  const out: Record<string, number> = {};
  for (const l of lines) {
    if (l.startsWith('#') || /^\d+$/.test(l.trim())) continue;
    const f = l.trim().split(/\s+/);
    if (name >= 0 && iw >= 0 && f[name] !== undefined) out[f[name]] = num(f[iw]);
  }
  return out;
}

/** HAProxy time values: a number with an optional unit (us, ms, s, m, h, d); ms by default. */
export function parseHaproxyTime(s: string): number | null {
  const m = /^(\d+)(us|ms|s|m|h|d)?$/.exec(s);
  if (!m) return null;
  const v = Number(m[1]);
  const unit = m[2] ?? 'ms';
  const mult: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return v * mult[unit];
}

/** `option` checks that speak a protocol (not etcd's): they test more than a connect. */
const PROTOCOL_CHECKS = new Set([
  'mysql-check',
  'pgsql-check',
  'redis-check',
  'smtpchk',
  'ldap-check',
  'spop-check',
  'external-check',
]);

/** Reads the health-check settings of one backend from an HAProxy config file's text. */
export function parseHaproxyCheckConfig(text: string, backend: string): HaproxyCheckConfig {
  const out: HaproxyCheckConfig = { type: 'none', method: null, path: null, interMs: {}, expect: null };
  let section: string | null = null;
  let name: string | null = null;
  let defaultsInter: number | null = null;
  let sectionDefaultInter: number | null = null;
  let httpchk = false;
  let tcpCheck = false;
  let tcpExpect = false;
  let otherCheck = false;
  const servers: Array<{ name: string; check: boolean; inter: number | null }> = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    if (
      /^(global|defaults|frontend|backend|listen|resolvers|peers|userlist|program|http-errors|ring|cache)$/.test(
        words[0],
      )
    ) {
      section = words[0];
      name = words[1] ?? null;
      continue;
    }
    const inBackend = (section === 'backend' || section === 'listen') && name === backend;
    const interOf = (ws: string[]) => {
      const i = ws.indexOf('inter');
      return i >= 0 && ws[i + 1] ? parseHaproxyTime(ws[i + 1]) : null;
    };
    if (section === 'defaults' && words[0] === 'default-server') defaultsInter = interOf(words) ?? defaultsInter;
    if (!inBackend) continue;
    if (words[0] === 'option' && words[1] === 'httpchk') {
      httpchk = true;
      // option httpchk [<method>] <uri> [<version>]
      const rest = words.slice(2);
      if (rest.length === 1) out.path = rest[0];
      else if (rest.length >= 2) {
        out.method = rest[0];
        out.path = rest[1];
      }
    } else if (words[0] === 'http-check' && words[1] === 'send') {
      httpchk = true;
      const mi = words.indexOf('meth');
      const ui = words.indexOf('uri');
      if (mi >= 0) out.method = words[mi + 1] ?? null;
      if (ui >= 0) out.path = words[ui + 1] ?? null;
    } else if (words[0] === 'http-check' && words[1] === 'expect') {
      out.expect = words.slice(2).join(' ');
    } else if (words[0] === 'option' && words[1] === 'tcp-check') {
      tcpCheck = true;
    } else if (words[0] === 'tcp-check' && words[1] === 'expect') {
      tcpExpect = true;
    } else if (words[0] === 'option' && PROTOCOL_CHECKS.has(words[1])) {
      otherCheck = true;
    } else if (words[0] === 'default-server') {
      sectionDefaultInter = interOf(words) ?? sectionDefaultInter;
    } else if (words[0] === 'server' && words[1]) {
      servers.push({ name: words[1], check: words.includes('check'), inter: interOf(words) });
    }
  }
  const anyCheck = servers.some((s) => s.check);
  // A plain `check`, and `option tcp-check` without rules, only connect; tcp-check rules with an
  // expect (or a protocol check: mysql, redis, ...) test more than the port, which the config
  // alone can't judge: 'unknown' lets the check status (L7OK) decide.
  out.type = !anyCheck ? 'none' : httpchk ? 'http' : (tcpCheck && tcpExpect) || otherCheck ? 'unknown' : 'tcp';
  if (httpchk && !out.method) out.method = 'OPTIONS';
  if (httpchk && !out.path) out.path = '/';
  for (const s of servers) {
    if (s.check) out.interMs[s.name] = s.inter ?? sectionDefaultInter ?? defaultsInter ?? 2000;
  }
  return out;
}

export class HaproxySource {
  constructor(
    private readonly runtimeApi: string,
    readonly backend: string,
    private readonly timeoutMs: number,
    private readonly configFile: string | null = null,
  ) {}

  async poll(): Promise<HaproxySnapshot> {
    const t = Date.now();
    const [stat, state, cfg] = await Promise.all([
      runtimeCommand(this.runtimeApi, 'show stat', this.timeoutMs),
      runtimeCommand(this.runtimeApi, `show servers state ${this.backend}`, this.timeoutMs).catch(() => ''),
      this.configFile
        ? readFile(/*turbopackIgnore: true*/ this.configFile, 'utf8').then(
            (text) => ({ check: parseHaproxyCheckConfig(text, this.backend), error: null }),
            (e: NodeJS.ErrnoException) => ({
              check: null,
              error: `cannot read ${this.configFile}: ${e.code ?? e.message}`,
            }),
          )
        : Promise.resolve({ check: null, error: null }),
    ]);
    const servers = parseShowStat(stat, this.backend);
    if (servers.length === 0)
      throw new Error(`HAProxy has no servers in backend "${this.backend}" (check balancer.backend)`);
    const initial = parseServersState(state);
    return {
      t,
      backend: this.backend,
      servers: servers.map((s) => ({ ...s, initialWeight: initial[s.name] ?? null })),
      check: cfg.check,
      configError: cfg.error,
    };
  }
}
