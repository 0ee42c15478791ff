// etcd as production runs it: clients only over TLS with client certificates (--client-cert-auth),
// etcd auth enabled (JWT tokens), metrics on a plain-HTTP --listen-metrics-urls port. CA and
// certificates are made by the test with openssl. One 3-member etcd 3.4.23 cluster covers:
//   etcd-1  a good certificate; Fulcrum reads its /metrics and /health from metricsUrl
//   etcd-2  a certificate for the wrong name (DNS:wrong.example only)
//   etcd-3  a certificate that expires in 5 days; /metrics and /health over HTTPS + client cert
// Fulcrum polls with a client certificate and a user that has no role at all: which calls need
// root on 3.4 is found out here, by calling each one as that user, as no user, and as root.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, startEtcdCluster } from '../../dev/lib/etcd';
import { type CertFiles, makeTestCa, type TestCa } from '../../dev/lib/tls';
import { type ClusterConfig, type FulcrumConfig, parseConfig } from '../../lib/config/load';
import { ClusterEngine } from '../../lib/engine/cluster';
import { freezeSnapshot } from '../../lib/snapshots/service';
import { EtcdMemberSource } from '../../lib/sources/etcd';
import { certProblems } from '../../lib/analysis/certs';
import { waitUntil } from './helpers';

const ROOT_PW = 'root-pw-Qe8%never-anywhere';
const FULCRUM_PW = 'fulcrum-pw-Lm4&never-anywhere';
const ENV = { ETCD_FULCRUM_PASSWORD: FULCRUM_PW, ETCD_WRONG_PASSWORD: 'not-the-password-0' };

let dir: string;
let ca: TestCa;
let cluster: EtcdCluster;
let rootCert: CertFiles;
let fulcrumCert: CertFiles;
let configFile: string;

const ctl = (...args: string[]) =>
  execFileSync(
    '/usr/bin/etcdctl',
    [
      '--endpoints',
      cluster.members[0].clientUrl,
      '--cacert',
      ca.ca,
      '--cert',
      rootCert.cert,
      '--key',
      rootCert.key,
      '--command-timeout=5s',
      ...args,
    ],
    { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );

function fulcrumYaml(over: { user?: string; passwordEnv?: string; cert?: boolean } = {}): string {
  const m = cluster.members;
  return [
    'pollIntervalMs: 1000',
    'clusters:',
    '  - name: secure',
    '    endpoints:',
    `      - { url: ${m[0].clientUrl}, name: etcd-1, metricsUrl: ${m[0].metricsUrl} }`,
    `      - { url: ${m[1].clientUrl}, name: etcd-2 }`,
    `      - { url: ${m[2].clientUrl}, name: etcd-3 }`,
    over.cert === false
      ? `    tls: { ca: ${ca.ca} }`
      : `    tls: { ca: ${ca.ca}, cert: ${fulcrumCert.cert}, key: ${fulcrumCert.key} }`,
    `    auth: { username: ${over.user ?? 'fulcrum'}, passwordEnv: ${over.passwordEnv ?? 'ETCD_FULCRUM_PASSWORD'} }`,
    '',
  ].join('\n');
}

function configOf(yaml: string): { cfg: FulcrumConfig; cluster: ClusterConfig } {
  writeFileSync(configFile, yaml);
  const cfg = parseConfig(readFileSync(configFile, 'utf8'), configFile, ENV);
  return { cfg, cluster: cfg.clusters[0] };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-tls-'));
  configFile = path.join(dir, 'fulcrum.yaml');
  ca = await makeTestCa(path.join(dir, 'pki'));
  const good = ['IP:127.0.0.1', 'DNS:localhost'];
  const servers = [
    await ca.issue('etcd-1', { sans: good }),
    await ca.issue('etcd-2', { sans: ['DNS:wrong.example'] }),
    await ca.issue('etcd-3', { sans: good, days: 5 }),
  ];
  rootCert = await ca.issue('root-client', { cn: 'root', usage: 'client' });
  // CN is no etcd user: the password is what makes Fulcrum "fulcrum"
  fulcrumCert = await ca.issue('fulcrum-client', { cn: 'fulcrum-client', usage: 'client' });
  const jwt = await ca.jwtKeys();
  cluster = await startEtcdCluster({
    dir,
    size: 3,
    tls: { ca: ca.ca, member: (i) => servers[i], clientCertAuth: true },
    metricsListener: true,
    extraFlags: ['--auth-token', `jwt,pub-key=${jwt.pub},priv-key=${jwt.priv},sign-method=RS256,ttl=10m`],
  });
  await cluster.waitHealthy(30_000);
  ctl('user', 'add', `root:${ROOT_PW}`);
  ctl('user', 'grant-role', 'root', 'root');
  // Fulcrum's user: no role at all
  ctl('user', 'add', `fulcrum:${FULCRUM_PW}`);
  ctl('auth', 'enable');
});

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('TLS + etcd auth (etcd 3.4.23, --client-cert-auth, JWT tokens)', () => {
  it('Fulcrum polls Status, alarms, member list, /health and /metrics as a user with no role', async () => {
    const { cluster: c } = configOf(fulcrumYaml());
    for (const i of [0, 2]) {
      const src = new EtcdMemberSource(c.endpoints[i], c, 3000);
      try {
        const p = await src.poll({ memberList: true, alarms: true, metrics: true });
        expect(p.statusError, `etcd-${i + 1} Status`).toBeNull();
        expect(p.status?.version).toBe('3.4.23');
        expect(p.alarms).toEqual([]);
        expect(p.members?.map((m) => m.name).sort()).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
        expect(p.health).toEqual({ healthy: true, reason: null });
        expect(p.counters?.gauges.hasLeader).toBe(1);
        expect(p.metricsError).toBeNull();
      } finally {
        src.close();
      }
    }
  });

  it('least privilege on 3.4: Status, AlarmList, MemberList need no role (not even a user); KV needs one', async () => {
    const call = async (auth: { username: string; password: string } | undefined) => {
      const client = new Etcd3({
        hosts: [cluster.members[0].clientUrl],
        credentials: {
          rootCertificate: readFileSync(ca.ca),
          certChain: readFileSync(fulcrumCert.cert),
          privateKey: readFileSync(fulcrumCert.key),
        },
        auth,
        faultHandling: { host: () => noop, global: noop },
        defaultCallOptions: () => ({ deadline: Date.now() + 5000 }),
      });
      const out: Record<string, string> = {};
      const calls: Record<string, () => Promise<unknown>> = {
        status: () => client.maintenance.status(),
        alarmList: () => client.maintenance.alarm({ action: 'Get' as never, memberID: '0' }),
        memberList: () => client.cluster.memberList({}),
        kvGet: () => client.get('/anything').string(),
      };
      for (const [k, f] of Object.entries(calls)) {
        try {
          await f();
          out[k] = 'ok';
        } catch (e) {
          out[k] = /permission denied/i.test(String(e)) ? 'denied' : `error: ${String(e).slice(0, 80)}`;
        }
      }
      client.close();
      return out;
    };
    const want = { status: 'ok', alarmList: 'ok', memberList: 'ok' };
    expect(await call({ username: 'fulcrum', password: FULCRUM_PW })).toEqual({ ...want, kvGet: 'denied' });
    expect(await call(undefined)).toEqual({ ...want, kvGet: 'denied' });
    // root reads keys: auth is really on, and the denial above is about the role
    expect(await call({ username: 'root', password: ROOT_PW })).toEqual({ ...want, kvGet: 'ok' });
    // /health and /metrics check no etcd user: the metrics listener answers without any credentials
    const m = cluster.members[0].metricsUrl!;
    expect((await fetch(`${m}/health`)).status).toBe(200);
    expect(await (await fetch(`${m}/metrics`)).text()).toContain('etcd_server_has_leader 1');
  });

  it('metricsUrl is where /metrics and /health are read: without a client certificate only it works', async () => {
    const { cluster: c } = configOf(fulcrumYaml({ cert: false }));
    const withMetricsUrl = new EtcdMemberSource(c.endpoints[0], c, 3000);
    const without = new EtcdMemberSource(c.endpoints[2], c, 3000);
    try {
      const a = await withMetricsUrl.poll({ memberList: false, alarms: true, metrics: true });
      // gRPC needs the client certificate etcd asks for; the plain-HTTP metrics listener does not
      expect(a.statusError).not.toBeNull();
      expect(a.health).toEqual({ healthy: true, reason: null });
      expect(a.counters?.gauges.hasLeader).toBe(1);
      const b = await without.poll({ memberList: false, alarms: true, metrics: true });
      expect(b.health).toBeNull();
      expect(b.counters).toBeNull();
      expect(b.metricsError).not.toBeNull();
    } finally {
      withMetricsUrl.close();
      without.close();
    }
  });

  it('a certificate for the wrong name is a clear error naming the endpoint; one expiring in 5 days is flagged', async () => {
    const { cluster: c } = configOf(fulcrumYaml());
    const wrong = new EtcdMemberSource(c.endpoints[1], c, 3000);
    const soon = new EtcdMemberSource(c.endpoints[2], c, 3000);
    try {
      const w = await wrong.poll({ memberList: false, alarms: true, metrics: false });
      const host = new URL(c.endpoints[1].url).hostname;
      expect(w.statusError).toMatch(
        new RegExp(`^the certificate of ${c.endpoints[1].url} does not cover ${host} \\(DNS:wrong\\.example\\)`),
      );
      expect(w.cert?.nameMatches).toBe(false);
      const s = await soon.poll({ memberList: false, alarms: true, metrics: false });
      expect(s.statusError).toBeNull();
      const days = (s.cert!.notAfter - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(4);
      expect(days).toBeLessThanOrEqual(5);
      expect(certProblems(c.endpoints[2].url, s.cert!, Date.now())).toEqual([
        {
          severity: 'warning',
          message: expect.stringMatching(new RegExp(`^the certificate of ${c.endpoints[2].url} expires in 4 days`)),
        },
      ]);
    } finally {
      wrong.close();
      soon.close();
    }
  });

  it('a wrong password is a clear error that does not contain it', async () => {
    const { cluster: c } = configOf(fulcrumYaml({ passwordEnv: 'ETCD_WRONG_PASSWORD' }));
    const src = new EtcdMemberSource(c.endpoints[0], c, 3000);
    try {
      const p = await src.poll({ memberList: false, alarms: true, metrics: false });
      expect(p.statusError).toContain('authentication failed');
      expect(p.statusError).toContain('check auth.username and the password in auth.passwordEnv');
      expect(p.statusError).not.toContain(ENV.ETCD_WRONG_PASSWORD);
    } finally {
      src.close();
    }
  });

  it('secrets (password, key file contents) never reach the state, errors, logs or a snapshot', async () => {
    const { cfg, cluster: c } = configOf(fulcrumYaml());
    const logged: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((k) => {
      const orig = console[k];
      console[k] = (...a: unknown[]) => {
        logged.push(a.map(String).join(' '));
      };
      return () => {
        console[k] = orig;
      };
    });
    const engine = new ClusterEngine(cfg, c);
    try {
      engine.start();
      await waitUntil(() => engine.state().seq >= 3, 20_000, 'three polls');
      const state = engine.state();
      expect(state.members.map((m) => m.status)).toEqual(['up', 'down', 'up']);
      const record = await freezeSnapshot(
        cfg,
        engine,
        {},
        { now: Date.now(), createdBy: null, queryLogs: async () => ({ lines: [] }) as never },
      );
      const keyText = readFileSync(fulcrumCert.key, 'utf8');
      const keyLines = keyText.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
      expect(keyLines.length).toBeGreaterThan(0);
      const haystacks = { state: JSON.stringify(state), snapshot: JSON.stringify(record), logs: logged.join('\n') };
      for (const [where, text] of Object.entries(haystacks)) {
        for (const secret of [FULCRUM_PW, ROOT_PW, ...keyLines])
          expect(text.includes(secret), `${where} contains a secret`).toBe(false);
      }
      // …and they were looked at: the state names the wrong-name member's problem
      expect(haystacks.state).toContain('does not cover');
    } finally {
      await engine.stop();
      for (const restore of spies) restore();
    }
  });
});
