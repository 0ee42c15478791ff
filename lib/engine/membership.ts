// A `discover: true` cluster: the configured endpoint is a seed, the members to poll are the ones
// etcd's MemberList names (by their client URLs), and they follow membership changes. Pure.
import { type ClusterConfig, type EndpointConfig, hostPort } from '../config/load';
import type { EtcdMemberInfo } from '../sources/etcd';

/** Members polled at most (as for a configured cluster). */
export const MAX_MEMBERS = 15;
const MAX_URL = 512;

/** A member's client URL as Fulcrum keys it, or null when etcd's answer is not a usable http(s) URL. */
function clientUrl(urls: string[], scheme: string): string | null {
  const ok = urls
    .filter((u) => typeof u === 'string' && u.length <= MAX_URL)
    .map((u) => {
      try {
        const p = new URL(u);
        if (p.protocol !== 'http:' && p.protocol !== 'https:') return null;
        if (p.username || p.password) return null;
        return { scheme: p.protocol, url: `${p.protocol}//${p.host}` };
      } catch {
        return null;
      }
    })
    .filter((x): x is { scheme: string; url: string } => x !== null);
  return (ok.find((x) => x.scheme === scheme) ?? ok[0])?.url ?? null;
}

/**
 * The endpoints to poll given etcd's member list: one per member that has a client URL (a member
 * added but not started yet has none), those already polled first in their order, new ones after
 * (in the list's order). Null when the list names no usable member: keep what is polled.
 */
export function endpointsFromMembers(
  cluster: Pick<ClusterConfig, 'endpoints'>,
  seed: EndpointConfig,
  members: readonly EtcdMemberInfo[],
): EndpointConfig[] | null {
  const scheme = new URL(seed.url).protocol;
  const found: string[] = [];
  for (const m of members) {
    const u = clientUrl(m.clientUrls, scheme);
    if (u && !found.includes(u)) found.push(u);
  }
  if (found.length === 0) return null;
  const keep = cluster.endpoints.filter((e) => found.includes(e.url));
  const added = found
    .filter((u) => !keep.some((e) => e.url === u))
    .map(
      (url): EndpointConfig => ({
        url,
        name: null,
        weight: 1,
        instance: hostPort(url),
        direct: true,
        metricsUrl: null,
      }),
    );
  return [...keep, ...added].slice(0, MAX_MEMBERS);
}

/** Whether two endpoint lists poll the same members in the same order. */
export function sameEndpoints(a: readonly EndpointConfig[], b: readonly EndpointConfig[]): boolean {
  return a.length === b.length && a.every((e, i) => e.url === b[i].url);
}
