// A real local stack and a production Fulcrum server per test file.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { type FulcrumServer, startFulcrum } from '../dev/lib/fulcrum';
import { startStack, type Stack } from '../dev/stack';

export { startFulcrum, type FulcrumServer };

export const test = base.extend<object, { stack: Stack; fulcrum: FulcrumServer; workDir: string }>({
  workDir: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies as a destructured object
    async ({}, use) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-e2e-'));
      await use(dir);
      rmSync(dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  stack: [
    async ({ workDir }, use) => {
      const stack = await startStack({ dir: path.join(workDir, 'stack') });
      await use(stack);
      await stack.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  fulcrum: [
    async ({ stack, workDir }, use) => {
      const f = await startFulcrum(stack.configFile, workDir);
      await use(f);
      await f.stop();
    },
    { scope: 'worker', timeout: 90_000 },
  ],
});

export { expect } from '@playwright/test';
