// `npm run demo`: the local stack (etcd ×3 behind weighted HAProxy, or NGINX with --balancer
// nginx; Prometheus, load) plus Fulcrum itself (`next start`) pointed at it. Ctrl-C stops every
// process this started; the run directory with all logs stays in .run/demo-<timestamp>.
//
// Options: the stack's (--weights 30,20,10 --rate 200 --no-load --no-prometheus --dir DIR
// --quota 64MiB|off --balancer haproxy|nginx --nginx-mode stream|grpc) plus --build (run
// `next build` first even if a build exists). PORT (default 3000) picks Fulcrum's port.
//
// Faults: a control endpoint (dev/control.ts) on a free 127.0.0.1 port, written to
// <run dir>/control.json and given to Fulcrum as FULCRUM_DEMO_CONTROL_URL;
// `npm run fault -- <name> [--member N] [--undo]` talks to it. Ctrl-C undoes active faults
// (best effort, a few seconds at most) before stopping.

import fs from 'node:fs';
import path from 'node:path';
import type { ControlServer } from './control';
import { describeControl, describeStack, parseStackArgs, runDir, startDevStack, undoActiveFaults } from './lib/cli';
import { REPO_ROOT } from './lib/load';
import {
  isRunning,
  onShutdown,
  portAccepts,
  spawnManaged,
  stopAll,
  stopProcess,
  tailFile,
  waitFor,
  type ManagedProcess,
} from './lib/procs';
import type { Stack } from './stack';

const NEXT_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'next');

function demoArgs(argv: string[]) {
  const build = argv.includes('--build');
  return { build, ...parseStackArgs(argv.filter((a) => a !== '--build')) };
}

function fulcrumPort(): number {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`PORT must be a TCP port, got ${process.env.PORT}`);
  return port;
}

async function buildIfNeeded(force: boolean, dir: string): Promise<void> {
  if (!force && fs.existsSync(path.join(REPO_ROOT, '.next', 'BUILD_ID'))) return;
  const logFile = path.join(dir, 'next-build.log');
  console.log(`building Fulcrum (next build; log: ${logFile}) …`);
  const proc = spawnManaged('next build', NEXT_BIN, ['build'], {
    cwd: REPO_ROOT,
    logFile,
    env: { NEXT_TELEMETRY_DISABLED: '1' },
  });
  const exit = await proc.exited;
  if (exit.code !== 0)
    throw new Error(
      `next build failed (${exit.signal ?? `exit code ${exit.code}`}); see ${logFile}\n${tailFile(logFile, 15)}`,
    );
}

/**
 * 'health' once /api/health answers 2xx; 'port' if the server answers but has no /api/health
 * yet (404); false while nothing listens. Other statuses throw (quoted if the wait times out).
 */
async function fulcrumUp(url: string): Promise<'health' | 'port' | false> {
  let res: Response;
  try {
    res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
  } catch {
    return false;
  }
  if (res.ok) return 'health';
  if (res.status === 404) return 'port';
  throw new Error(`/api/health answered ${res.status}`);
}

function startFulcrum(
  stack: Stack,
  control: ControlServer,
  port: number,
  dir: string,
): { proc: ManagedProcess; url: string; logFile: string } {
  const logFile = path.join(dir, 'fulcrum.log');
  const proc = spawnManaged('fulcrum', NEXT_BIN, ['start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: REPO_ROOT,
    logFile,
    env: {
      FULCRUM_CONFIG: stack.configFile,
      FULCRUM_DEMO: '1',
      FULCRUM_DEMO_CONTROL_URL: control.url,
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: String(port),
    },
  });
  return { proc, url: `http://127.0.0.1:${port}`, logFile };
}

function banner(url: string, how: string, stack: Stack, control: ControlServer, fulcrumLog: string): string {
  const rule = '─'.repeat(72);
  return [
    '',
    rule,
    `  Fulcrum is up: ${url}${how === 'port' ? '   (no /api/health yet; the port answers)' : ''}`,
    rule,
    describeStack(stack),
    `    ${'fulcrum'.padEnd(10)} ${fulcrumLog}`,
    describeControl(control.url, control.file, stack.balancer),
    '',
    '  Ctrl-C stops everything this started; logs stay in the run dir.',
    rule,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const args = demoArgs(process.argv.slice(2));
  const port = fulcrumPort();
  if (await portAccepts(port))
    throw new Error(`port ${port} on 127.0.0.1 is already in use; pick another with PORT=<port> npm run demo`);
  const dir = path.resolve(args.dir ?? runDir('demo'));
  fs.mkdirSync(dir, { recursive: true });

  let stack: Stack | null = null;
  let fulcrum: ManagedProcess | null = null;
  let control: ControlServer | null = null;
  let stopping = false;
  const stopEverything = async () => {
    stopping = true;
    await undoActiveFaults(control);
    await control?.stop();
    if (fulcrum) await stopProcess(fulcrum);
    await stack?.stop();
    console.log(`stopped. Logs are in ${dir}`);
  };
  onShutdown(async () => {
    console.log('\nstopping Fulcrum and the local stack …');
    await stopEverything();
  });

  await buildIfNeeded(args.build, dir);
  ({ stack, control } = await startDevStack(args, dir));

  const f = startFulcrum(stack, control, port, dir);
  fulcrum = f.proc;
  console.log(`starting Fulcrum on ${f.url} (log: ${f.logFile}) …`);
  const how = await waitFor(() => fulcrumUp(f.url), {
    what: `Fulcrum on ${f.url}; see ${f.logFile}`,
    timeoutMs: 90_000,
    intervalMs: 500,
    abortIf: () => (isRunning(f.proc) ? null : `Fulcrum exited; see ${f.logFile}\n${tailFile(f.logFile, 15)}`),
  });
  console.log(banner(f.url, how, stack, control, f.logFile));

  void f.proc.exited.then(async (exit) => {
    if (stopping) return;
    console.error(
      `\nFulcrum exited unexpectedly (${exit.signal ?? `exit code ${exit.code}`}); see ${f.logFile}\n${tailFile(f.logFile, 15)}`,
    );
    await stopEverything();
    process.exit(1);
  });
}

main().catch(async (err) => {
  console.error(`\ndemo failed: ${(err as Error).message}`);
  await stopAll();
  process.exit(1);
});
