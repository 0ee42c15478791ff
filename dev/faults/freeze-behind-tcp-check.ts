// freeze-behind-tcp-check: TCP checks + SIGSTOP. The frozen member's kernel still completes
// handshakes, so HAProxy keeps it UP and keeps sending it connections.
import type { Stack } from '../stack';
import { switchChecks } from './checks';
import { type Fault, type FaultRun, makeRun, secondMember } from './fault';
import { assertRunnable, waitAnswers } from './members';

export const freezeBehindTcpCheck: Fault = {
  name: 'freeze-behind-tcp-check',
  balancers: ['haproxy'],
  inject: (stack, member) => freezeBehind(stack, member ?? secondMember(stack)),
};

async function freezeBehind(stack: Stack, i: number): Promise<FaultRun> {
  assertRunnable(stack, i, 'freeze-behind-tcp-check');
  const m = stack.cluster.members[i];
  const switched = stack.haproxy.check !== 'tcp';
  if (switched) await switchChecks(stack, 'tcp');
  const pid = m.pid;
  try {
    stack.cluster.freeze(i);
  } catch (err) {
    if (switched) await switchChecks(stack, 'http').catch(() => {});
    throw err;
  }
  return makeRun(
    'freeze-behind-tcp-check',
    m.name,
    { pid, signal: 'SIGSTOP', check: 'tcp', switchedChecks: switched ? 1 : 0 },
    async () => {
      if (stack.cluster.isRunning(i) && m.pid === pid) stack.cluster.thaw(i);
      if (stack.cluster.isRunning(i)) await waitAnswers(stack, i);
      if (switched && stack.haproxy.check !== 'http') await switchChecks(stack, 'http');
    },
  );
}
