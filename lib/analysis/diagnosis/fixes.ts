// Fix text: concrete snippets and commands with the measured values filled in. Pure.
import type { BalancerServer, Fix, MemberState } from '../../types';
import { oldestVersion, type RecommendedCheck, recommendedCheck } from '../etcd-versions';
import {
  nginxLine,
  nginxPlusHealthCheck,
  nginxPassiveTuning,
  nginxPlusPatch,
  nginxReload,
  nginxUpstreamBlock,
} from './nginx-fixes';
import type { BalancerRef, DiagnosisInput } from './types';
import { hostPortOf } from '../../hostport';

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

/** The check a balancer should run against these members: the oldest version decides. */
export function checkFor(
  members: ReadonlyArray<Pick<MemberState, 'version'>>,
): RecommendedCheck & { version: string | null } {
  const version = oldestVersion(members.map((m) => m.version));
  return { ...recommendedCheck(version), version };
}

/** The NOSPACE trade-off of a check path, in one sentence. */
export function noSpaceRisk(check: RecommendedCheck): string {
  return check.noSpaceSafe
    ? `${check.path} keeps passing while NOSPACE is raised (reads still work); it fails when the member has no leader or can't serve`
    : 'Trade-off: this etcd has only /health, which also fails while any alarm is raised, and NOSPACE is cluster-wide: a full quota (reads still work) would eject every member and turn into a total outage at the balancer. From 3.4.16 use /health?exclude=NOSPACE, from 3.5.11 /readyz.';
}

/** An HAProxy backend with HTTP checks on the right path and the given weights. */
export function haproxyBackend(backend: string, servers: ServerLine[], check: RecommendedCheck): string {
  return [
    `backend ${backend}`,
    '    mode tcp',
    '    balance roundrobin',
    `    option httpchk GET ${check.path}`,
    '    http-check expect status 200',
    '    default-server inter 5s fall 2 rise 2',
    ...servers.map((s) => `    server ${s.name} ${s.address} weight ${s.weight} check`),
  ].join('\n');
}

/** The upstream with these weights (everything else as NGINX has it now). */
export function nginxUpstream(
  input: BalancerInput,
  members: ReadonlyArray<Pick<MemberState, 'endpoint'>>,
  weights: readonly number[],
  note: string,
): string {
  return nginxUpstreamBlock(
    backendName(input),
    members.map((m, i) => nginxLine(hostPortOf(m.endpoint), serverOf(input, m), weights[i])),
    input.balancer,
    note,
  );
}

/** Fixes that take one member's server out of rotation now, for the balancer in front. */
export function drainFixes(input: DiagnosisInput, m: MemberState, why: string, risk: string): Fix[] {
  const ref = input.balancerRef;
  const srv = serverOf(input, m);
  if (!ref || ref.type === 'haproxy')
    return [
      {
        title: `Take ${srv?.name ?? m.name} out of the balancer now`,
        format: 'shell',
        body: haproxyRuntime(ref, [`set server ${backendName(input)}/${srv?.name ?? m.name} state maint`]),
        why,
        risk: `${risk}; set "state ready" when it is healthy again`,
      },
    ];
  const address = srv?.address ?? hostPortOf(m.endpoint);
  const lines = input.members.map((x) => {
    const line = nginxLine(hostPortOf(x.endpoint), serverOf(input, x), weightNow(input, x));
    return x.endpoint === m.endpoint ? { ...line, down: true } : line;
  });
  const fixes: Fix[] = [];
  if (ref.plusApi)
    fixes.push({
      title: `Mark ${address} down now (NGINX Plus API)`,
      format: 'shell',
      body: nginxPlusPatch(ref, input.balancer, [{ address, body: { down: true } }]),
      why,
      risk: `${risk}; PATCH {"down": false} when it is healthy again`,
    });
  fixes.push({
    title: `Mark ${address} down in the upstream`,
    format: 'nginx',
    body: `${nginxUpstreamBlock(backendName(input), lines, input.balancer, `${m.name} marked down`)}\n# then: ${nginxReload(ref)}`,
    why: ref.plusApi ? 'keeps it out across reloads' : `${why} (open-source NGINX has no runtime API: edit and reload)`,
    risk: `${risk}; remove "down" and reload when it is healthy again`,
  });
  return fixes;
}

/** Fixes that make the balancer eject a bad member by itself: active checks on the path the running etcd serves. */
export function ejectFixes(input: DiagnosisInput): Fix[] {
  const ref = input.balancerRef;
  const check = checkFor(input.members);
  const backend = backendName(input);
  if (!ref || ref.type === 'haproxy')
    return [
      {
        title: `HTTP check on ${check.path} every 5 s`,
        format: 'haproxy',
        body: haproxyBackend(backend, serverLines(input, input.members), check),
        why: `${check.why}; a TCP check passes as long as the kernel accepts connections. 5 s with fall 2 ejects a bad member in about 10 s`,
        risk: noSpaceRisk(check),
      },
    ];
  if (ref.plusApi || input.balancer?.nginx?.plus)
    return [
      {
        title: `NGINX Plus active health check on ${check.path} every 5 s`,
        format: 'nginx',
        body: `${nginxPlusHealthCheck(backend, input.balancer, check)}\n# then: ${nginxReload(ref)}`,
        why: `${check.why}; passive checks (max_fails) only see failed connections, never a hung member that still accepts them`,
        risk: noSpaceRisk(check),
      },
    ];
  return [
    {
      title: 'Fail fast and move on (all open-source NGINX can do)',
      format: 'nginx',
      body: `${nginxPassiveTuning(backend, input.balancer?.protocol ?? null)}\n# then: ${nginxReload(ref)}`,
      why: 'open-source NGINX has no active health checks: it takes a server out only after max_fails failed connections within fail_timeout, and only for fail_timeout',
      risk: 'a member that is hung but still accepts TCP connections (SIGSTOP, a stalled disk) never fails a connection and keeps its share: only an active check or the clients can tell',
    },
    {
      title: `Or check ${check.path} from outside and mark bad members down`,
      format: 'shell',
      body: [
        `# every 5 s (cron/systemd timer): a member whose ${check.path} fails gets "down" in the upstream`,
        ...input.members.map(
          (m) =>
            `curl -sf --max-time 2 ${m.endpoint}${check.path} >/dev/null || echo "${hostPortOf(m.endpoint)} failed"   # ${m.name}`,
        ),
        `# rewrite the failed servers with "down" in ${input.balancer?.nginx?.upstreamAt ?? 'the upstream'}, then: ${nginxReload(ref)}`,
      ].join('\n'),
      why: `${check.why}; this is the active check open-source NGINX lacks (or put HAProxy with "option httpchk GET ${check.path}" in front, or give clients the full endpoint list)`,
      risk: noSpaceRisk(check),
    },
  ];
}

/** Balance per request at L7 (HTTP/2), for the balancer in front: one gRPC connection no longer means one member. */
export function l7Fix(input: DiagnosisInput): Fix {
  const backend = backendName(input);
  const check = checkFor(input.members);
  if (input.balancerRef?.type === 'nginx')
    return {
      title: 'Or balance per request at L7 (HTTP/2 + grpc_pass)',
      format: 'nginx',
      body: [
        `# http { … }: the upstream moves from stream { } to http { } (keepalive reuses connections to the members)`,
        nginxUpstream(
          input,
          input.members,
          input.members.map((x) => weightNow(input, x)),
          `upstream ${backend} for grpc_pass`,
        ).replace(
          /\n\}$/,
          input.balancer?.nginx?.directives.some((d) => d.startsWith('keepalive ')) ? '\n}' : '\n    keepalive 32;\n}',
        ),
        'server {',
        '    listen 2379 http2;',
        '    location / {',
        `        grpc_pass grpc://${backend};`,
        '        grpc_read_timeout 1h;   # Watch streams are long-lived',
        '        grpc_next_upstream error timeout;',
        '    }',
        '}',
        `# then: ${nginxReload(input.balancerRef)}`,
      ].join('\n'),
      why: 'NGINX then picks a member per gRPC request (per stream), so one client connection no longer means one member',
      risk: 'Watch streams stay on their member for their life; TLS must terminate at NGINX (grpcs:// to re-encrypt); keepalive in the upstream block, or every request opens a connection to a member',
    };
  return {
    title: 'Or balance per request at L7 (HTTP/2)',
    format: 'haproxy',
    body: [
      'frontend etcd_grpc',
      '    mode http',
      '    bind :2379 proto h2',
      `    default_backend ${backend}_h2`,
      `backend ${backend}_h2`,
      '    mode http',
      '    balance roundrobin',
      `    option httpchk GET ${check.path}`,
      '    http-check expect status 200',
      ...input.members.map(
        (x) =>
          `    server ${serverName(input, x)} ${hostPortOf(x.endpoint)} proto h2 check check-proto h1 inter 5s weight ${weightNow(input, x)}`,
      ),
    ].join('\n'),
    why: 'HAProxy in mode http balances each gRPC stream, so one connection no longer means one member',
    risk: 'Watch streams are long-lived even at L7; TLS must terminate at HAProxy or be re-encrypted',
  };
}

/** Retry a failed connect on another member, and don't reuse connections the member closed. */
export function retryFixes(input: DiagnosisInput): Fix[] {
  const backend = backendName(input);
  const ref = input.balancerRef;
  const haproxy: Fix = {
    title: 'Retry elsewhere and align idle timeouts',
    format: 'haproxy',
    body: [
      `backend ${backend}`,
      '    retries 3',
      '    option redispatch',
      '    timeout connect 2s',
      '    timeout server 1h    # longer than the clients’ keepalive: gRPC streams are long-lived',
      '    timeout tunnel 1h',
    ].join('\n'),
    why: 'a connection the member already closed must not be reused, and a failed connect should go to another member',
    risk: 'retries can double-apply non-idempotent requests at L7; in mode tcp they only retry the connect',
  };
  const tcp = input.balancer?.protocol === 'tcp';
  const nginx: Fix = {
    title: 'NGINX: try the next member on a failed connect',
    format: 'nginx',
    body: (tcp
      ? [
          '# stream { server { … } } that proxies to the upstream',
          'proxy_connect_timeout 1s;',
          'proxy_next_upstream on;',
          'proxy_next_upstream_tries 2;',
          'proxy_timeout 1h;   # longer than the clients’ keepalive: gRPC streams are long-lived',
        ]
      : [
          '# the location with grpc_pass',
          'grpc_connect_timeout 1s;',
          'grpc_next_upstream error timeout http_502 http_503;',
          'grpc_next_upstream_tries 2;',
          `# upstream ${backend} { keepalive 32; keepalive_timeout 60s; }  (shorter than the members close idle connections)`,
        ]
    )
      .concat(ref?.type === 'nginx' ? [`# then: ${nginxReload(ref)}`] : [])
      .join('\n'),
    why: tcp
      ? 'a connect that fails goes to another member instead of to the client as a reset'
      : '"connection reset by peer" and 502s come from connect failures and reused connections the member closed: retry those on another member',
    risk: tcp
      ? 'only the connect is retried; a session already established is not'
      : 'non-idempotent calls (Put, Txn) are not retried unless non_idempotent is added: keep it that way',
  };
  if (!ref) return [haproxy, nginx];
  return ref.type === 'haproxy' ? [haproxy] : [nginx];
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
      body: haproxyBackend(backend, servers, checkFor(members)),
      why: 'runtime changes are lost on reload; the config is what survives',
      risk: 'reload HAProxy to apply; existing connections keep their member until they reconnect',
    });
  }
  const ref = input.balancerRef;
  if (ref?.type === 'nginx' && ref.plusApi)
    fixes.push({
      title: 'Set the weights now (NGINX Plus API)',
      format: 'shell',
      body: nginxPlusPatch(
        ref,
        input.balancer,
        members.map((m, i) => ({
          address: serverOf(input, m)?.address ?? hostPortOf(m.endpoint),
          body: { weight: newWeights[i] },
        })),
      ),
      why,
      risk,
    });
  if (every || !ref || ref.type === 'nginx') {
    fixes.push({
      title: ref?.type === 'nginx' ? 'Set the weights in the NGINX upstream' : 'Or in an NGINX upstream',
      format: 'nginx',
      body: nginxUpstream(input, members, newWeights, `upstream ${backend} with weights ${newWeights.join('/')}`),
      why: ref?.plusApi ? 'API changes are lost on reload: the config is what survives' : why,
      risk: 'applies at the reload; existing connections (gRPC keeps one per client) stay on their member until they reconnect',
    });
    fixes.push({
      title: 'Apply: check the config, then reload',
      format: 'shell',
      body: nginxReload(ref),
      why: 'nginx -t refuses a broken config before it replaces the running one; the reload starts new workers and lets old ones finish',
      risk: 'none for a config nginx -t accepts',
    });
  }
  return fixes;
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
