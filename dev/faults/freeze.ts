// freeze: SIGSTOP a member (default etcd-2); undo sends SIGCONT and waits until it answers.
import type { Stack } from '../stack';
import { type Fault, type FaultRun, makeRun, secondMember } from './fault';
import { assertRunnable, waitAnswers } from './members';

export const freeze: Fault = {
  name: 'freeze',
  inject: (stack, member) => stop(stack, member ?? secondMember(stack)),
};

async function stop(stack: Stack, i: number): Promise<FaultRun> {
  assertRunnable(stack, i, 'freeze');
  const m = stack.cluster.members[i];
  const pid = m.pid;
  stack.cluster.freeze(i);
  return makeRun('freeze', m.name, { pid, signal: 'SIGSTOP' }, async () => {
    if (stack.cluster.isRunning(i) && m.pid === pid) stack.cluster.thaw(i);
    if (stack.cluster.isRunning(i)) await waitAnswers(stack, i);
  });
}
