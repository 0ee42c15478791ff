// `npx tsx dev/synthetic-exporter-cli.ts --clusters 50 --members 5 [--prometheus] [--scrape 5] [--dir DIR]`
//
// Serves a synthetic etcd fleet (dev/lib/synthetic-exporter.ts) for Prometheus discovery: one
// scrape target per member, found through a file_sd file. With --prometheus it also starts a
// Prometheus scraping it and prints the `discovery.prometheus` config for Fulcrum. Ctrl-C stops
// everything. (startSyntheticExporter runs this same file with --port/--file-sd/--spec.)
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { recordingRules } from '../lib/sources/prometheus-recorded';
import { runDir } from './lib/cli';
import { onShutdown } from './lib/procs';
import { type Prometheus, startPrometheus } from './lib/prometheus';
import { serveSynthetic, type SyntheticSpec } from './lib/synthetic-exporter';
import { freePort } from './lib/procs';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      spec: { type: 'string' },
      clusters: { type: 'string', default: '50' },
      members: { type: 'string', default: '5' },
      port: { type: 'string' },
      'file-sd': { type: 'string' },
      dir: { type: 'string' },
      prometheus: { type: 'boolean', default: false },
      scrape: { type: 'string', default: '5' },
    },
  });
  const spec: SyntheticSpec = values.spec
    ? (JSON.parse(values.spec) as SyntheticSpec)
    : { clusters: Number(values.clusters), members: Number(values.members) };
  if (!(spec.clusters >= 0 && spec.members >= 1 && spec.members <= 15))
    throw new Error('--clusters ≥ 0 and --members 1..15');
  const dir = path.resolve(values.dir ?? (values['file-sd'] ? path.dirname(values['file-sd']) : runDir('synthetic')));
  const fileSd = values['file-sd'] ?? path.join(dir, 'synthetic-targets.json');
  fs.mkdirSync(path.dirname(fileSd), { recursive: true });
  const port = values.port ? Number(values.port) : await freePort();
  const server = await serveSynthetic(spec, fileSd, port);
  let prom: Prometheus | null = null;
  onShutdown(async () => {
    server.close();
    await prom?.stop();
  });
  console.log(`synthetic exporter: ${spec.clusters} clusters × ${spec.members} members on http://127.0.0.1:${port}`);
  if (values.prometheus) {
    const scrape = Number(values.scrape);
    const rateWindow = `${Math.max(30, 4 * scrape)}s`;
    // With Fulcrum's recording rules for the fleet (what GET /api/rules serves with discovery).
    const rules = path.join(dir, 'fleet-rules.yml');
    fs.writeFileSync(rules, stringify({ groups: [recordingRules(rateWindow)] }));
    prom = await startPrometheus({
      dir: path.join(dir, 'prometheus'),
      targets: [],
      scrapeIntervalS: scrape,
      fileSd: [{ job: 'etcd-synthetic', file: fileSd }],
      ruleFiles: [rules],
    });
    console.log(`prometheus: ${prom.url} (scrape every ${scrape} s)\n`);
    console.log(
      [
        'Fulcrum config:',
        'prometheus:',
        `  url: ${prom.url}`,
        `  rateWindow: ${rateWindow}`,
        'discovery:',
        '  prometheus:',
        `    clusterLabel: ${spec.clusterLabel ?? 'cluster'}`,
        `    memberLabel: ${spec.memberLabel ?? 'instance'}`,
        `    selector: 'job="etcd-synthetic"'`,
        '',
      ].join('\n'),
    );
  }
}

main().catch((err) => {
  console.error(`synthetic exporter failed: ${(err as Error).message}`);
  process.exit(1);
});
