// slow-wal: the member whose WAL the stack put on a loop device of its own (startStack's
// walOnLoopDevice) gets its writes to that device throttled to 25 per second by a cgroup block
// I/O limit: a real slow disk under its WAL (every fdatasync waits), while its CPU, network and
// data dir are fine. undo() moves it back and removes the group.
import type { Stack } from '../stack';
import { type Fault, FaultConflictError, type FaultRun } from './fault';
import { confineMember } from './members';

export const WAL_WRITE_IOPS = 25;

export const slowWal: Fault = {
  name: 'slow-wal',
  refusesMember: "it throttles the member whose WAL the stack put on a loop device (startStack's walOnLoopDevice)",
  inject: (stack) => throttleWal(stack),
};

async function throttleWal(stack: Stack): Promise<FaultRun> {
  const wal = stack.walDevice;
  if (!wal)
    throw new FaultConflictError(
      'slow-wal: no member has its WAL on a device of its own: start the stack with walOnLoopDevice',
    );
  return confineMember(
    stack,
    wal.member,
    'slow-wal',
    'io',
    (v): Record<string, string> =>
      v === 2
        ? { 'io.max': `${wal.majMin} wiops=${WAL_WRITE_IOPS}` }
        : { 'blkio.throttle.write_iops_device': `${wal.majMin} ${WAL_WRITE_IOPS}` },
    { device: wal.device, writeIops: WAL_WRITE_IOPS },
  );
}
