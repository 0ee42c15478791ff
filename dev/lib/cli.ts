// Helpers shared by the command-line entry points (dev/stack-cli.ts, dev/demo.ts).

import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './load';
import { startControlServer, type ControlServer } from '../control';
import { faultNamesFor } from '../faults';
import { startStack, type Stack } from '../stack';
import { loopUnavailable } from './loopdev';

/** A fresh run directory: <repo>/.run/<kind>-<YYYYMMDD-HHMMSS> (gitignored). */
export function runDir(kind: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return path.join(REPO_ROOT, '.run', `${kind}-${stamp}`);
}

export function parseStackArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: 'string' },
      weights: { type: 'string', default: '30,20,10' },
      rate: { type: 'string', default: '200' },
      'no-load': { type: 'boolean', default: false },
      'no-prometheus': { type: 'boolean', default: false },
      quota: { type: 'string', default: DEFAULT_QUOTA },
      balancer: { type: 'string', default: 'haproxy' },
      'nginx-mode': { type: 'string', default: 'stream' },
    },
  });
  if (values.balancer !== 'haproxy' && values.balancer !== 'nginx')
    throw new Error(`--balancer: haproxy or nginx, got ${values.balancer}`);
  if (values['nginx-mode'] !== 'stream' && values['nginx-mode'] !== 'grpc')
    throw new Error(`--nginx-mode: stream (L4) or grpc (L7 grpc_pass), got ${values['nginx-mode']}`);
  const weights = values.weights.split(',').map((w) => Number(w.trim()));
  if (weights.some((w) => !Number.isInteger(w) || w < 0 || w > 256))
    throw new Error(`--weights: integers 0..256 separated by commas, got ${values.weights}`);
  const rate = Number(values.rate);
  if (!(rate > 0)) throw new Error(`--rate: a positive number, got ${values.rate}`);
  const quotaBytes = parseSize(values.quota);
  const last = weights.length - 1;
  return {
    dir: values.dir,
    balancer: values.balancer as 'haproxy' | 'nginx',
    nginxMode: values['nginx-mode'] as 'stream' | 'grpc',
    weights,
    rate,
    load: !values['no-load'],
    prometheus: !values['no-prometheus'],
    /** Small backend quota on the last member (the `quota` fault needs one); {} with --quota off. */
    quotaBackendBytes: quotaBytes === null ? {} : { [last]: quotaBytes },
    /**
     * With a small quota, the background load's history alone (no compaction) would reach it
     * within the hour; auto-compaction keeps the db size flat (freed pages are reused), so only
     * the injected fault raises NOSPACE.
     */
    memberFlags:
      quotaBytes === null
        ? undefined
        : () => ['--auto-compaction-mode', 'periodic', '--auto-compaction-retention', '5m'],
  };
}

/** Default --quota of the CLIs: --quota-backend-bytes on the last member (etcd-3). */
export const DEFAULT_QUOTA = '64MiB';

/** "64MiB", "64M", "1GiB", "123456" → bytes; "off"/"0" → null. */
export function parseSize(raw: string): number | null {
  const s = raw.trim();
  if (/^(off|none|0)$/i.test(s)) return null;
  const m = /^(\d+)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(s);
  if (!m) throw new Error(`--quota: a size like 64MiB, 1GiB or 33554432 (bytes), or off; got ${raw}`);
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  const bytes = Number(m[1]) * ({ b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[unit];
  if (!Number.isSafeInteger(bytes)) throw new Error(`--quota: too large: ${raw}`);
  return bytes;
}

export function describeStack(stack: Stack): string {
  const lines = [
    `  run dir     ${stack.dir}`,
    `  config      ${stack.configFile}`,
    `  etcd        ${stack.cluster.members.map((m) => `${m.name}=${m.clientUrl}`).join('  ')}`,
    stack.nginx
      ? `  nginx       ${stack.nginx.url}   ${stack.nginx.mode}   config ${stack.nginx.configFile} (upstream in ${stack.nginx.upstreamFile})`
      : `  haproxy     ${stack.haproxy.url}   stats ${stack.haproxy.statsUrl}   runtime ${stack.haproxy.runtimeSocket}`,
  ];
  const quotas = Object.entries(stack.quotaBackendBytes);
  if (quotas.length > 0) {
    lines.push(
      `  quota       ${quotas.map(([i, b]) => `${stack.cluster.members[Number(i)].name} ${(b / 1024 ** 2).toFixed(0)} MiB`).join(', ')} (--quota-backend-bytes)`,
    );
  }
  if (stack.prometheus) lines.push(`  prometheus  ${stack.prometheus.url}`);
  lines.push('  logs');
  for (const [name, file] of Object.entries(stack.logs.members)) lines.push(`    ${name.padEnd(10)} ${file}`);
  lines.push(`    ${stack.balancer.padEnd(10)} ${stack.logs.balancer}`);
  if (stack.nginx) lines.push(`    ${'nginx err'.padEnd(10)} ${stack.nginx.errorLog}`);
  if (stack.logs.prometheus) lines.push(`    ${'prometheus'.padEnd(10)} ${stack.logs.prometheus}`);
  if (stack.logs.load) lines.push(`    ${'load'.padEnd(10)} ${stack.logs.load}`);
  return lines.join('\n');
}

/** Banner lines for the fault control endpoint (dev/control.ts). */
export function describeControl(url: string, file: string, balancer: Stack['balancer']): string {
  return [
    `  faults      ${url}   (${file})`,
    '              npm run fault -- <name> [--member N] [--undo]   npm run fault   (lists active ones)',
    `              names: ${faultNamesFor(balancer).join(' ')}`,
  ].join('\n');
}

/** The stack and its fault control endpoint, as both CLIs start them. */
export async function startDevStack(
  args: ReturnType<typeof parseStackArgs>,
  dir: string,
): Promise<{ stack: Stack; control: ControlServer }> {
  console.log(`starting the local stack in ${dir} …`);
  const stack = await startStack({
    dir,
    weights: args.weights,
    balancer: args.balancer,
    nginxMode: args.nginxMode,
    loadRate: args.rate,
    load: args.load,
    prometheus: args.prometheus,
    quotaBackendBytes: args.quotaBackendBytes,
    memberFlags: args.memberFlags,
    // etcd-1's WAL on a loop device of its own, for the slow-wal fault (when root can make one).
    walOnLoopDevice: loopUnavailable() === null ? 0 : undefined,
    log: (l) => console.log(`  ${l}`),
  });
  const control = await startControlServer(stack, { log: (l) => console.log(`  ${l}`) });
  return { stack, control };
}

/** Undoes active faults before a stop (best effort, bounded); says what is left. */
export async function undoActiveFaults(control: ControlServer | null): Promise<void> {
  if (!control || control.active().length === 0) return;
  console.log(
    `undoing faults: ${control
      .active()
      .map((r) => r.name)
      .join(', ')} …`,
  );
  const undone = await control.undoAll(6_000);
  const left = control.active().map((r) => r.name);
  if (left.length > 0) console.log(`  undone: ${undone.join(', ') || 'none'}; left as they are: ${left.join(', ')}`);
}
