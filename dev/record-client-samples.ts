// Records the client-side diagnosis cases from the real local stack (see dev/lib/recorder.ts):
// healthy load; HAProxy checking a path etcd 3.4 does not serve (every server DOWN: an outage);
// etcd-2 CPU-throttled by a cgroup quota (a stall); etcd-3's WAL device write-throttled (a slow
// disk); etcd-3 drained at the balancer (the operator's intent). Each fault is followed by a
// recovery phase. Replayed by lib/engine/replay-client.test.ts. Needs root (cgroups, loop device).
//
//   npx tsx dev/record-client-samples.ts [--out test/fixtures/samples/client-side.json.gz]
import { injectFault } from './faults';
import { outArg, recordScenario } from './lib/recorder';

recordScenario(
  { prometheus: false, loadRate: 150, walOnLoopDevice: 2 },
  outArg('test/fixtures/samples/client-side.json.gz'),
  async (stack, run) => {
    await run('healthy', 30);
    const outage = await injectFault(stack, 'check-path');
    await run('outage', 10);
    await outage.undo();
    await run('after-outage', 15);
    const stall = await injectFault(stack, 'cpu-throttle');
    await run('stalled', 60);
    await stall.undo();
    await run('after-stall', 60);
    const disk = await injectFault(stack, 'slow-wal');
    await run('slow-wal', 45);
    await disk.undo();
    await run('after-slow-wal', 45);
    const drain = await injectFault(stack, 'drain');
    await run('drained', 45);
    await drain.undo();
  },
).catch((e) => {
  console.error(e);
  process.exit(1);
});
