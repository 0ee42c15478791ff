// The snapshot store contract, run against SQLite (temp dir) and a real PostgreSQL server
// (Debian's binaries, started here on a free port in a temp dir): the same tests, the same
// interface. Plus the crash test: writers creating snapshots concurrently are kill -9'd
// mid-way; afterwards every listed snapshot opens and validates, and every acknowledged one is
// there.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, startPostgres, type PostgresServer } from '../../dev/lib/postgres';
import { synthSnapshot } from '../../dev/lib/snapshot-synth';
import { decodeBody } from '../../lib/store/codec';
import { LATEST_SCHEMA } from '../../lib/store/migrations';
import { PostgresStore } from '../../lib/store/postgres';
import { SnapshotRecordSchema } from '../../lib/store/snapshotFormat';
import { SQLITE_FILE, SqliteStore } from '../../lib/store/sqlite';
import type { SnapshotRow, SnapshotStore } from '../../lib/store/types';
import { deleteSnapshot, loadSnapshot, storeRecord } from '../../lib/snapshots/service';
import { hashDeleteKey } from '../../lib/snapshots/ids';

interface Backend {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty location (dir or database). */
  fresh(): Promise<string>;
  open(target: string): Promise<SnapshotStore>;
  /** Rows in the metadata and body tables, read with a separate raw connection. */
  rawCounts(target: string): Promise<{ meta: number; bodies: number }>;
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-store-'));
fs.chmodSync(root, 0o755);
let pgServer: PostgresServer | null = null;
let dbSeq = 0;

const sqlite: Backend = {
  name: 'sqlite',
  async fresh() {
    return fs.mkdtempSync(path.join(root, 'sqlite-'));
  },
  async open(dir) {
    return new SqliteStore(dir);
  },
  async rawCounts(dir) {
    const db = new Database(path.join(dir, SQLITE_FILE), { readonly: true });
    try {
      const meta = (db.prepare('SELECT COUNT(*) AS n FROM fulcrum_snapshots').get() as { n: number }).n;
      const bodies = (db.prepare('SELECT COUNT(*) AS n FROM fulcrum_snapshot_bodies').get() as { n: number }).n;
      return { meta, bodies };
    } finally {
      db.close();
    }
  },
};

const postgres: Backend = {
  name: 'postgres',
  async fresh() {
    if (!pgServer) throw new Error('PostgreSQL did not start');
    return createDatabase(pgServer, `fulcrum_test_${++dbSeq}`);
  },
  async open(url) {
    return PostgresStore.open(url);
  },
  async rawCounts(url) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const meta = Number((await c.query('SELECT COUNT(*) AS n FROM fulcrum_snapshots')).rows[0].n);
      const bodies = Number((await c.query('SELECT COUNT(*) AS n FROM fulcrum_snapshot_bodies')).rows[0].n);
      return { meta, bodies };
    } finally {
      await c.end();
    }
  },
};

beforeAll(async () => {
  pgServer = await startPostgres({ dir: path.join(root, 'pg') });
}, 120_000);

afterAll(async () => {
  await pgServer?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

function row(over: Partial<SnapshotRow> = {}): SnapshotRow {
  const body = Buffer.from(`body-${Math.random()}`);
  return {
    id: `id${Math.random().toString(36).slice(2).padEnd(20, 'x')}`.slice(0, 22),
    cluster: 'prod',
    title: 'a title',
    createdAt: 1_000,
    createdBy: null,
    windowFrom: 0,
    windowTo: 900_000,
    expiresAt: null,
    schemaVersion: 1,
    sizeBytes: 123,
    storedBytes: body.length,
    deleteKeyHash: hashDeleteKey('key'),
    body,
    bodySha256: '0'.repeat(64),
    ...over,
  };
}

function contract(b: Backend) {
  describe(`${b.name} store`, () => {
    let target: string;
    let store: SnapshotStore;

    beforeAll(async () => {
      target = await b.fresh();
      store = await b.open(target);
    });
    afterAll(async () => {
      await store?.close();
    });

    it('creates its schema on first use, and opening again is a no-op', async () => {
      expect(await store.schemaVersion()).toBe(LATEST_SCHEMA);
      const again = await b.open(target);
      expect(await again.schemaVersion()).toBe(LATEST_SCHEMA);
      await again.close();
    });

    it('round-trips a row: metadata and body bytes', async () => {
      const r = row({ createdBy: 'alice', expiresAt: 5_000_000 });
      await store.insert(r);
      const got = await store.get(r.id, 2_000);
      expect(got).not.toBeNull();
      expect(got!.body.equals(r.body)).toBe(true);
      const { body: _b, ...meta } = got!;
      const { body: _b2, ...want } = r;
      void _b;
      void _b2;
      expect(meta).toEqual(want);
      expect(await store.get('no-such-id-xxxxxxxxxxx', 2_000)).toBeNull();
    });

    it('lists newest first, filters by cluster, limits, and never shows bodies', async () => {
      const t = await b.fresh();
      const s = await b.open(t);
      try {
        await s.insert(row({ id: 'a'.repeat(22), createdAt: 10, cluster: 'x' }));
        await s.insert(row({ id: 'b'.repeat(22), createdAt: 30, cluster: 'y' }));
        await s.insert(row({ id: 'c'.repeat(22), createdAt: 20, cluster: 'x' }));
        expect((await s.list(0)).map((m) => m.id)).toEqual(['b'.repeat(22), 'c'.repeat(22), 'a'.repeat(22)]);
        expect((await s.list(0, { cluster: 'x' })).map((m) => m.id)).toEqual(['c'.repeat(22), 'a'.repeat(22)]);
        expect(await s.list(0, { limit: 1 })).toHaveLength(1);
        expect(Object.keys((await s.list(0))[0])).not.toContain('body');
        expect(Object.keys((await s.list(0))[0])).not.toContain('deleteKeyHash');
      } finally {
        await s.close();
      }
    });

    it('expired rows are gone: not listed, not returned, and removed', async () => {
      const t = await b.fresh();
      const s = await b.open(t);
      try {
        await s.insert(row({ id: 'e'.repeat(22), expiresAt: 1_000 }));
        await s.insert(row({ id: 'f'.repeat(22), expiresAt: 9_000 }));
        await s.insert(row({ id: 'g'.repeat(22), expiresAt: null }));
        expect((await s.list(5_000)).map((m) => m.id).sort()).toEqual(['f'.repeat(22), 'g'.repeat(22)]);
        expect(await s.get('e'.repeat(22), 5_000)).toBeNull();
        expect(await s.deleteKeyHash('e'.repeat(22), 5_000)).toBeNull();
        expect((await b.rawCounts(t)).meta).toBe(2);
        expect(await s.purgeExpired(10_000)).toBe(1);
        expect(await b.rawCounts(t)).toEqual({ meta: 1, bodies: 1 });
      } finally {
        await s.close();
      }
    });

    it('delete removes metadata and body, once', async () => {
      const r = row();
      await store.insert(r);
      expect(await store.delete(r.id)).toBe(true);
      expect(await store.delete(r.id)).toBe(false);
      expect(await store.get(r.id, 0)).toBeNull();
    });

    it('a failed write leaves nothing behind (metadata and body are one transaction)', async () => {
      const t = await b.fresh();
      const s = await b.open(t);
      try {
        // The body insert fails (NOT NULL) after the metadata insert succeeded.
        await expect(s.insert(row({ body: null as unknown as Buffer }))).rejects.toThrow();
        expect(await b.rawCounts(t)).toEqual({ meta: 0, bodies: 0 });
        const r = row();
        await s.insert(r);
        await expect(s.insert(row({ id: r.id }))).rejects.toThrow();
        expect(await b.rawCounts(t)).toEqual({ meta: 1, bodies: 1 });
        expect((await s.get(r.id, 0))!.body.equals(r.body)).toBe(true);
      } finally {
        await s.close();
      }
    });

    it('stores a real record compressed and opens it; delete keys are checked', async () => {
      const rec = synthSnapshot({ seconds: 900 });
      const stored = await storeRecord(store, rec, 50_000_000);
      expect(stored.storedBytes).toBeLessThan(stored.sizeBytes / 3);
      const back = await loadSnapshot(store, rec.id, Date.now());
      expect(back).toEqual(rec);
      expect(SnapshotRecordSchema.safeParse(back).success).toBe(true);
      expect(await deleteSnapshot(store, rec.id, 'wrong', false, Date.now())).toBe('forbidden');
      expect(await deleteSnapshot(store, rec.id, null, false, Date.now())).toBe('forbidden');
      expect(await loadSnapshot(store, rec.id, Date.now())).not.toBeNull();
      expect(await deleteSnapshot(store, rec.id, stored.deleteKey, false, Date.now())).toBe('deleted');
      expect(await loadSnapshot(store, rec.id, Date.now())).toBeNull();
      expect(await deleteSnapshot(store, rec.id, stored.deleteKey, false, Date.now())).toBe('not-found');
    });

    it('concurrent creations all land, each whole', async () => {
      const t = await b.fresh();
      const s = await b.open(t);
      try {
        const recs = Array.from({ length: 12 }, (_, i) => synthSnapshot({ seconds: 120, seed: i + 1 }));
        await Promise.all(recs.map((r) => storeRecord(s, r, 50_000_000)));
        expect(await b.rawCounts(t)).toEqual({ meta: 12, bodies: 12 });
        for (const r of recs) expect((await loadSnapshot(s, r.id, Date.now()))?.state.frames.length).toBe(120);
      } finally {
        await s.close();
      }
    });

    it('a damaged body is detected by its checksum, not rendered', async () => {
      const rec = synthSnapshot({ seconds: 60 });
      await storeRecord(store, rec, 50_000_000);
      const r = (await store.get(rec.id, 0))!;
      const bad = Buffer.from(r.body);
      bad[bad.length - 5] ^= 0xff;
      await expect(decodeBody(rec.id, bad, r.bodySha256)).rejects.toThrow(/damaged/);
    });

    it('kill -9 during concurrent creation leaves only whole snapshots, and every acknowledged one', async () => {
      const t = await b.fresh();
      // Create the schema first, so the writers race on data, not on migrations.
      await (await b.open(t)).close();
      const acked = new Set<string>();
      let writing = 0;
      const writers = [1, 2].map((seed) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', path.resolve('test/integration/crash-writer.ts'), b.name, t, '3', String(seed)],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
          },
        );
        let buf = '';
        let err = '';
        child.stdout!.on('data', (d: Buffer) => {
          buf += d.toString();
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.startsWith('created ')) acked.add(line.slice(8));
            if (line.startsWith('writing ')) writing++;
          }
        });
        child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        return { child, err: () => err, exited: new Promise((r) => child.once('exit', r)) };
      });
      try {
        const deadline = Date.now() + 120_000;
        while (acked.size < 16) {
          for (const w of writers) if (w.child.exitCode !== null) throw new Error(`writer exited early: ${w.err()}`);
          if (Date.now() > deadline) throw new Error(`writers acknowledged only ${acked.size} snapshots in 120 s`);
          await new Promise((r) => setTimeout(r, 50));
        }
        // Then kill at the start of the next write: in the middle of its transaction.
        const started = writing;
        while (writing === started) await new Promise((r) => setImmediate(r));
      } finally {
        for (const w of writers) {
          try {
            process.kill(-w.child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await Promise.all(writers.map((w) => w.exited));
      }
      for (const w of writers) expect(w.child.signalCode).toBe('SIGKILL');
      const seen = new Set(acked);

      const s = await b.open(t);
      try {
        const counts = await b.rawCounts(t);
        expect(counts.meta).toBe(counts.bodies);
        const listed = await s.list(Date.now(), { limit: 10_000 });
        expect(listed.length).toBe(counts.meta);
        expect(listed.length).toBeGreaterThanOrEqual(seen.size);
        const ids = new Set(listed.map((m) => m.id));
        for (const id of seen) expect(ids.has(id), `acknowledged ${id} is listed`).toBe(true);
        for (const m of listed) {
          const rec = await loadSnapshot(s, m.id, Date.now());
          expect(rec, `listed ${m.id} opens`).not.toBeNull();
          const parsed = SnapshotRecordSchema.safeParse(rec);
          expect(parsed.success ? 'ok' : parsed.error.issues.slice(0, 3), `listed ${m.id} validates`).toBe('ok');
          expect(rec!.id).toBe(m.id);
        }
        // The store still takes writes after the crash.
        const after = synthSnapshot({ seconds: 60, seed: 999 });
        await storeRecord(s, after, 50_000_000);
        expect(await loadSnapshot(s, after.id, Date.now())).not.toBeNull();
      } finally {
        await s.close();
      }
    });
  });
}

contract(sqlite);
contract(postgres);
