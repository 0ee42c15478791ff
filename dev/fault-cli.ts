// `npm run fault -- <name> [--member N] [--undo] [--dir <run dir>]`
// `npm run fault`                       lists the active faults
//
// Talks to the control endpoint of a running `npm run demo` (or dev/stack-cli.ts): reads
// <run dir>/control.json, default run dir the newest .run/demo-* that has one (else the newest
// .run/stack-*). --member is a 0-based index (1 = etcd-2) or a member name (etcd-2); the
// faults that take no member (pin-load, leader-churn, tcp-check) refuse one.

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CONTROL_FILE, type ControlFile } from './control';
import { FAULT_NAMES, FAULTS, isFaultName } from './faults';
import { REPO_ROOT } from './lib/load';

const USAGE = `usage: npm run fault -- [<name> [--member N|etcd-N] [--undo]] [--dir <run dir>]
  names: ${FAULT_NAMES.join(', ')}
  without a name: list the active faults`;

function newestRunDir(): string {
  const root = path.join(REPO_ROOT, '.run');
  const dirs = (prefix: string) =>
    (fs.existsSync(root) ? fs.readdirSync(root) : [])
      .filter((d) => d.startsWith(prefix) && fs.existsSync(path.join(root, d, CONTROL_FILE)))
      .map((d) => path.join(root, d))
      .sort(
        (a, b) => fs.statSync(path.join(b, CONTROL_FILE)).mtimeMs - fs.statSync(path.join(a, CONTROL_FILE)).mtimeMs,
      );
  const found = dirs('demo-')[0] ?? dirs('stack-')[0];
  if (!found)
    throw new Error(
      `no running demo found: no ${root}/demo-*/${CONTROL_FILE} (start one with npm run demo, or pass --dir)`,
    );
  return found;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      member: { type: 'string' },
      undo: { type: 'boolean', default: false },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length > 1) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const name = positionals[0];
  if (name !== undefined && !isFaultName(name)) {
    console.error(`unknown fault ${name}\n${USAGE}`);
    return 2;
  }
  const refuses = name !== undefined && !values.undo ? FAULTS[name].refusesMember : undefined;
  if (refuses && values.member !== undefined) {
    console.error(`${name} takes no member (${refuses}); leave out --member`);
    return 2;
  }
  const dir = path.resolve(values.dir ?? newestRunDir());
  const file = path.join(dir, CONTROL_FILE);
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist: is the demo in ${dir} running?`);
  const control = JSON.parse(fs.readFileSync(file, 'utf8')) as ControlFile;

  let method = 'GET';
  let url = `${control.url}/faults`;
  if (name) {
    method = values.undo ? 'DELETE' : 'POST';
    url = `${control.url}/faults/${name}`;
    if (values.member !== undefined && !values.undo) url += `?member=${encodeURIComponent(values.member)}`;
  }
  let res: Response;
  try {
    res = await fetch(url, { method });
  } catch (err) {
    throw new Error(
      `${method} ${url}: ${(err as Error).cause ?? (err as Error).message} — is the demo in ${dir} (pid ${control.pid}) still running?`,
    );
  }
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) {
    console.error(`${method} ${url} → ${res.status}: ${body.error ?? JSON.stringify(body)}`);
    return 1;
  }
  if (method === 'GET') {
    const active = body.active as Array<{
      name: string;
      member: string | null;
      injectedAtIso: string;
      details: object;
    }>;
    if (active.length === 0) console.log(`no active faults (${dir})`);
    for (const r of active)
      console.log(
        `${r.name.padEnd(24)} ${(r.member ?? '-').padEnd(8)} since ${r.injectedAtIso}  ${JSON.stringify(r.details)}`,
      );
  } else {
    console.log(`${method === 'POST' ? 'injected' : 'undone'}: ${JSON.stringify(body)}`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`fault: ${(err as Error).message}`);
    process.exit(1);
  },
);
