// kill: kill -9 a member (default etcd-2); undo restarts it and waits until it serves.
import type { Stack } from '../stack';
import { type Fault, type FaultRun, makeRun, secondMember } from './fault';
import { assertRunnable, waitServing } from './members';

export const kill: Fault = {
  name: 'kill',
  inject: (stack, member) => kill9(stack, member ?? secondMember(stack)),
};

async function kill9(stack: Stack, i: number): Promise<FaultRun> {
  assertRunnable(stack, i, 'kill');
  const m = stack.cluster.members[i];
  const pid = m.pid;
  await stack.cluster.kill9(i);
  return makeRun('kill', m.name, { pid, signal: 'SIGKILL' }, async () => {
    if (!stack.cluster.isRunning(i)) await stack.cluster.restart(i);
    await waitServing(stack, i);
  });
}
