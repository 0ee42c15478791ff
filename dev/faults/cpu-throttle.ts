// cpu-throttle: a member (default etcd-2) put in a cgroup with a CFS quota far below what it
// uses: 4 ms of CPU per 200 ms period (2 % of one core), like a Kubernetes CPU limit of 20m. Once
// it has used its 4 ms the kernel pauses the whole process until the next period: many short
// stalls a second while its disk and network stay fine. undo() moves it back and removes the group.
import { confine } from '../lib/cgroup';
import type { Stack } from '../stack';
import { type Fault, FaultConflictError, type FaultRun, makeRun, secondMember } from './fault';
import { assertRunnable } from './members';

/** CFS period and quota (µs): at most 196 ms of pause at a time, well under the 1 s election timeout. */
export const THROTTLE = { periodUs: 200_000, quotaUs: 4_000 };

export const cpuThrottle: Fault = {
  name: 'cpu-throttle',
  inject: (stack, member) => throttle(stack, member ?? secondMember(stack)),
};

async function throttle(stack: Stack, i: number): Promise<FaultRun> {
  assertRunnable(stack, i, 'cpu-throttle');
  const m = stack.cluster.members[i];
  const pid = m.pid;
  let group: ReturnType<typeof confine>;
  try {
    group = confine(
      pid,
      'cpu',
      `fulcrum-cpu-throttle-${pid}`,
      (v): Record<string, string> =>
        v === 2
          ? { 'cpu.max': `${THROTTLE.quotaUs} ${THROTTLE.periodUs}` }
          : { 'cpu.cfs_period_us': String(THROTTLE.periodUs), 'cpu.cfs_quota_us': String(THROTTLE.quotaUs) },
    );
  } catch (err) {
    throw new FaultConflictError(`cpu-throttle: ${(err as Error).message}`);
  }
  return makeRun(
    'cpu-throttle',
    m.name,
    { pid, cgroup: group.dir, quota: `${THROTTLE.quotaUs / 1000} ms per ${THROTTLE.periodUs / 1000} ms` },
    async () => group.release(),
  );
}
