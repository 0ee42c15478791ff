// npm run bench:snapshot [-- --runs 9 --seconds 3600 --members 3 --no-pg]
//
// Create and open times, and the stored size, of a snapshot of a 1-hour window of a 3-member
// cluster at 1 s resolution (3600 frames from the real frame builder, plus findings, events and
// ~200 log excerpt lines), for the SQLite store and, when PostgreSQL is available
// (DATABASE_URL, or Debian's binaries: a throwaway server is started), the PostgreSQL store.
//   create = JSON.stringify + gzip + one transaction (metadata + body)
//   open   = read the row + checksum + gunzip + JSON.parse
//   import validation = parsing an export file against the zod schema (what an import adds)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { findPostgresBin, startPostgres, type PostgresServer } from '../dev/lib/postgres';
import { synthSnapshot } from '../dev/lib/snapshot-synth';
import { newSnapshotId } from '../lib/snapshots/ids';
import { exportFile, loadSnapshot, storeRecord } from '../lib/snapshots/service';
import { PostgresStore } from '../lib/store/postgres';
import { median } from '../lib/stats';
import { parseSnapshotFile } from '../lib/store/snapshotFormat';
import { SqliteStore } from '../lib/store/sqlite';
import type { SnapshotRecord, SnapshotStore } from '../lib/store/types';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    seconds: { type: 'string', default: '3600' },
    members: { type: 'string', default: '3' },
    'no-pg': { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const SECONDS = Number(values.seconds);
const MEMBERS = Number(values.members);

const ms = (x: number | null) => (x === null ? '–' : `${x.toFixed(1)} ms`);
const kb = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} MB` : `${(x / 1e3).toFixed(1)} kB`);

interface Row {
  store: string;
  create: number[];
  open: number[];
  sizeBytes: number;
  storedBytes: number;
}

async function bench(name: string, store: SnapshotStore, base: SnapshotRecord): Promise<Row> {
  const row: Row = { store: name, create: [], open: [], sizeBytes: 0, storedBytes: 0 };
  for (let i = -1; i < RUNS; i++) {
    const rec: SnapshotRecord = { ...base, id: newSnapshotId() };
    let t = performance.now();
    const stored = await storeRecord(store, rec, 1e9);
    const create = performance.now() - t;
    t = performance.now();
    const back = await loadSnapshot(store, rec.id, Date.now());
    const open = performance.now() - t;
    if (!back || back.state.frames.length !== base.state.frames.length)
      throw new Error(`${name}: snapshot did not read back`);
    if (i < 0) continue; // warm-up
    row.create.push(create);
    row.open.push(open);
    row.sizeBytes = stored.sizeBytes;
    row.storedBytes = stored.storedBytes;
  }
  return row;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const base = synthSnapshot({ seconds: SECONDS, members: MEMBERS });
  const synthMs = performance.now() - t0;
  console.log(
    `snapshot of ${SECONDS} s × ${MEMBERS} members: ${base.state.frames.length} frames, ${base.state.findings.length} findings, ${base.state.events.length} events, ${base.logs.lineCount} log lines (built in ${ms(synthMs)}); ${RUNS} runs each, median`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-bench-snap-'));
  fs.chmodSync(dir, 0o755);
  const rows: Row[] = [];
  let pg: PostgresServer | null = null;
  try {
    const sqlite = new SqliteStore(path.join(dir, 'sqlite'));
    rows.push(await bench('SQLite (WAL, synchronous=FULL)', sqlite, base));
    await sqlite.close();

    if (!values['no-pg']) {
      let url = process.env.DATABASE_URL ?? null;
      if (!url && findPostgresBin()) {
        pg = await startPostgres({ dir: path.join(dir, 'pg') });
        url = pg.url;
      }
      if (url) {
        const store = await PostgresStore.open(url);
        rows.push(await bench(`PostgreSQL${pg ? ' (local, fsync on)' : ''}`, store, base));
        await store.close();
      } else {
        console.log('PostgreSQL: skipped (no DATABASE_URL and no /usr/lib/postgresql/*/bin)');
      }
    }

    const file = JSON.stringify(exportFile(base, Date.now()));
    const validate: number[] = [];
    for (let i = -1; i < RUNS; i++) {
      const t = performance.now();
      parseSnapshotFile(file);
      if (i >= 0) validate.push(performance.now() - t);
    }

    const head = ['store', 'create', 'open', 'JSON size', 'stored (gzip)', 'ratio'];
    const body = rows.map((r) => [
      r.store,
      ms(median(r.create)),
      ms(median(r.open)),
      kb(r.sizeBytes),
      kb(r.storedBytes),
      `${(r.sizeBytes / r.storedBytes).toFixed(1)}×`,
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    console.log('');
    console.log(fmt(head));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const b of body) console.log(fmt(b));
    console.log('');
    console.log(
      `import validation (zod, schemaVersion 1) of the ${kb(Buffer.byteLength(file))} export file: ${ms(median(validate))}`,
    );
  } finally {
    await pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
