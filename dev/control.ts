// A tiny HTTP control endpoint for a running stack (demo, stack-cli): inject and undo faults.
//
//   GET    /faults                   → 200 { active: [run…], names: [...] }
//   POST   /faults/<name>?member=<i> → 201 run   (member: 0-based index or a name like etcd-3)
//                                      409 if that fault is active already, 400 bad input, 500 failed
//   DELETE /faults/<name>            → 200 run (undone), 404 if not active, 500 if the undo failed
//
// Listens on 127.0.0.1 (free port); { url, pid, dir } goes to <dir>/control.json, which
// dev/fault-cli.ts reads. Requests are handled one at a time (faults may reload HAProxy).

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  FAULT_NAMES,
  FaultConflictError,
  FaultUsageError,
  injectFault,
  isFaultName,
  type FaultName,
  type FaultRun,
} from './faults';
import type { Stack } from './stack';

export const CONTROL_FILE = 'control.json';

export interface ControlServer {
  url: string;
  /** <dir>/control.json */
  file: string;
  active(): FaultRun[];
  /** Undo every active fault, newest first, best effort; gives up waiting after timeoutMs. */
  undoAll(timeoutMs?: number): Promise<string[]>;
  /** Closes the server and removes control.json (active faults stay; call undoAll first). */
  stop(): Promise<void>;
}

export interface ControlFile {
  url: string;
  pid: number;
  dir: string;
  startedAt: string;
}

export function runJson(run: FaultRun) {
  return {
    name: run.name,
    member: run.member,
    injectedAt: run.injectedAt,
    injectedAtIso: new Date(run.injectedAt).toISOString(),
    details: run.details,
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startControlServer(
  stack: Stack,
  opts: { dir?: string; log?: (line: string) => void } = {},
): Promise<ControlServer> {
  const dir = path.resolve(opts.dir ?? stack.dir);
  const log = opts.log ?? (() => {});
  const runs = new Map<FaultName, FaultRun>();
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => {});
    return p;
  };

  const memberIndex = (raw: string | null): number | undefined => {
    if (raw === null || raw === '') return undefined;
    const byName = stack.cluster.members.findIndex((m) => m.name === raw);
    if (byName >= 0) return byName;
    const i = Number(raw);
    if (!Number.isInteger(i) || i < 0 || i >= stack.cluster.members.length) {
      throw new HttpError(
        400,
        `member: a 0-based index below ${stack.cluster.members.length} or a member name (${stack.cluster.members.map((m) => m.name).join(', ')}), got ${raw}`,
      );
    }
    return i;
  };

  const handle = async (req: http.IncomingMessage): Promise<{ status: number; body: unknown }> => {
    const url = new URL(req.url ?? '/', 'http://control');
    if (url.pathname === '/faults' || url.pathname === '/faults/') {
      if (req.method !== 'GET') throw new HttpError(405, `${req.method} /faults: only GET`);
      return { status: 200, body: { active: [...runs.values()].map(runJson), names: FAULT_NAMES } };
    }
    const m = /^\/faults\/([a-z-]+)\/?$/.exec(url.pathname);
    if (!m) throw new HttpError(404, `no route ${url.pathname}; try GET /faults`);
    const name = m[1];
    if (!isFaultName(name)) throw new HttpError(404, `unknown fault ${name}; one of ${FAULT_NAMES.join(', ')}`);
    if (req.method === 'POST') {
      const member = memberIndex(url.searchParams.get('member'));
      return serialized(async () => {
        if (runs.has(name))
          throw new HttpError(
            409,
            `${name} is active already (since ${new Date(runs.get(name)!.injectedAt).toISOString()}); DELETE /faults/${name} first`,
          );
        log(`fault ${name}${member !== undefined ? ` member=${member}` : ''}: injecting …`);
        const run = await injectFault(stack, name, { member });
        runs.set(name, run);
        log(`fault ${name}: injected ${JSON.stringify(runJson(run))}`);
        return { status: 201, body: runJson(run) };
      });
    }
    if (req.method === 'DELETE') {
      return serialized(async () => {
        const run = runs.get(name);
        if (!run) throw new HttpError(404, `${name} is not active`);
        log(`fault ${name}: undoing …`);
        await run.undo();
        runs.delete(name);
        log(`fault ${name}: undone`);
        return { status: 200, body: runJson(run) };
      });
    }
    throw new HttpError(405, `${req.method} ${url.pathname}: POST or DELETE`);
  };

  const server = http.createServer((req, res) => {
    req.resume();
    handle(req)
      .catch((err: Error) => ({
        status:
          err instanceof HttpError
            ? err.status
            : err instanceof FaultConflictError
              ? 409
              : err instanceof FaultUsageError
                ? 400
                : 500,
        body: { error: err.message },
      }))
      .then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify(body, null, 2)}\n`);
      });
  });
  // A fault (quota, pin-load) can take tens of seconds to inject.
  server.requestTimeout = 0;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const file = path.join(dir, CONTROL_FILE);
  const content: ControlFile = { url, pid: process.pid, dir, startedAt: new Date().toISOString() };
  fs.writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);

  return {
    url,
    file,
    active: () => [...runs.values()],
    async undoAll(timeoutMs = 8_000) {
      const undone: string[] = [];
      let timedOut = false;
      const work = serialized(async () => {
        for (const run of [...runs.values()].reverse()) {
          if (timedOut) break;
          const t0 = Date.now();
          try {
            await run.undo();
            runs.delete(run.name);
            undone.push(run.name);
            log(`fault ${run.name}: undone (${Date.now() - t0} ms)`);
          } catch (err) {
            log(`fault ${run.name}: undo failed: ${(err as Error).message}`);
          }
        }
      });
      await Promise.race([work, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      timedOut = true;
      const left = [...runs.keys()];
      if (left.length > 0) log(`faults not undone within ${timeoutMs / 1000} s: ${left.join(', ')}`);
      return undone;
    },
    async stop() {
      fs.rmSync(file, { force: true });
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
