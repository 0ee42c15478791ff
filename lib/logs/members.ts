// Which member a request or a balancer line is about. Members are named by their configured
// name, their endpoint URL, or host:port; the balancer names them by server name (HAProxy) or
// upstream address (NGINX). Nothing here touches the file system.
import type { ClusterConfig, EndpointConfig } from '../config/load';
import { hostPortOf } from '../hostport';
import { endpointForKey, utcOffsetMinutes, type LogsConfig } from './config';
import { upstreamAddrs } from './parse/nginx';
import type { LogLine } from './types';

export interface MemberLogTarget {
  endpoint: EndpointConfig;
  /** Names the member goes by: configured name, the name etcd reports, host:port. */
  aliases: string[];
  /** Configured file path or glob of its log, if any. */
  file: string | null;
  /** Configured Loki stream selector of its log, if any. */
  loki: string | null;
}

/** Optional names learnt at run time (etcd's own member names), by endpoint URL. */
export type RuntimeNames = ReadonlyMap<string, string> | Record<string, string>;

function runtimeName(names: RuntimeNames | undefined, url: string): string | null {
  if (!names) return null;
  const v = names instanceof Map ? names.get(url) : (names as Record<string, string>)[url];
  return typeof v === 'string' && v ? v : null;
}

/**
 * The configured member a request names (name, endpoint URL, URL-encoded or not, or host:port),
 * or null. Only exact matches against configured values: anything else is "no such member".
 */
export function findMember(cluster: ClusterConfig, id: string, names?: RuntimeNames): EndpointConfig | null {
  if (typeof id !== 'string' || id.length === 0 || id.length > 600) return null;
  const candidates = [id];
  if (id.includes('%')) {
    try {
      candidates.push(decodeURIComponent(id));
    } catch {
      // not URL-encoded after all
    }
  }
  for (const c of candidates) {
    const byConfig = endpointForKey(c, cluster.endpoints);
    if (byConfig) return cluster.endpoints.find((e) => e.url === byConfig.url) ?? null;
    const byRuntime = cluster.endpoints.find((e) => runtimeName(names, e.url) === c);
    if (byRuntime) return byRuntime;
  }
  return null;
}

function configuredFor(
  map: Record<string, string> | undefined,
  ep: EndpointConfig,
  endpoints: EndpointConfig[],
): string | null {
  if (!map) return null;
  for (const [key, v] of Object.entries(map)) {
    const e = endpointForKey(key, endpoints);
    if (e && e.url === ep.url) return v;
  }
  return null;
}

export function memberTarget(cluster: ClusterConfig, ep: EndpointConfig, names?: RuntimeNames): MemberLogTarget {
  const logs = cluster.logs as LogsConfig | null;
  const aliases = new Set<string>();
  if (ep.name) aliases.add(ep.name);
  const rn = runtimeName(names, ep.url);
  if (rn) aliases.add(rn);
  try {
    aliases.add(hostPortOf(ep.url));
  } catch {
    // a configured URL always parses
  }
  return {
    endpoint: ep,
    aliases: [...aliases],
    file: configuredFor(logs?.members, ep, cluster.endpoints),
    loki: configuredFor(logs?.loki?.members, ep, cluster.endpoints),
  };
}

/** Servers HAProxy or NGINX report when no member took the request: shown for every member. */
const NO_SERVER = new Set(['<NOSRV>', '-']);

/**
 * Whether a balancer line concerns this member: its HAProxy server name is one of the member's
 * aliases, or an NGINX upstream address is the member's host:port. Lines about no server at
 * all (<NOSRV>, "no live upstreams", "has no server available") belong to every member.
 */
export function balancerLineIsFor(line: Pick<LogLine, 'fields' | 'msg'>, target: MemberLogTarget): boolean {
  const f = line.fields;
  if (f.server !== undefined) {
    if (NO_SERVER.has(f.server)) return true;
    return target.aliases.includes(f.server);
  }
  if (f.upstream !== undefined) {
    const addrs = upstreamAddrs(f.upstream);
    if (addrs.length === 0) return /no live upstreams/.test(line.msg) || f.upstream === '-';
    return addrs.some((a) => target.aliases.includes(a));
  }
  return /no live upstreams|has no server available/.test(line.msg);
}

/** A cheap test on the raw balancer line before parsing it: can it be about this member at all? */
export function balancerRawMaybeFor(raw: string, target: MemberLogTarget): boolean {
  if (raw.includes('<NOSRV>') || raw.includes('no live upstreams') || raw.includes('has no server available'))
    return true;
  for (const a of target.aliases) if (raw.includes(a)) return true;
  return false;
}

export function parseContextFor(cluster: ClusterConfig, now: number) {
  return { utcOffsetMin: utcOffsetMinutes((cluster.logs as LogsConfig | null)?.timezone), now };
}
