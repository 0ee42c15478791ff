import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser. Each spec file starts its own real stack
// (etcd, HAProxy, Prometheus, load) and a production Fulcrum server (see e2e/fixtures.ts).
export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  // Two spec files at a time, each with its own stack and server (worker-scoped fixtures).
  workers: Math.max(1, Number(process.env.FULCRUM_E2E_WORKERS ?? 2) || 1),
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.FULCRUM_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
});
