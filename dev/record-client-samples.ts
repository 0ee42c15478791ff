// Records the client-side diagnosis cases from the real local stack (see dev/lib/recorder.ts):
// healthy load; HAProxy checking a path etcd 3.4 does not serve (every server DOWN: an outage);
// etcd-2 CPU-throttled by a cgroup quota (a stall); etcd-3's WAL device write-throttled (a slow
// disk); etcd-3 drained at the balancer (the operator's intent). Each fault is followed by a
// recovery phase. Replayed by lib/engine/replay-client.test.ts. Needs root (cgroups, loop device).
//
//   npx tsx dev/record-client-samples.ts [--out test/fixtures/samples/client-side.json.gz]
import { outArg, recordScenario } from './lib/recorder';

recordScenario(
  { prometheus: false, loadRate: 150, walOnLoopDevice: 2 },
  outArg('test/fixtures/samples/client-side.json.gz'),
  async (_stack, run, runUnder) => {
    await run('healthy', 30);
    await runUnder('check-path', 'outage', 10);
    await run('after-outage', 15);
    await runUnder('cpu-throttle', 'stalled', 60);
    await run('after-stall', 60);
    await runUnder('slow-wal', 'slow-wal', 45);
    await run('after-slow-wal', 45);
    await runUnder('drain', 'drained', 45);
  },
).catch((e) => {
  console.error(e);
  process.exit(1);
});
