// The part of a cluster's config that may leave the server inside a snapshot. Built field by
// field from an allow-list: a new secret field in the config can't slip in by default.
import type { ClusterConfig } from '../config/load';
import type { PublicClusterConfig } from '../store/types';
import { hasLogSources } from './excerpts';

export function publicClusterConfig(c: ClusterConfig): PublicClusterConfig {
  const b = c.balancer;
  return {
    name: c.name,
    endpoints: c.endpoints.map((e) => ({ url: e.url, name: e.name, weight: e.weight })),
    weighted: c.weighted,
    tls: c.tls !== null || c.endpoints.some((e) => e.url.startsWith('https:')),
    clientCert: Boolean(c.tls?.cert && c.tls.key),
    auth: c.auth !== null,
    balancer: b ? { type: b.type, backend: b.type === 'haproxy' ? b.backend : (b.upstream ?? null) } : null,
    logs: hasLogSources(c),
  };
}
