// NGINX fix text: complete `upstream` blocks as Fulcrum read them (directives, passive-check
// parameters, backup/down kept) with the values to change filled in, how to apply them
// (`nginx -t && nginx -s reload`), the NGINX Plus API calls when Fulcrum reads one, and the
// health checks each flavour can run. Pure.
import type { BalancerServer, BalancerState } from '../../types';
import type { RecommendedCheck } from '../etcd-versions';
import type { BalancerRef } from './types';

/** One `server` line of an upstream. */
export interface NginxServerLine {
  address: string;
  weight: number;
  maxFails: number;
  failTimeoutS: number;
  backup: boolean;
  down: boolean;
  maxConns: number | null;
}

/** A server line from what the balancer reports (defaults when the balancer wasn't read). */
export function nginxLine(address: string, srv: BalancerServer | null, weight: number): NginxServerLine {
  return {
    address: srv?.address ?? address,
    weight,
    maxFails: srv?.passive?.maxFails ?? 2,
    failTimeoutS: Math.max(1, Math.round((srv?.passive?.failTimeoutMs ?? 5_000) / 1000)),
    backup: srv?.backup ?? false,
    down: srv?.down ?? false,
    maxConns: srv?.maxConns ?? null,
  };
}

/** The whole upstream block. */
export function nginxUpstreamBlock(
  name: string,
  lines: NginxServerLine[],
  balancer: Pick<BalancerState, 'nginx'> | null,
  note: string,
): string {
  const at = balancer?.nginx?.upstreamAt;
  return [
    `# ${note}${at ? ` (replaces the upstream at ${at})` : ''}`,
    `upstream ${name} {`,
    ...(balancer?.nginx?.directives ?? []).map((d) => `    ${d};`),
    ...lines.map(
      (s) =>
        `    server ${s.address} weight=${s.weight} max_fails=${s.maxFails} fail_timeout=${s.failTimeoutS}s${s.maxConns ? ` max_conns=${s.maxConns}` : ''}${s.backup ? ' backup' : ''}${s.down ? ' down' : ''};`,
    ),
    '}',
  ].join('\n');
}

/** Check the config and reload: old workers finish their connections, new ones use the new upstream. */
export function nginxReload(ref: BalancerRef | null): string {
  const c = ref?.configFile && ref.configFile !== '/etc/nginx/nginx.conf' ? ` -c ${ref.configFile}` : '';
  return `nginx -t${c} && nginx -s reload${c}`;
}

/** Which API path the upstream lives under. */
function plusContext(balancer: Pick<BalancerState, 'protocol'> | null): 'stream' | 'http' {
  return balancer?.protocol === 'tcp' || balancer?.protocol === null || !balancer ? 'stream' : 'http';
}

/** NGINX Plus API calls that PATCH servers (looked up by address: ids change when servers are re-added). */
export function nginxPlusPatch(
  ref: BalancerRef,
  balancer: Pick<BalancerState, 'protocol'> | null,
  patches: Array<{ address: string; body: Record<string, unknown> }>,
): string {
  const api = ref.plusApi!.replace(/\/+$/, '');
  return [
    '# NGINX Plus API: takes effect now, without a reload; change the upstream in the config too',
    `v=$(curl -s ${api}/ | jq 'max')`,
    `servers=${api}/$v/${plusContext(balancer)}/upstreams/${ref.backend}/servers`,
    ...patches.flatMap((p) => [
      `id=$(curl -s "$servers" | jq '.[] | select(.server == "${p.address}") | .id')`,
      `curl -s -X PATCH -d '${JSON.stringify(p.body)}' "$servers/$id"`,
    ]),
  ].join('\n');
}

/**
 * NGINX Plus active health checks on the path the running etcd serves. A stream (L4) upstream
 * sends an HTTP request over TCP with `match`; an http/grpc upstream checks from a location that
 * proxies HTTP/1.1 (etcd answers /health over HTTP/1.1 only, not over the gRPC h2c listener).
 */
export function nginxPlusHealthCheck(
  upstream: string,
  balancer: Pick<BalancerState, 'protocol'> | null,
  check: RecommendedCheck,
): string {
  if (plusContext(balancer) === 'stream')
    return [
      '# stream { … }',
      'match etcd_ready {',
      `    send "GET ${check.path} HTTP/1.0\\r\\nHost: etcd\\r\\n\\r\\n";`,
      '    expect ~ "^HTTP/1\\.[01] 200";',
      '}',
      '# in the server that proxies to the upstream (it needs a zone):',
      `#     proxy_pass ${upstream};`,
      '#     health_check interval=5s fails=2 passes=2 match=etcd_ready;',
    ].join('\n');
  return [
    '# http { … }: in the server that proxies to the upstream (it needs a zone)',
    'location @etcd_health {',
    '    internal;',
    `    proxy_pass http://${upstream};`,
    `    health_check uri=${check.path} interval=5s fails=2 passes=2;`,
    '}',
  ].join('\n');
}

/** What open-source NGINX can do instead of active checks. */
export function nginxPassiveTuning(upstream: string, protocol: BalancerState['protocol']): string {
  const p = protocol === 'grpc' ? 'grpc' : 'proxy';
  return [
    `# upstream ${upstream}: eject after one failure, for 10 s`,
    '#     server … max_fails=1 fail_timeout=10s;',
    `# in the server/location that proxies to it: fail fast, try the next member`,
    `${p}_connect_timeout 1s;`,
    ...(protocol === 'tcp'
      ? ['proxy_next_upstream on;', 'proxy_next_upstream_tries 2;']
      : [`${p}_next_upstream error timeout http_502 http_503 http_504;`, `${p}_next_upstream_tries 2;`]),
  ].join('\n');
}
