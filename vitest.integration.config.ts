import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// The slowest files (measured on CI: most of their time is waiting for polls, elections and
// Prometheus scrapes, not CPU) start first, so two workers finish together instead of the
// longest file starting last. Files not listed follow, larger first (vitest's own order).
const SLOW_FIRST = [
  'diagnosis.integration',
  'fuzz.integration',
  'diagnosis-client.integration',
  'fault-matrix.integration',
  'faults.integration',
  'store.integration',
  'weights-agent.integration',
  'scale.integration',
  'spine.integration',
  'replicas.integration',
  'prometheus.integration',
  'fleet.integration',
  'discover.integration',
  'stack.integration',
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((name) => path.basename(f.moduleId).startsWith(name));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    const sorted = await super.sort(files);
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

// Integration tests: real etcd, HAProxy and Prometheus processes on free 127.0.0.1 ports, each
// file with its own processes and temp dirs. Two files at a time (2 cores; the files mostly wait),
// in forked workers (process-group cleanup on exit). FULCRUM_INTEGRATION_WORKERS=1 runs one at a time.
const workers = Math.max(1, Number(process.env.FULCRUM_INTEGRATION_WORKERS ?? 2) || 1);

export default defineConfig({
  resolve: { alias: { '@': path.dirname(fileURLToPath(import.meta.url)) } },
  test: {
    include: ['**/*.integration.test.ts'],
    exclude: ['**/node_modules/**', '.run/**', '.next/**', '.next-*/**'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: workers > 1,
    maxWorkers: workers,
    sequence: { sequencer: SlowFirst },
  },
});
