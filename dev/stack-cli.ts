// `npx tsx dev/stack-cli.ts [--dir DIR] [--weights 30,20,10] [--rate 200] [--no-load] [--no-prometheus] [--quota 64MiB|off] [--balancer haproxy|nginx] [--nginx-mode stream|grpc]`
//
// Starts only the local stack (no Fulcrum) and prints the config path, e.g. to run
// `FULCRUM_CONFIG=<path> npx next dev` against it, plus the fault control endpoint
// (dev/control.ts; `npm run fault -- <name> --dir <run dir>`). Ctrl-C undoes active faults
// (best effort), then stops everything; logs stay.

import path from 'node:path';
import type { ControlServer } from './control';
import { describeControl, describeStack, parseStackArgs, runDir, startDevStack, undoActiveFaults } from './lib/cli';
import { onShutdown } from './lib/procs';
import type { Stack } from './stack';

async function main(): Promise<void> {
  const args = parseStackArgs(process.argv.slice(2));
  const dir = path.resolve(args.dir ?? runDir('stack'));
  let stack: Stack | null = null;
  let control: ControlServer | null = null;
  onShutdown(async () => {
    await undoActiveFaults(control);
    await control?.stop();
    console.log('\nstopping the stack…');
    await stack?.stop();
    console.log(`stopped. Logs kept in ${dir}`);
  });
  ({ stack, control } = await startDevStack(args, dir));
  console.log(
    `\nstack is up:\n${describeStack(stack)}\n${describeControl(control.url, control.file, stack.balancer)}\n`,
  );
  console.log(
    `Run Fulcrum against it:\n  FULCRUM_CONFIG=${stack.configFile} FULCRUM_DEMO_CONTROL_URL=${control.url} npx next dev -H 127.0.0.1\n`,
  );
  console.log('Ctrl-C stops everything (logs stay).');
}

main().catch((err) => {
  console.error(`stack failed to start: ${(err as Error).message}`);
  process.exit(1);
});
