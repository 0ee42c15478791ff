// Switching HAProxy between HTTP and TCP checks, and waiting until every server shows the new kind.
import { waitFor } from '../lib/procs';
import type { Stack } from '../stack';

/** Waits until every server's check_status starts with prefix ('L4' / 'L7'); returns them. */
export async function waitCheckStatus(stack: Stack, prefix: 'L4' | 'L7', skip: string[] = []): Promise<string> {
  return waitFor(
    async () => {
      const rows = await stack.haproxy.serverStats();
      const servers = stack.haproxy.servers.filter((s) => !skip.includes(s));
      const all = servers.map((s) => `${s}=${rows[s]?.check_status ?? '?'}`);
      return servers.every((s) => rows[s]?.check_status?.startsWith(prefix)) ? all.join(' ') : null;
    },
    { what: `HAProxy check_status ${prefix}* on every server`, timeoutMs: 15_000, intervalMs: 200 },
  );
}

export async function switchChecks(stack: Stack, check: 'http' | 'tcp'): Promise<string> {
  await stack.haproxy.reload({ check });
  // A killed member fails both kinds at L4 (L4CON); a frozen one passes L4 and times out at L7.
  const dead = stack.cluster.members.filter((_, i) => !stack.cluster.isRunning(i)).map((m) => m.name);
  return waitCheckStatus(stack, check === 'tcp' ? 'L4' : 'L7', dead);
}
