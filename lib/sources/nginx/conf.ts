// NGINX configuration: a tokenizer and parser for nginx.conf syntax (directives, blocks, quotes,
// comments), `include` expansion (globs, relative to the config's directory), and what Fulcrum
// reads from it: one upstream's servers and parameters, the servers that proxy to it, the
// access/error logs they write and the `log_format` each access log uses, passive-check and
// retry settings, and NGINX Plus `health_check`. Parsing is pure; `loadNginxConfig` does the
// file reads through a reader it is given.
import path from 'node:path';
import { globToRegExp, isGlob } from '../../logs/file';

export interface Directive {
  name: string;
  args: string[];
  /** Child directives of a block (`http { … }`), null for a simple directive. */
  block: Directive[] | null;
  file: string;
  line: number;
}

export class NginxConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NginxConfigError';
  }
}

/** Bounds: a hostile or broken config can't make Fulcrum read or hold too much. */
export const CONF_LIMITS = { maxFiles: 200, maxDepth: 16, maxBytes: 8 * 1024 * 1024, maxDirectives: 100_000 };

type Token = { kind: 'word'; text: string; line: number; quoted: boolean } | { kind: '{' | '}' | ';'; line: number };

function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '{' || c === '}' || c === ';') {
      out.push({ kind: c, line });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = line;
      let s = '';
      i++;
      while (i < n && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < n) {
          const e = text[i + 1];
          // nginx keeps the backslash except before the quote itself, \\, and the escapes \n \r \t
          s += e === c || e === '\\' ? e : e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : `\\${e}`;
          i += 2;
          continue;
        }
        if (text[i] === '\n') line++;
        s += text[i++];
      }
      if (i >= n) throw new NginxConfigError(`${file}:${start}: unterminated ${c === '"' ? 'double' : 'single'} quote`);
      i++;
      out.push({ kind: 'word', text: s, line: start, quoted: true });
      continue;
    }
    let s = '';
    while (i < n && !/[\s;{}"'#]/.test(text[i])) {
      // `${var}` keeps its braces
      if (text[i] === '$' && text[i + 1] === '{') {
        const end = text.indexOf('}', i);
        if (end < 0) throw new NginxConfigError(`${file}:${line}: unterminated \${…}`);
        s += text.slice(i, end + 1);
        i = end + 1;
        continue;
      }
      if (text[i] === '\\' && i + 1 < n) {
        s += text[i + 1];
        i += 2;
        continue;
      }
      s += text[i++];
    }
    // "#" inside a word (e.g. a URL fragment) belongs to the word when not preceded by space
    while (i < n && text[i] === '#' && s !== '') {
      while (i < n && !/[\s;{}]/.test(text[i])) s += text[i++];
    }
    out.push({ kind: 'word', text: s, line, quoted: false });
  }
  return out;
}

/** Parses one file's text into directives. Throws NginxConfigError naming file:line. */
export function parseNginxConf(text: string, file: string): Directive[] {
  const tokens = tokenize(text, file);
  let pos = 0;
  let count = 0;
  const parseBlock = (depth: number, openLine: number | null): Directive[] => {
    const list: Directive[] = [];
    let words: Array<Extract<Token, { kind: 'word' }>> = [];
    while (pos < tokens.length) {
      const t = tokens[pos++];
      if (t.kind === 'word') {
        words.push(t);
        continue;
      }
      if (t.kind === '}') {
        if (openLine === null) throw new NginxConfigError(`${file}:${t.line}: unexpected "}"`);
        if (words.length) throw new NginxConfigError(`${file}:${words[0].line}: "${words[0].text}" has no ";"`);
        return list;
      }
      if (words.length === 0) throw new NginxConfigError(`${file}:${t.line}: unexpected "${t.kind}"`);
      if (++count > CONF_LIMITS.maxDirectives)
        throw new NginxConfigError(`${file}: more than ${CONF_LIMITS.maxDirectives} directives`);
      const [name, ...args] = words;
      if (t.kind === ';')
        list.push({ name: name.text, args: args.map((w) => w.text), block: null, file, line: name.line });
      else {
        if (depth >= CONF_LIMITS.maxDepth) throw new NginxConfigError(`${file}:${name.line}: blocks nested too deep`);
        const block = parseBlock(depth + 1, name.line);
        list.push({ name: name.text, args: args.map((w) => w.text), block, file, line: name.line });
      }
      words = [];
    }
    if (words.length) throw new NginxConfigError(`${file}:${words[0].line}: "${words[0].text}" has no ";"`);
    if (openLine !== null) throw new NginxConfigError(`${file}:${openLine}: block opened here is never closed`);
    return list;
  };
  return parseBlock(0, null);
}

/** Reads a file (text) and lists a directory: the only I/O the loader needs. */
export interface ConfReader {
  readFile(file: string): Promise<string>;
  readDir(dir: string): Promise<string[]>;
}

/**
 * Parses `file` and expands every `include` (globs in the last path segment, relative paths
 * from the main config's directory, as nginx does with its default prefix). Returns the tree
 * and the files read.
 */
export async function loadNginxConfig(
  file: string,
  reader: ConfReader,
): Promise<{ tree: Directive[]; files: string[] }> {
  const base = path.dirname(path.resolve(file));
  const files: string[] = [];
  let bytes = 0;
  const read = async (f: string, chain: string[]): Promise<Directive[]> => {
    if (chain.includes(f)) throw new NginxConfigError(`${chain.at(-1)}: include loop through ${f}`);
    if (files.length >= CONF_LIMITS.maxFiles)
      throw new NginxConfigError(`more than ${CONF_LIMITS.maxFiles} included files`);
    if (chain.length > CONF_LIMITS.maxDepth) throw new NginxConfigError(`${f}: includes nested too deep`);
    files.push(f);
    let text: string;
    try {
      text = await reader.readFile(f);
    } catch (e) {
      throw new NginxConfigError(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    bytes += text.length;
    if (bytes > CONF_LIMITS.maxBytes) throw new NginxConfigError(`config larger than ${CONF_LIMITS.maxBytes} bytes`);
    return expand(parseNginxConf(text, f), [...chain, f]);
  };
  const expand = async (list: Directive[], chain: string[]): Promise<Directive[]> => {
    const out: Directive[] = [];
    for (const d of list) {
      if (d.name === 'include' && d.block === null && d.args.length === 1) {
        const target = path.resolve(base, d.args[0]);
        let matches: string[];
        if (isGlob(target)) {
          const dir = path.dirname(target);
          const re = globToRegExp(path.basename(target));
          let names: string[] = [];
          try {
            names = await reader.readDir(dir);
          } catch {
            names = []; // nginx: a glob that matches nothing is not an error
          }
          matches = names
            .filter((n) => re.test(n))
            .sort()
            .map((n) => path.join(dir, n));
        } else matches = [target];
        for (const m of matches) out.push(...(await read(m, chain)));
        continue;
      }
      out.push(d.block ? { ...d, block: await expand(d.block, chain) } : d);
    }
    return out;
  };
  const tree = await read(path.resolve(file), []);
  return { tree, files };
}

/** NGINX time: `10s`, `500ms`, `1m30s`, `2h`; a bare number is `defaultUnit`. ms, or null. */
export function parseNginxTime(s: string, defaultUnit: 'ms' | 's' = 's'): number | null {
  const mult: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000,
    M: 2_592_000_000,
    y: 31_536_000_000,
  };
  const t = s.replace(/\s+/g, '');
  if (/^\d{1,12}$/.test(t)) return Number(t) * mult[defaultUnit];
  if (!/^(?:\d{1,12}(?:ms|s|m|h|d|w|M|y))+$/.test(t)) return null;
  let total = 0;
  for (const m of t.matchAll(/(\d+)(ms|s|m|h|d|w|M|y)/g)) total += Number(m[1]) * mult[m[2]];
  return total;
}

export interface UpstreamServerConf {
  /** As written: `10.0.0.1:2379`, `etcd-1.internal:2379`, `unix:/run/etcd.sock`. */
  address: string;
  weight: number;
  maxFails: number;
  /** ms */
  failTimeoutMs: number;
  backup: boolean;
  down: boolean;
  /** 0 = no limit. */
  maxConns: number;
  /** `resolve`, `slow_start=`, … kept for display. */
  extra: string[];
  file: string;
  line: number;
}

export interface LogDirective {
  path: string;
  /** The log_format name (access logs); null: nginx's default (`combined` in http; stream has none). */
  format: string | null;
  /** error_log level. */
  level: string | null;
}

export interface NginxUpstreamConf {
  name: string;
  context: 'stream' | 'http';
  /** file:line of the upstream block. */
  at: string;
  /** Its directives other than `server`, as written (`least_conn`, `keepalive 32`, `zone etcd 64k`). */
  directives: string[];
  /** least_conn, hash, ip_hash, random, round robin (default). */
  method: string;
  servers: UpstreamServerConf[];
  zone: string | null;
  /** Servers (listen …) that pass traffic to this upstream: how, with which timeouts and logs. */
  proxies: Array<{
    listen: string[];
    /** proxy_pass or grpc_pass, as written. */
    pass: string;
    protocol: 'tcp' | 'http' | 'grpc';
    accessLogs: LogDirective[];
    errorLogs: LogDirective[];
    /** proxy_next_upstream / grpc_next_upstream, as written (nginx defaults when absent). */
    nextUpstream: string[];
    /** ms */
    connectTimeoutMs: number | null;
    /** proxy_timeout (stream) or grpc_read_timeout / proxy_read_timeout (http), ms. */
    readTimeoutMs: number | null;
    /** NGINX Plus active checks in this server/location: `health_check interval=5s uri=/health`. */
    healthCheck: { intervalMs: number; uri: string | null; fails: number; passes: number; match: string | null } | null;
  }>;
  /** `log_format` definitions of the upstream's context, by name (joined, as nginx does). */
  logFormats: Record<string, string>;
  /** error_log of the main context (the default for every server without its own). */
  mainErrorLogs: LogDirective[];
}

const LOG_PATH_OFF = new Set(['off']);

function logDirectives(list: Directive[], name: 'access_log' | 'error_log'): LogDirective[] {
  return list
    .filter((d) => d.name === name && d.args.length > 0 && !LOG_PATH_OFF.has(d.args[0]))
    .map((d) => {
      const [p, second] = d.args;
      if (name === 'error_log') return { path: p, format: null, level: second ?? 'error' };
      return { path: p, format: second && !second.includes('=') ? second : null, level: null };
    });
}

function findAll(list: Directive[], name: string): Directive[] {
  return list.filter((d) => d.name === name);
}

/** Visits every directive under `list` with its scopes: the enclosing lists, outermost first, ending with its own. */
function walk(
  list: Directive[],
  visit: (d: Directive, scopes: Directive[][]) => void,
  outer: Directive[][] = [],
): void {
  const scopes = [...outer, list];
  for (const d of list) {
    visit(d, scopes);
    if (d.block) walk(d.block, visit, scopes);
  }
}

/** The one value of a directive, searched from the innermost block outwards (nginx inheritance). */
function inherited(scopes: Directive[][], name: string): Directive | null {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const found = scopes[i].filter((d) => d.name === name);
    if (found.length) return found[found.length - 1];
  }
  return null;
}

/** Access logs are inherited only when the inner level defines none. */
function inheritedLogs(scopes: Directive[][], name: 'access_log' | 'error_log'): LogDirective[] {
  for (let i = scopes.length - 1; i >= 0; i--) {
    if (scopes[i].some((d) => d.name === name)) return logDirectives(scopes[i], name);
  }
  return [];
}

function passTarget(pass: string): string {
  return pass.replace(/^(https?|grpcs?):\/\//, '').replace(/\/.*$/, '');
}

function parseServer(d: Directive): UpstreamServerConf {
  const [address, ...params] = d.args;
  if (!address) throw new NginxConfigError(`${d.file}:${d.line}: "server" without an address`);
  const s: UpstreamServerConf = {
    address,
    weight: 1,
    maxFails: 1,
    failTimeoutMs: 10_000,
    backup: false,
    down: false,
    maxConns: 0,
    extra: [],
    file: d.file,
    line: d.line,
  };
  for (const p of params) {
    const [k, v] = p.split('=', 2);
    const int = () => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new NginxConfigError(`${d.file}:${d.line}: invalid ${k}=${v}`);
      return n;
    };
    if (k === 'weight') s.weight = int();
    else if (k === 'max_fails') s.maxFails = int();
    else if (k === 'max_conns') s.maxConns = int();
    else if (k === 'fail_timeout') {
      const ms = parseNginxTime(v ?? '');
      if (ms === null) throw new NginxConfigError(`${d.file}:${d.line}: invalid fail_timeout=${v}`);
      s.failTimeoutMs = ms;
    } else if (p === 'backup') s.backup = true;
    else if (p === 'down') s.down = true;
    else s.extra.push(p);
  }
  return s;
}

/** Extracts one upstream (by name, or the only one proxied to) and everything around it. */
export function extractUpstream(tree: Directive[], wanted: string | null): NginxUpstreamConf {
  const upstreams: Array<{ d: Directive; context: 'stream' | 'http'; ctx: Directive }> = [];
  for (const ctx of tree) {
    if ((ctx.name === 'stream' || ctx.name === 'http') && ctx.block)
      for (const u of findAll(ctx.block, 'upstream'))
        if (u.block && u.args[0]) upstreams.push({ d: u, context: ctx.name, ctx });
  }
  if (upstreams.length === 0)
    throw new NginxConfigError('no upstream block in the config (looked in http { } and stream { })');
  const chosen = wanted ? upstreams.filter((u) => u.d.args[0] === wanted) : upstreams;
  if (wanted && chosen.length === 0)
    throw new NginxConfigError(
      `no upstream "${wanted}" in the config (found ${upstreams.map((u) => `${u.context}/${u.d.args[0]}`).join(', ')})`,
    );
  if (chosen.length > 1)
    throw new NginxConfigError(
      wanted
        ? `upstream "${wanted}" is defined in both http and stream: rename one`
        : `the config has ${chosen.length} upstreams (${chosen.map((u) => u.d.args[0]).join(', ')}): set balancer.upstream`,
    );
  const { d: up, context, ctx } = chosen[0];
  const name = up.args[0];
  const block = up.block!;
  const methods = ['least_conn', 'hash', 'ip_hash', 'random', 'least_time', 'ntlm', 'sticky'];
  const method = block.find((x) => methods.includes(x.name));
  const servers = findAll(block, 'server').map(parseServer);
  if (servers.length === 0) throw new NginxConfigError(`${up.file}:${up.line}: upstream "${name}" has no servers`);

  const proxies: NginxUpstreamConf['proxies'] = [];
  walk(ctx.block!, (d, scopes) => {
    const isPass = d.name === 'proxy_pass' || d.name === 'grpc_pass';
    if (!isPass || !d.args[0] || passTarget(d.args[0]) !== name) return;
    // main, http/stream, server, [location…]: nginx inherits from the outside in
    const inner = [tree, ...scopes];
    const serverScope = scopes.find((p) => p.some((x) => x.name === 'listen')) ?? scopes.at(-1)!;
    const protocol: 'tcp' | 'http' | 'grpc' = context === 'stream' ? 'tcp' : d.name === 'grpc_pass' ? 'grpc' : 'http';
    const prefix = protocol === 'grpc' ? 'grpc' : 'proxy';
    const time = (n: string, unit: 'ms' | 's' = 's') => {
      const x = inherited(inner, n);
      return x?.args[0] ? parseNginxTime(x.args[0], unit) : null;
    };
    const hc = inherited(inner.slice(2), 'health_check');
    let healthCheck: NginxUpstreamConf['proxies'][number]['healthCheck'] = null;
    if (hc) {
      const kv = Object.fromEntries(hc.args.map((a) => a.split('=', 2) as [string, string]));
      healthCheck = {
        intervalMs: kv.interval ? (parseNginxTime(kv.interval) ?? 5000) : 5000,
        uri: kv.uri ?? (context === 'http' ? '/' : null),
        fails: kv.fails ? Number(kv.fails) : 1,
        passes: kv.passes ? Number(kv.passes) : 1,
        match: kv.match ?? null,
      };
    }
    proxies.push({
      listen: serverScope.filter((x) => x.name === 'listen').map((x) => x.args.join(' ')),
      pass: d.args[0],
      protocol,
      accessLogs: inheritedLogs(inner, 'access_log'),
      errorLogs: inheritedLogs(inner, 'error_log'),
      nextUpstream: inherited(inner, `${prefix}_next_upstream`)?.args ?? [],
      connectTimeoutMs: time(`${prefix}_connect_timeout`),
      readTimeoutMs: context === 'stream' ? time('proxy_timeout') : time(`${prefix}_read_timeout`),
      healthCheck,
    });
  });

  const logFormats: Record<string, string> = {};
  for (const f of findAll(ctx.block!, 'log_format')) {
    const [fname, ...parts] = f.args;
    if (!fname) continue;
    logFormats[fname] = parts.filter((p) => !/^escape=/.test(p)).join('');
  }
  return {
    name,
    context,
    at: `${up.file}:${up.line}`,
    directives: block.filter((x) => x.name !== 'server' && x.block === null).map((x) => [x.name, ...x.args].join(' ')),
    method: method ? [method.name, ...method.args].join(' ') : 'round-robin',
    servers,
    zone: block.find((x) => x.name === 'zone')?.args[0] ?? null,
    proxies,
    logFormats,
    mainErrorLogs: logDirectives(tree, 'error_log'),
  };
}

/** nginx's predefined http format. */
export const NGINX_COMBINED =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

/** The log_format text an access log file is written with, or null when that file isn't configured. */
export function formatForAccessLog(conf: NginxUpstreamConf, file: string, baseDir: string): string | null {
  for (const p of conf.proxies)
    for (const l of p.accessLogs) {
      if (path.resolve(baseDir, l.path) !== path.resolve(file)) continue;
      const name = l.format ?? (conf.context === 'http' ? 'combined' : null);
      if (name === null) return null;
      if (name === 'combined' && !conf.logFormats.combined) return NGINX_COMBINED;
      return conf.logFormats[name] ?? null;
    }
  return null;
}
