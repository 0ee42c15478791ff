// tcp-check: HAProxy reloaded with plain TCP (L4) checks on every server; undo brings HTTP checks back.
import type { Stack } from '../stack';
import { switchChecks } from './checks';
import { type Fault, FaultConflictError, type FaultRun, makeRun } from './fault';

export const tcpCheck: Fault = {
  name: 'tcp-check',
  refusesMember: 'it changes the checks of every server',
  balancers: ['haproxy'],
  inject: (stack) => tcpOnly(stack),
};

async function tcpOnly(stack: Stack): Promise<FaultRun> {
  if (stack.haproxy.check === 'tcp')
    throw new FaultConflictError('tcp-check: HAProxy already uses TCP checks (is freeze-behind-tcp-check active?)');
  const oldPid = stack.haproxy.pid;
  // The new checks may be in place before switchChecks() has confirmed them: count from the start.
  const startedAt = Date.now();
  const status = await switchChecks(stack, 'tcp');
  return makeRun(
    'tcp-check',
    null,
    { check: 'tcp', checkStatus: status, haproxyPid: stack.haproxy.pid, replacedPid: oldPid },
    async () => {
      if (stack.haproxy.check !== 'http') await switchChecks(stack, 'http');
    },
    startedAt,
  );
}
