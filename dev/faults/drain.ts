// drain: an operator drains a member at the balancer on purpose (default the last one, etcd-3):
// `set server <backend>/<server> state drain` over the runtime API. HAProxy sends it no new
// connections; the ones it has finish on it. undo() sets it ready again.
import type { Stack } from '../stack';
import { type Fault, FaultConflictError, type FaultRun, makeRun } from './fault';

export const drain: Fault = {
  name: 'drain',
  balancers: ['haproxy'],
  inject: (stack, member) => drainOne(stack, member ?? stack.cluster.members.length - 1),
};

async function drainOne(stack: Stack, i: number): Promise<FaultRun> {
  const server = stack.haproxy.servers[i];
  const backend = stack.haproxy.backend;
  const before = (await stack.haproxy.serverStats())[server]?.status ?? '';
  if (before.startsWith('DRAIN') || before.startsWith('MAINT'))
    throw new FaultConflictError(`drain: ${server} is already ${before}`);
  const answer = (await stack.haproxy.runtime(`set server ${backend}/${server} state drain`)).trim();
  if (answer) throw new Error(`drain: HAProxy answered: ${answer}`);
  return makeRun('drain', stack.cluster.members[i].name, { server, state: 'drain' }, async () => {
    const a = (await stack.haproxy.runtime(`set server ${backend}/${server} state ready`)).trim();
    if (a) throw new Error(`drain undo: HAProxy answered: ${a}`);
  });
}
