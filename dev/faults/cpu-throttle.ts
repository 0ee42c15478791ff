// cpu-throttle: a member (default etcd-2) put in a cgroup with a CFS quota far below what it
// uses: 4 ms of CPU per 200 ms period (2 % of one core), like a Kubernetes CPU limit of 20m. Once
// it has used its 4 ms the kernel pauses the whole process until the next period: many short
// stalls a second while its disk and network stay fine. undo() moves it back and removes the group.
import type { Stack } from '../stack';
import { type Fault, type FaultRun, secondMember } from './fault';
import { confineMember } from './members';

/** CFS period and quota (µs): at most 196 ms of pause at a time, well under the 1 s election timeout. */
export const THROTTLE = { periodUs: 200_000, quotaUs: 4_000 };

export const cpuThrottle: Fault = {
  name: 'cpu-throttle',
  inject: (stack, member) => throttle(stack, member ?? secondMember(stack)),
};

async function throttle(stack: Stack, i: number): Promise<FaultRun> {
  return confineMember(
    stack,
    i,
    'cpu-throttle',
    'cpu',
    (v): Record<string, string> =>
      v === 2
        ? { 'cpu.max': `${THROTTLE.quotaUs} ${THROTTLE.periodUs}` }
        : { 'cpu.cfs_period_us': String(THROTTLE.periodUs), 'cpu.cfs_quota_us': String(THROTTLE.quotaUs) },
    { quota: `${THROTTLE.quotaUs / 1000} ms per ${THROTTLE.periodUs / 1000} ms` },
  );
}
