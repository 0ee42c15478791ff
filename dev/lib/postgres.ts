// A throwaway PostgreSQL server for tests and benchmarks: Debian's binaries
// (/usr/lib/postgresql/<version>/bin), a fresh cluster in a temp dir, a free 127.0.0.1 port,
// trust auth for one user. PostgreSQL refuses to run as root: as root, initdb and postgres run
// as the `postgres` system user (created by Debian's package; scripts/ensure-system.sh creates
// it when missing), or `nobody` as a last resort.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort, isRunning, spawnManaged, stopProcess, tailFile, waitFor, type ManagedProcess } from './procs';

export interface PostgresServer {
  url: string;
  port: number;
  dir: string;
  logFile: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** bin dir of the newest installed PostgreSQL (FULCRUM_PG_BIN overrides), or null. */
export function findPostgresBin(): string | null {
  const env = process.env.FULCRUM_PG_BIN;
  if (env) return fs.existsSync(path.join(env, 'postgres')) ? env : null;
  const root = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres')));
  } catch {
    return null;
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : null;
}

function userIds(user: string): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

/** The unprivileged user to run as when we are root (null: run as ourselves). */
function runAs(): { user: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const user of ['postgres', 'nobody']) {
    const ids = userIds(user);
    if (ids) return { user, ...ids };
  }
  throw new Error(
    'running as root and there is no unprivileged user (postgres or nobody) to run PostgreSQL as: run scripts/ensure-system.sh',
  );
}

function chownTree(p: string, uid: number, gid: number): void {
  fs.chownSync(p, uid, gid);
  if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), uid, gid);
}

export async function startPostgres(opts: { dir: string; user?: string; fsync?: boolean }): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin)
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): run scripts/ensure-system.sh (apt-get install postgresql)',
    );
  const dir = path.resolve(opts.dir);
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  const dbUser = opts.user ?? 'fulcrum';
  fs.mkdirSync(dir, { recursive: true });
  const as = runAs();
  if (as) {
    // The server user must reach the dir: its parents need search permission.
    chownTree(dir, as.uid, as.gid);
    for (let p = path.dirname(dir); p !== path.dirname(p); p = path.dirname(p)) {
      const mode = fs.statSync(p).mode;
      if ((mode & 0o001) === 0)
        throw new Error(`${p} is not searchable by ${as.user}: put the PostgreSQL dir elsewhere`);
    }
  }
  const wrap = (cmd: string, args: string[]): [string, string[]] =>
    as ? ['runuser', ['-u', as.user, '--', cmd, ...args]] : [cmd, args];

  const [c1, a1] = wrap(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    dbUser,
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
    '--locale=C',
  ]);
  try {
    execFileSync(c1, a1, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`initdb failed: ${err.stderr?.toString().trim() || err.message}`);
  }
  const port = await freePort();
  const [c2, a2] = wrap(path.join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `fsync=${opts.fsync === false ? 'off' : 'on'}`,
    '-c',
    'max_connections=50',
  ]);
  const proc = spawnManaged(`postgres:${port}`, c2, a2, { cwd: dir, logFile });
  const url = `postgres://${dbUser}@127.0.0.1:${port}/postgres`;
  try {
    await waitFor(
      async () => {
        const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
        try {
          await c.connect();
          await c.query('SELECT 1');
          return true;
        } finally {
          await c.end().catch(() => undefined);
        }
      },
      {
        timeoutMs: 30_000,
        intervalMs: 200,
        what: `PostgreSQL on 127.0.0.1:${port}`,
        abortIf: () =>
          isRunning(proc) ? null : `postgres exited (${JSON.stringify(proc.exit)}); log:\n${tailFile(logFile)}`,
      },
    );
  } catch (e) {
    await stopProcess(proc, 2000);
    throw e;
  }
  return {
    url,
    port,
    dir,
    logFile,
    process: proc,
    async stop() {
      // SIGTERM is a "smart" shutdown (waits for clients); SIGINT a fast one.
      try {
        process.kill(-proc.pid, 'SIGINT');
      } catch {
        // gone
      }
      await stopProcess(proc, 10_000);
    },
  };
}

/** A fresh database on the server (for test isolation); its URL. */
export async function createDatabase(server: PostgresServer, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  return server.url.replace(/\/postgres$/, `/${name}`);
}
