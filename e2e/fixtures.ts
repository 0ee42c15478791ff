// A real local stack and a production Fulcrum server per test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { freePort } from '../dev/lib/procs';
import { startStack, type Stack } from '../dev/stack';

export interface FulcrumServer {
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * `next start` on a free port (or `port`: a restart on the same address) with the given config;
 * resolves when /api/health answers.
 */
export async function startFulcrum(
  configFile: string,
  dir: string,
  env: Record<string, string> = {},
  port?: number,
): Promise<FulcrumServer> {
  port ??= await freePort();
  const logFile = path.join(dir, `fulcrum-${port}.log`);
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    path.resolve('node_modules/.bin/next'),
    ['start', '-p', String(port), '-H', '127.0.0.1'],
    {
      env: { ...process.env, FULCRUM_CONFIG: configFile, NEXT_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', out, out],
      detached: true,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`fulcrum exited with ${child.exitCode}; see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`fulcrum did not answer within 60 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    logFile,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      const gone = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await gone;
      clearTimeout(t);
    },
  };
}

export const test = base.extend<object, { stack: Stack; fulcrum: FulcrumServer; workDir: string }>({
  workDir: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies as a destructured object
    async ({}, use) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-e2e-'));
      await use(dir);
      rmSync(dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  stack: [
    async ({ workDir }, use) => {
      const stack = await startStack({ dir: path.join(workDir, 'stack') });
      await use(stack);
      await stack.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  fulcrum: [
    async ({ stack, workDir }, use) => {
      const f = await startFulcrum(stack.configFile, workDir);
      await use(f);
      await f.stop();
    },
    { scope: 'worker', timeout: 90_000 },
  ],
});

export { expect } from '@playwright/test';
