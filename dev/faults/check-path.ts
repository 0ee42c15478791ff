// check-path: HAProxy reloaded with an HTTP check on /livez, which etcd serves only from 3.5.11
// on: the 3.4 members answer 404, every server goes DOWN and clients get no etcd at all (an
// upgrade's balancer config rolled out before the members). undo() reloads with the default check.
import type { Stack } from '../stack';
import { DEFAULT_CHECK_PATH } from '../lib/haproxy';
import { waitFor } from '../lib/procs';
import { type Fault, FaultConflictError, type FaultRun, makeRun } from './fault';
import { waitCheckStatus } from './checks';

export const CHECK_PATH = '/livez';

export const checkPath: Fault = {
  name: 'check-path',
  refusesMember: 'it changes the check of every server',
  balancers: ['haproxy'],
  inject: (stack) => wrongPath(stack),
};

async function wrongPath(stack: Stack): Promise<FaultRun> {
  if (stack.haproxy.check !== 'http')
    throw new FaultConflictError('check-path: HAProxy uses TCP checks (is tcp-check active?): undo that first');
  if (stack.haproxy.checkPath !== DEFAULT_CHECK_PATH)
    throw new FaultConflictError(`check-path: HAProxy already checks ${stack.haproxy.checkPath}`);
  const oldPid = stack.haproxy.pid;
  const startedAt = Date.now();
  await stack.haproxy.reload({ checkPath: CHECK_PATH });
  // The new process starts with its servers UP until the first checks fail (fall 3 × inter 1 s).
  const status = await waitFor(
    async () => {
      const rows = await stack.haproxy.serverStats();
      const all = stack.haproxy.servers.map((s) => rows[s]);
      return all.every((r) => r?.status === 'DOWN' && r.check_status === 'L7STS')
        ? all.map((r, k) => `${stack.haproxy.servers[k]}=${r.check_status}/${r.check_code}`).join(' ')
        : null;
    },
    { what: `every server DOWN on GET ${CHECK_PATH}`, timeoutMs: 20_000, intervalMs: 200 },
  );
  return makeRun(
    'check-path',
    null,
    { path: CHECK_PATH, checks: status, haproxyPid: stack.haproxy.pid, replacedPid: oldPid },
    async () => {
      if (stack.haproxy.checkPath !== DEFAULT_CHECK_PATH) {
        await stack.haproxy.reload({ checkPath: DEFAULT_CHECK_PATH });
        await waitCheckStatus(stack, 'L7');
      }
    },
    startedAt,
  );
}
