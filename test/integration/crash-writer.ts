// Child process for the crash test: creates snapshots concurrently, forever, printing
// "writing <id>" as each write starts and "created <id>" after its commit, until it is killed (kill -9).
//   node --import tsx test/integration/crash-writer.ts sqlite <dataDir> <concurrency> <seed>
//   node --import tsx test/integration/crash-writer.ts postgres <url> <concurrency> <seed>
import { synthSnapshot } from '../../dev/lib/snapshot-synth';
import { storeRecord } from '../../lib/snapshots/service';
import { PostgresStore } from '../../lib/store/postgres';
import { SqliteStore } from '../../lib/store/sqlite';
import type { SnapshotStore } from '../../lib/store/types';

async function main(): Promise<void> {
  const [kind, target, conc = '4', seedArg = '1'] = process.argv.slice(2);
  const inner: SnapshotStore =
    kind === 'postgres' ? await PostgresStore.open(target, { max: Number(conc) }) : new SqliteStore(target);
  // Says when a write starts, so the test can kill us in the middle of one.
  const store: SnapshotStore = Object.assign(Object.create(inner) as SnapshotStore, {
    insert: (row: Parameters<SnapshotStore['insert']>[0]) => {
      process.stdout.write(`writing ${row.id}\n`);
      return inner.insert(row);
    },
  });
  let seed = Number(seedArg) * 1000;
  const one = async (): Promise<void> => {
    for (;;) {
      const s = ++seed;
      // 300-900 s windows plus up to 400 kB of padding: records of 0.3-1.5 MB, slow enough to be cut mid-write.
      const rec = synthSnapshot({ seconds: 300 + (s % 7) * 100, seed: s, padBytes: (s * 7919) % 400_000 });
      await storeRecord(store, rec, 50_000_000);
      process.stdout.write(`created ${rec.id}\n`);
    }
  };
  process.stdout.write('ready\n');
  await Promise.all(Array.from({ length: Number(conc) }, one));
}

main().catch((e) => {
  process.stderr.write(`crash-writer: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
