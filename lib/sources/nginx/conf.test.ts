import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  extractUpstream,
  formatForAccessLog,
  loadNginxConfig,
  NGINX_COMBINED,
  NginxConfigError,
  parseNginxConf,
  parseNginxTime,
} from './conf';

const FIX = path.resolve(__dirname, '../../../test/fixtures/nginx');
const diskReader = {
  readFile: async (f: string) => readFileSync(f, 'utf8'),
  readDir: async (d: string) => readdirSync(d),
};

/** An in-memory file system for include tests. */
function memReader(files: Record<string, string>) {
  return {
    readFile: async (f: string) => {
      if (!(f in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return files[f];
    },
    readDir: async (d: string) =>
      Object.keys(files)
        .filter((f) => path.dirname(f) === d)
        .map((f) => path.basename(f)),
  };
}

describe('parseNginxConf', () => {
  it('reads directives, blocks, quotes, comments and escapes', () => {
    const tree = parseNginxConf(
      [
        'worker_processes 1; # a comment',
        'http {',
        '  log_format x \'$a "q" \'',
        '             "[$b]";',
        '  server { listen 80; location / { return 200 "a;b{c}"; } }',
        '}',
      ].join('\n'),
      'n.conf',
    );
    expect(tree[0]).toMatchObject({ name: 'worker_processes', args: ['1'], block: null, line: 1 });
    const http = tree[1];
    expect(http.name).toBe('http');
    expect(http.block![0]).toMatchObject({ name: 'log_format', args: ['x', '$a "q" ', '[$b]'], line: 3 });
    const loc = http.block![1].block![1];
    expect(loc.block![0].args).toEqual(['200', 'a;b{c}']);
  });

  it.each([
    ['http { server { listen 80; }', /n.conf:1: block opened here is never closed/],
    ['listen 80', /n.conf:1: "listen" has no ";"/],
    ['}', /n.conf:1: unexpected "}"/],
    ['a "b;\n', /n.conf:1: unterminated double quote/],
    ['\n\n ;', /n.conf:3: unexpected ";"/],
  ])('rejects %j with file:line', (text, re) => {
    expect(() => parseNginxConf(text, 'n.conf')).toThrow(re);
  });

  it('bounds nesting depth', () => {
    expect(() => parseNginxConf(`${'a {'.repeat(40)}${'}'.repeat(40)}`, 'deep.conf')).toThrow(/nested too deep/);
  });
});

describe('parseNginxTime', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1h 30m', 5_400_000],
    ['10', 10_000],
    ['2d', 172_800_000],
    ['x', null],
    ['10q', null],
    ['', null],
  ])('%j → %j', (s, ms) => expect(parseNginxTime(s)).toBe(ms));
});

describe('loadNginxConfig + extractUpstream on the captured configs', () => {
  it('stream: follows the include, reads weights and passive checks, finds the access log and its format', async () => {
    const main = path.join(FIX, 'stream/nginx.conf');
    const { tree, files } = await loadNginxConfig(main, diskReader);
    expect(files.map((f) => path.relative(FIX, f))).toEqual(['stream/nginx.conf', 'stream/conf.d/etcd-upstream.conf']);
    const u = extractUpstream(tree, null);
    expect(u).toMatchObject({ name: 'etcd', context: 'stream', method: 'round-robin' });
    expect(u.servers.map((s) => [s.address, s.weight, s.maxFails, s.failTimeoutMs])).toEqual([
      ['127.0.0.1:45259', 30, 2, 5000],
      ['127.0.0.1:37163', 20, 2, 5000],
      ['127.0.0.1:43693', 10, 2, 5000],
    ]);
    expect(u.servers[0].file).toMatch(/etcd-upstream\.conf$/);
    expect(u.proxies).toHaveLength(1);
    expect(u.proxies[0]).toMatchObject({
      pass: 'etcd',
      protocol: 'tcp',
      connectTimeoutMs: 1000,
      readTimeoutMs: 300_000,
      accessLogs: [{ path: 'access.log', format: 'fulcrum_stream' }],
    });
    expect(u.mainErrorLogs).toEqual([{ path: 'error.log', format: null, level: 'notice' }]);
    const fmt = formatForAccessLog(u, path.join(FIX, 'stream/access.log'), path.join(FIX, 'stream'));
    expect(fmt).toContain('"$upstream_addr"');
    expect(formatForAccessLog(u, '/elsewhere.log', path.join(FIX, 'stream'))).toBeNull();
  });

  it('grpc: http context, grpc_pass grpc://etcd, next_upstream, keepalive not taken for a server', async () => {
    const { tree } = await loadNginxConfig(path.join(FIX, 'grpc/nginx.conf'), diskReader);
    const u = extractUpstream(tree, 'etcd');
    expect(u.context).toBe('http');
    expect(u.servers).toHaveLength(3);
    expect(u.proxies[0]).toMatchObject({
      pass: 'grpc://etcd',
      protocol: 'grpc',
      nextUpstream: ['error', 'timeout'],
      connectTimeoutMs: 1000,
      readTimeoutMs: 300_000,
    });
    expect(u.proxies[0].listen).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+ http2$/)]);
    expect(formatForAccessLog(u, path.join(FIX, 'grpc/access.log'), path.join(FIX, 'grpc'))).toContain(
      'upstream_status="$upstream_status"',
    );
  });
});

describe('extractUpstream', () => {
  const conf = (body: string) => parseNginxConf(body, '/etc/nginx/nginx.conf');

  it('reads backup, down, max_conns, defaults, and a Plus health_check', () => {
    const u = extractUpstream(
      conf(`stream {
        upstream etcd { zone etcd 64k; least_conn;
          server 10.0.0.1:2379 weight=3 max_conns=100;
          server 10.0.0.2:2379 down;
          server 10.0.0.3:2379 backup resolve;
        }
        server { listen 2379; proxy_pass etcd; health_check interval=5s match=etcd_health; }
      }`),
      null,
    );
    expect(u.method).toBe('least_conn');
    expect(u.zone).toBe('etcd');
    expect(
      u.servers.map((s) => [s.weight, s.maxFails, s.failTimeoutMs, s.down, s.backup, s.maxConns, s.extra]),
    ).toEqual([
      [3, 1, 10_000, false, false, 100, []],
      [1, 1, 10_000, true, false, 0, []],
      [1, 1, 10_000, false, true, 0, ['resolve']],
    ]);
    expect(u.proxies[0].healthCheck).toEqual({
      intervalMs: 5000,
      uri: null,
      fails: 1,
      passes: 1,
      match: 'etcd_health',
    });
    // stream has no default access log format
    expect(u.proxies[0].accessLogs).toEqual([]);
  });

  it('http: access_log inherited from http, combined by default', () => {
    const u = extractUpstream(
      conf(`http {
        access_log /var/log/nginx/etcd.log;
        upstream etcd { server 10.0.0.1:2379; }
        server { listen 2379 http2; location / { grpc_pass grpcs://etcd; health_check uri=/health interval=2s fails=2; } }
      }`),
      'etcd',
    );
    expect(u.proxies[0].accessLogs).toEqual([{ path: '/var/log/nginx/etcd.log', format: null, level: null }]);
    expect(u.proxies[0].healthCheck).toMatchObject({ intervalMs: 2000, uri: '/health', fails: 2 });
    expect(formatForAccessLog(u, '/var/log/nginx/etcd.log', '/etc/nginx')).toBe(NGINX_COMBINED);
  });

  it('an inner access_log replaces the outer ones; off disables', () => {
    const u = extractUpstream(
      conf(`http {
        access_log /a.log;
        upstream etcd { server 10.0.0.1:2379; }
        server { listen 1; access_log /b.log main; location / { grpc_pass grpc://etcd; } }
        server { listen 2; access_log off; location / { grpc_pass grpc://etcd; } }
      }`),
      null,
    );
    expect(u.proxies.map((p) => p.accessLogs.map((l) => l.path))).toEqual([['/b.log'], []]);
  });

  it.each([
    ['events {}', /no upstream block/],
    ['http { upstream a { server x:1; } upstream b { server y:1; } }', /2 upstreams \(a, b\): set balancer.upstream/],
    ['stream { upstream a { } }', /upstream "a" has no servers/],
    ['stream { upstream a { server x:1 weight=two; } }', /invalid weight=two/],
    ['stream { upstream a { server x:1 fail_timeout=soon; } }', /invalid fail_timeout=soon/],
  ])('clear errors: %s', (text, re) => {
    expect(() => extractUpstream(conf(text), null)).toThrow(re);
  });

  it('a named upstream that is missing names the ones found', () => {
    expect(() => extractUpstream(conf('stream { upstream a { server x:1; } }'), 'etcd')).toThrow(
      'no upstream "etcd" in the config (found stream/a)',
    );
  });
});

describe('loadNginxConfig includes', () => {
  it('globs, relative to the main config, sorted; a glob matching nothing is fine', async () => {
    const { tree, files } = await loadNginxConfig(
      '/etc/nginx/nginx.conf',
      memReader({
        '/etc/nginx/nginx.conf': 'stream { include conf.d/*.conf; include none/*.conf; }',
        '/etc/nginx/conf.d/b.conf': 'server { listen 1; proxy_pass etcd; }',
        '/etc/nginx/conf.d/a.conf': 'upstream etcd { include /etc/nginx/servers.inc; }',
        '/etc/nginx/servers.inc': 'server 10.0.0.1:2379 weight=5;',
      }),
    );
    expect(files).toEqual([
      '/etc/nginx/nginx.conf',
      '/etc/nginx/conf.d/a.conf',
      '/etc/nginx/servers.inc',
      '/etc/nginx/conf.d/b.conf',
    ]);
    expect(extractUpstream(tree, null).servers[0]).toMatchObject({
      weight: 5,
      file: '/etc/nginx/servers.inc',
      line: 1,
    });
  });

  it('a missing include, a loop: clear errors', async () => {
    await expect(loadNginxConfig('/n.conf', memReader({ '/n.conf': 'include /missing.conf;' }))).rejects.toThrow(
      'cannot read /missing.conf: ENOENT',
    );
    await expect(
      loadNginxConfig('/n.conf', memReader({ '/n.conf': 'include /a.conf;', '/a.conf': 'include /n.conf;' })),
    ).rejects.toThrow(/include loop/);
    await expect(loadNginxConfig('/n.conf', memReader({ '/n.conf': 'http {' }))).rejects.toBeInstanceOf(
      NginxConfigError,
    );
  });
});
