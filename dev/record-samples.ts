// Records what Fulcrum's sources return from the real local stack, poll by poll, through a
// scenario (healthy, kill -9 + restart, skewed weights), into a fixture that unit tests replay
// through the engine: detectors tested on recorded samples, counter resets included.
//
//   npx tsx dev/record-samples.ts [--out test/fixtures/samples/local-stack.json.gz]
import { outArg, recordScenario } from './lib/recorder';

recordScenario(
  { prometheus: false, loadRate: 150 },
  outArg('test/fixtures/samples/local-stack.json.gz'),
  async (stack, run, runUnder) => {
    await run('healthy', 20);
    await stack.cluster.kill9(1);
    await run('killed', 8);
    await stack.cluster.restart(1);
    await run('restarted', 15);
    await runUnder('skew-weights', 'skewed', 15);
    await run('restored', 15);
  },
).catch((e) => {
  console.error(e);
  process.exit(1);
});
