import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, type Env } from './load';

const ok = `
clusters:
  - name: prod
    endpoints:
      - http://10.0.0.1:2379
      - { url: "http://10.0.0.2:2379/", name: b, weight: 2 }
`;

function error(text: string, env: Env = {}): string {
  try {
    parseConfig(text, '/etc/fulcrum.yaml', env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('fills defaults and normalises endpoints', () => {
    const c = parseConfig(ok, '/x.yaml', {});
    expect(c.pollIntervalMs).toBe(1000);
    expect(c.timeoutMs).toBe(800);
    expect(c.historyMinutes).toBe(15);
    expect(c.clusters[0].endpoints.map((e) => [e.url, e.weight, e.instance, e.name])).toEqual([
      ['http://10.0.0.1:2379', 1, '10.0.0.1:2379', null],
      ['http://10.0.0.2:2379', 2, '10.0.0.2:2379', 'b'],
    ]);
    expect(c.clusters[0].weighted).toBe(true);
  });

  it('names the file, the field and what was expected', () => {
    const msg = error(ok.replace('http://10.0.0.1:2379', 'ftp://x'));
    expect(msg).toContain('/etc/fulcrum.yaml');
    expect(msg).toContain('clusters[0].endpoints[0]');
    expect(msg).toMatch(/http/);
    expect(error(`pollIntervalMs: fast\n${ok}`)).toMatch(/pollIntervalMs: .*number/);
    expect(error(`${ok}\nbogus: 1\n`)).toMatch(/bogus/);
    expect(error('clusters: [ { name: "bad name!", endpoints: ["http://a:1"] } ]')).toContain('clusters[0].name');
    expect(error(`pollIntervalMs: 1000\ntimeoutMs: 1000\n${ok}`)).toContain('timeoutMs: must be below pollIntervalMs');
  });

  it('reports YAML syntax errors and duplicate names', () => {
    expect(error('clusters: [ {')).toMatch(/invalid YAML/);
    expect(error(ok + ok.replace('clusters:\n', ''))).toBeTruthy();
    expect(
      error(`clusters:\n  - {name: a, endpoints: ["http://x:1"]}\n  - {name: a, endpoints: ["http://y:1"]}`),
    ).toContain('duplicate cluster name');
  });

  it('refuses credentials in URLs and an unset password variable', () => {
    expect(error(ok.replace('http://10.0.0.1:2379', 'http://root:hunter2@10.0.0.1:2379'))).toMatch(
      /credentials in the URL/,
    );
    const withAuth = `${ok}    auth: { username: root, passwordEnv: ETCD_PW }\n`;
    expect(error(withAuth)).toContain('ETCD_PW is not set');
  });

  it('keeps secrets out of JSON, logs and error messages', () => {
    const withAuth = `${ok}    auth: { username: root, passwordEnv: ETCD_PW }\n`;
    const c = parseConfig(withAuth, '/x.yaml', { ETCD_PW: 'hunter2-secret' });
    expect(c.clusters[0].auth?.password.reveal()).toBe('hunter2-secret');
    expect(JSON.stringify(c)).not.toContain('hunter2');
    expect(inspect(c, { depth: 10 })).not.toContain('hunter2');
    expect(`${c.clusters[0].auth?.password}`).toBe('[redacted]');
  });

  it('applies env overrides and says where a bad value came from', () => {
    expect(parseConfig(ok, '/x', { FULCRUM_POLL_INTERVAL_MS: '2000' }).pollIntervalMs).toBe(2000);
    expect(error(ok, { FULCRUM_POLL_INTERVAL_MS: 'soon' })).toContain('from FULCRUM_POLL_INTERVAL_MS');
    expect(parseConfig(ok, '/x', { FULCRUM_PROMETHEUS_URL: 'http://p:9090/' }).prometheus?.url).toBe('http://p:9090');
  });

  it('loads the file named by FULCRUM_CONFIG and reads TLS files relative to it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-cfg-'));
    writeFileSync(path.join(dir, 'ca.pem'), 'CA');
    writeFileSync(path.join(dir, 'key.pem'), 'PRIVATE KEY');
    writeFileSync(path.join(dir, 'cert.pem'), 'CERT');
    const file = path.join(dir, 'f.yaml');
    writeFileSync(file, `${ok}    tls: { ca: ca.pem, cert: cert.pem, key: key.pem }\n`);
    const c = loadConfig({ FULCRUM_CONFIG: file });
    expect(c.clusters[0].tls?.ca?.toString()).toBe('CA');
    expect(JSON.stringify(c)).not.toContain('PRIVATE KEY');
    expect(() => loadConfig({ FULCRUM_CONFIG: path.join(dir, 'missing.yaml') })).toThrow(
      /not found: set FULCRUM_CONFIG/,
    );
    writeFileSync(file, `${ok}    tls: { ca: nope.pem }\n`);
    expect(() => loadConfig({ FULCRUM_CONFIG: file })).toThrow(/tls.ca: cannot read .*nope.pem/);
  });

  it('accepts the example config shape', () => {
    const text = readFileSync(path.join(__dirname, '../../fulcrum.example.yaml'), 'utf8').replace(
      /\n {4}tls:[\s\S]*?key: .*\n/,
      '\n',
    );
    const c = parseConfig(text, 'fulcrum.example.yaml', { ETCD_PROD_PASSWORD: 'x' });
    expect(c.clusters[0].endpoints).toHaveLength(3);
    expect(c.clusters[0].prometheus.selector).toBe('job="etcd"');
    expect(c.clusters[0].labels).toEqual({ env: 'prod', region: 'eu-west', team: 'platform' });
  });

  it('loads 500 clusters written with anchors and merge keys, and bounds alias expansion', () => {
    const lines = [
      'x-defaults: &defaults',
      '  prometheus: { selector: \'job="etcd"\' }',
      '  diagnosis: { raiseAfterPolls: 4 }',
      'x-prod: &prod { env: prod, team: platform }',
      'x-stage: &stage { env: stage, team: apps }',
      'clusters:',
    ];
    for (let i = 0; i < 500; i++) {
      lines.push(`  - <<: *defaults`);
      lines.push(`    name: etcd-${String(i).padStart(3, '0')}`);
      lines.push(`    labels: ${i % 2 ? '*stage' : '*prod'}`);
      lines.push(`    endpoints: [${[1, 2, 3].map((m) => `https://10.${i >> 8}.${i & 255}.${m}:2379`).join(', ')}]`);
    }
    const text = `${lines.join('\n')}\n`;
    const c = parseConfig(text, '/fleet.yaml', {});
    expect(c.clusters).toHaveLength(500);
    expect(c.clusters[499]).toMatchObject({
      name: 'etcd-499',
      labels: { env: 'stage', team: 'apps' },
      prometheus: { selector: 'job="etcd"' },
    });
    expect(c.clusters[0].thresholds.raiseAfterPolls).toBe(4);
    expect(c.clusters[7].endpoints.map((e) => e.url)).toEqual([
      'https://10.0.7.1:2379',
      'https://10.0.7.2:2379',
      'https://10.0.7.3:2379',
    ]);
    // A bomb (10^6 nodes if expanded) is refused with a clear error, quickly.
    const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 5; i++)
      bomb.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    expect(error(`${bomb.join('\n')}\nclusters: *a5\n`)).toMatch(/invalid YAML: .*alias/);
  });

  it('takes bounded cluster labels and names the bad one', () => {
    const withLabels = (l: string) => ok.replace('  - name: prod\n', `  - name: prod\n    labels: ${l}\n`);
    expect(parseConfig(ok, '/x.yaml', {}).clusters[0].labels).toEqual({});
    expect(parseConfig(withLabels('{ env: prod, team.name: a-b }'), '/x.yaml', {}).clusters[0].labels).toEqual({
      env: 'prod',
      'team.name': 'a-b',
    });
    expect(error(withLabels('{ "9env": prod }'))).toMatch(/clusters\[0\]\.labels.*label name/s);
    expect(error(withLabels(`{ env: "${'x'.repeat(129)}" }`))).toMatch(/clusters\[0\]\.labels\.env: at most 128/);
    expect(error(withLabels('{ env: 3 }'))).toMatch(/clusters\[0\]\.labels\.env/);
    const many = `{ ${Array.from({ length: 17 }, (_, i) => `k${i}: v`).join(', ')} }`;
    expect(error(withLabels(many))).toMatch(/at most 16 labels/);
  });
});

describe('config: NGINX balancers and metricsUrl', () => {
  const nginx = (b: string) => `clusters:\n  - name: n\n    endpoints: ["http://10.0.0.1:2379"]\n    balancer: ${b}\n`;

  it('resolves the NGINX files relative to the config file; plusApi alone needs the upstream name', () => {
    const c = parseConfig(
      nginx('{ type: nginx, config: nginx/nginx.conf, accessLog: /var/log/nginx/etcd.log, upstream: etcd }'),
      '/etc/fulcrum/fulcrum.yaml',
      {},
    );
    expect(c.clusters[0].balancer).toEqual({
      type: 'nginx',
      config: '/etc/fulcrum/nginx/nginx.conf',
      accessLog: '/var/log/nginx/etcd.log',
      errorLog: undefined,
      upstream: 'etcd',
    });
    expect(
      parseConfig(nginx('{ type: nginx, plusApi: "http://10.0.0.9:8080/api", upstream: etcd }'), '/x.yaml', {})
        .clusters[0].balancer,
    ).toMatchObject({ plusApi: 'http://10.0.0.9:8080/api' });
    expect(error(nginx('{ type: nginx }'))).toContain('an NGINX balancer needs config (nginx.conf) or plusApi');
    expect(error(nginx('{ type: nginx, plusApi: "http://10.0.0.9:8080/api" }'))).toContain(
      'balancer.upstream is required without a config file',
    );
    expect(error(nginx('{ type: nginx, config: a.conf, upstream: "bad name" }'))).toContain('an NGINX upstream name');
    expect(error(nginx('{ type: nginx, config: a.conf, plusApi: "ftp://x" }'))).toContain('balancer.plusApi');
  });

  it('metricsUrl: the base of /metrics and /health, and the default Prometheus instance', () => {
    const c = parseConfig(
      'clusters:\n  - name: m\n    endpoints: [{ url: "https://10.0.0.1:2379", metricsUrl: "http://10.0.0.1:2381/" }]\n',
      '/x.yaml',
      {},
    );
    expect(c.clusters[0].endpoints[0]).toMatchObject({ metricsUrl: 'http://10.0.0.1:2381', instance: '10.0.0.1:2381' });
    expect(
      error(
        'clusters:\n  - name: m\n    endpoints: [{ url: "https://10.0.0.1:2379", metricsUrl: "http://10.0.0.1:2381/metrics" }]\n',
      ),
    ).toContain('a metrics URL has no path');
  });
});
