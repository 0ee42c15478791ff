import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Integration tests: real etcd, HAProxy and Prometheus processes on free 127.0.0.1 ports.
// One file at a time (they share 2 cores) in forked workers (process-group cleanup on exit).
export default defineConfig({
  resolve: { alias: { '@': path.dirname(fileURLToPath(import.meta.url)) } },
  test: {
    include: ['**/*.integration.test.ts'],
    exclude: ['**/node_modules/**', '.run/**', '.next/**'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
