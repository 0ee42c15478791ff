import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Unit tests: pure logic, no servers. Integration tests (*.integration.test.ts) have their own config.
export default defineConfig({
  resolve: { alias: { '@': path.resolve(__dirname) } },
  test: {
    include: ['lib/**/*.test.ts', 'components/**/*.test.{ts,tsx}', 'dev/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/*.integration.test.ts', 'e2e/**'],
    environment: 'node',
    // Replays and property tests take seconds on a busy 2-core machine: a deadline, not a speed check.
    testTimeout: 30_000,
  },
});
