// Fix text: concrete snippets and commands with the measured values filled in. Pure.
import type { BalancerServer, Fix, MemberState } from '../../types';
import type { BalancerRef, DiagnosisInput } from './types';

/** What fix text needs to know about the balancer: its state (server names, weights) and how to reach it. */
export type BalancerInput = Pick<DiagnosisInput, 'balancer' | 'balancerRef'>;

/** The balancer's server for a member, if the balancer is read and has one. */
export function serverOf(input: BalancerInput, m: Pick<MemberState, 'endpoint'>): BalancerServer | null {
  return input.balancer?.servers.find((s) => s.member === m.endpoint) ?? null;
}

/** The balancer's server name for a member, else the member's name. */
export function serverName(input: BalancerInput, m: Pick<MemberState, 'endpoint' | 'name'>): string {
  return serverOf(input, m)?.name ?? m.name;
}

/** The member's weight at the balancer now, else its configured weight. */
export function weightNow(input: BalancerInput, m: Pick<MemberState, 'endpoint' | 'weight'>): number {
  return serverOf(input, m)?.weight ?? m.weight;
}

/** The balancer backend the fix text talks about. */
export function backendName(input: BalancerInput): string {
  return input.balancerRef?.backend ?? 'etcd';
}

/** The members as server lines, with the given weights or the ones they have now. */
export function serverLines(
  input: BalancerInput,
  members: ReadonlyArray<Pick<MemberState, 'endpoint' | 'name' | 'weight'>>,
  weights?: readonly number[],
): ServerLine[] {
  return members.map((m, i) => ({
    name: serverName(input, m),
    address: hostPortOf(m.endpoint),
    weight: weights ? weights[i] : weightNow(input, m),
  }));
}

/**
 * host:port of a member for a balancer's server line. A member read from Prometheus is keyed by
 * its label (`10.0.0.1:2379`, `etcd-1:2379`): that is its address already, and no URL parser
 * is asked (it would throw, or read `etcd-1:` as a scheme), which every tick of a large fleet paid for.
 */
export function hostPortOf(url: string): string {
  if (!url.includes('://')) return url;
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
}

/** Shell-quotes a value for a POSIX shell (single quotes). */
export function sq(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function socatTarget(api: string): string {
  return /^[^/][^:]*:\d+$/.test(api) ? `tcp-connect:${api}` : `unix-connect:${api}`;
}

/** HAProxy runtime API commands, ready to paste. */
export function haproxyRuntime(ref: BalancerRef | null, commands: string[]): string {
  const api = ref?.runtimeApi ?? '/run/haproxy/admin.sock';
  return [
    '# HAProxy runtime API: takes effect now, is lost on reload; change haproxy.cfg too.',
    ...commands.map((c) => `echo ${sq(c)} | socat stdio ${sq(socatTarget(api))}`),
  ].join('\n');
}

export interface ServerLine {
  name: string;
  address: string;
  weight: number;
}

/** "etcd 3.5.17" for finding text, or "etcd" when no member said its version. */
export function etcdName(version: string | null): string {
  return version ? `etcd ${version}` : 'etcd';
}

/** The etcd health endpoint for a balancer check, by version (3.4 has only /health). */
export function healthPath(version: string | null): string {
  const v = parseVersion(version);
  return v && (v[0] > 3 || (v[0] === 3 && v[1] >= 5)) ? '/readyz' : '/health';
}

export function parseVersion(version: string | null): [number, number, number] | null {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a) ?? [0, 0, 0];
  const y = parseVersion(b) ?? [0, 0, 0];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** An HAProxy backend with HTTP checks on the right path and the given weights. */
export function haproxyBackend(backend: string, servers: ServerLine[], version: string | null): string {
  const path = healthPath(version);
  return [
    `backend ${backend}`,
    '    mode tcp',
    '    balance roundrobin',
    `    option httpchk GET ${path}`,
    '    http-check expect status 200',
    '    default-server inter 5s fall 2 rise 2',
    ...servers.map((s) => `    server ${s.name} ${s.address} weight ${s.weight} check`),
  ].join('\n');
}

/** An NGINX gRPC upstream with the given weights. */
export function nginxUpstream(name: string, servers: ServerLine[]): string {
  return [
    `upstream ${name} {`,
    ...servers.map((s) => `    server ${s.address} weight=${s.weight} max_fails=2 fail_timeout=5s;`),
    '}',
    '# in the server block (listen ... http2;):',
    `#     location / { grpc_pass grpc://${name}; }`,
  ].join('\n');
}

/**
 * Weight commands + config lines for a set of new weights: for the configured balancer (both
 * kinds without one), or for every kind with `every` (the what-if panel's exports).
 */
export function weightFixes(
  input: BalancerInput,
  members: ReadonlyArray<Pick<MemberState, 'endpoint' | 'name' | 'weight' | 'version'>>,
  newWeights: readonly number[],
  why: string,
  risk: string,
  every = false,
): Fix[] {
  const backend = backendName(input);
  const servers = serverLines(input, members, newWeights);
  const version = members.find((m) => m.version)?.version ?? null;
  const fixes: Fix[] = [];
  if (every || !input.balancerRef || input.balancerRef.type === 'haproxy') {
    fixes.push({
      title: 'Set the weights now (HAProxy runtime API)',
      format: 'shell',
      body: haproxyRuntime(
        input.balancerRef,
        servers.map((s) => `set server ${backend}/${s.name} weight ${s.weight}`),
      ),
      why,
      risk,
    });
    fixes.push({
      title: 'Keep them in haproxy.cfg',
      format: 'haproxy',
      body: haproxyBackend(backend, servers, version),
      why: 'runtime changes are lost on reload; the config is what survives',
      risk: 'reload HAProxy to apply; existing connections keep their member until they reconnect',
    });
  }
  if (every || !input.balancerRef || input.balancerRef.type === 'nginx') {
    fixes.push({
      title: 'Or in an NGINX upstream',
      format: 'nginx',
      body: nginxUpstream(backend, servers),
      why,
      risk: 'nginx -s reload to apply; existing HTTP/2 connections stay where they are',
    });
  }
  return fixes;
}

/** etcd election flags from the measured peer round-trip time. */
export function electionFlags(peerRttP99: number | null): { heartbeatMs: number; electionMs: number } {
  if (peerRttP99 === null || !(peerRttP99 > 0)) return { heartbeatMs: 500, electionMs: 2000 };
  const hb = Math.min(5000, Math.max(100, Math.ceil((peerRttP99 * 1000 * 1.5) / 10) * 10));
  return { heartbeatMs: hb, electionMs: Math.min(50_000, hb * 10) };
}

/** Compact, defragment (followers first, leader last), disarm: the safe order. */
export function quotaRecovery(members: MemberState[], revision: string | null): string {
  const live = members.filter((m) => m.status !== 'down');
  const ordered = [...live.filter((m) => !m.isLeader), ...live.filter((m) => m.isLeader)];
  const all = live.map((m) => m.endpoint).join(',');
  const first = ordered[0]?.endpoint ?? members[0]?.endpoint ?? 'http://127.0.0.1:2379';
  const lines = [
    '# 1. compact history up to the current revision (frees space inside the db file)',
    revision
      ? `etcdctl --endpoints=${sq(first)} compact ${revision}`
      : `rev=$(etcdctl --endpoints=${sq(first)} endpoint status --write-out=json | grep -o '"revision":[0-9]*' | head -1 | cut -d: -f2)\netcdctl --endpoints=${sq(first)} compact "$rev"`,
    '# 2. defragment one member at a time, followers first, the leader last',
    ...ordered.map(
      (m) =>
        `etcdctl --endpoints=${sq(m.endpoint)} defrag --command-timeout=60s   # ${m.name}${m.isLeader ? ' (leader)' : ''}`,
    ),
    '# 3. clear the alarm, then check',
    `etcdctl --endpoints=${sq(all)} alarm disarm`,
    `etcdctl --endpoints=${sq(all)} alarm list`,
    `etcdctl --endpoints=${sq(all)} endpoint status -w table`,
  ];
  return lines.join('\n');
}
