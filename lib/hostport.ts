// host:port of a member URL, the one implementation (log keys, balancer server addresses, the
// weights agent's names). Pure.

/**
 * `host:port` of a URL, with the scheme's default port when none is written (an NGINX upstream
 * or a log key names the port). A value without a scheme is returned as it is: a Prometheus
 * instance label (`10.0.0.1:2379`, `etcd-1:2379`) is its address already, and no URL parser is
 * asked (it would throw, or read `etcd-1:` as a scheme), which every tick of a large fleet paid
 * for. An unparsable URL is returned as it is too.
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
