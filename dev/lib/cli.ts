// Helpers shared by the command-line entry points (dev/stack-cli.ts, dev/demo.ts).

import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './load';
import type { Stack } from '../stack';

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
    },
  });
  const weights = values.weights.split(',').map((w) => Number(w.trim()));
  if (weights.some((w) => !Number.isInteger(w) || w < 0 || w > 256)) throw new Error(`--weights: integers 0..256 separated by commas, got ${values.weights}`);
  const rate = Number(values.rate);
  if (!(rate > 0)) throw new Error(`--rate: a positive number, got ${values.rate}`);
  return { dir: values.dir, weights, rate, load: !values['no-load'], prometheus: !values['no-prometheus'] };
}

export function describeStack(stack: Stack): string {
  const lines = [
    `  run dir     ${stack.dir}`,
    `  config      ${stack.configFile}`,
    `  etcd        ${stack.cluster.members.map((m) => `${m.name}=${m.clientUrl}`).join('  ')}`,
    `  haproxy     ${stack.haproxy.url}   stats ${stack.haproxy.statsUrl}   runtime ${stack.haproxy.runtimeSocket}`,
  ];
  if (stack.prometheus) lines.push(`  prometheus  ${stack.prometheus.url}`);
  lines.push('  logs');
  for (const [name, file] of Object.entries(stack.logs.members)) lines.push(`    ${name.padEnd(10)} ${file}`);
  lines.push(`    ${'haproxy'.padEnd(10)} ${stack.logs.haproxy}`);
  if (stack.logs.prometheus) lines.push(`    ${'prometheus'.padEnd(10)} ${stack.logs.prometheus}`);
  if (stack.logs.load) lines.push(`    ${'load'.padEnd(10)} ${stack.logs.load}`);
  return lines.join('\n');
}
