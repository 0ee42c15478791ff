// A real local stack and a production Fulcrum server per test file; a test that needs its own
// (another config, env or stack) starts them with ownStack/ownFulcrum, stopped after the test.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import { type FulcrumServer, startFulcrum } from '../dev/lib/fulcrum';
import { type StackOptions, startStack, type Stack } from '../dev/stack';

export { startFulcrum, type FulcrumServer };

interface OwnFixtures {
  /** Starts a stack of the test's own (in the worker's dir, under `name`); stopped after the test. */
  ownStack: (name: string, options?: Omit<StackOptions, 'dir'>) => Promise<Stack>;
  /** Starts a Fulcrum of the test's own on `configFile` with `env`; stopped after the test, before its stacks. */
  ownFulcrum: (configFile: string, env?: Record<string, string>) => Promise<FulcrumServer>;
}

/** What a page says went wrong (console errors, uncaught errors) and the event streams it opened. */
export function watchPage(page: Page): { errors: string[]; streams: string[] } {
  const errors: string[] = [];
  const streams: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (r.url().includes('/stream')) streams.push(r.url());
  });
  return { errors, streams };
}

export const test = base.extend<OwnFixtures, { stack: Stack; fulcrum: FulcrumServer; workDir: string }>({
  ownStack: async ({ workDir }, use) => {
    const started: Stack[] = [];
    await use(async (name, options = {}) => {
      const s = await startStack({ ...options, dir: path.join(workDir, name) });
      started.push(s);
      return s;
    });
    for (const s of started) await s.stop();
  },
  // Depends on ownStack so that it is torn down first: Fulcrum stops before the stacks it polls.
  ownFulcrum: async ({ workDir, ownStack: _ }, use) => {
    const started: FulcrumServer[] = [];
    await use(async (configFile, env = {}) => {
      const f = await startFulcrum(configFile, workDir, env);
      started.push(f);
      return f;
    });
    for (const f of started) await f.stop();
  },
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

export { expect };

/**
 * Waits until Fulcrum polls `cluster` at its configured interval with every member up, for
 * `polls` polls in a row. An overloaded Fulcrum stretches the interval up to 8× (the engine
 * source says so) and takes 5 polls in time at each step to come back: a test that times the
 * product from a fault starts from here, so the seconds are the product's, not a back-off left
 * from a busy start. A precondition, not a timing claim.
 */
export async function waitClusterSteady(base: string, cluster = 'local', polls = 3): Promise<void> {
  type Steady = { seq: number; members: Array<{ status: string }>; sources: { engine: { ok: boolean } } };
  let lastSeq = -1;
  let inARow = 0;
  await expect
    .poll(
      async () => {
        const s = (await (await fetch(`${base}/api/clusters/${cluster}`)).json()) as Steady;
        if (s.seq !== lastSeq) {
          lastSeq = s.seq;
          inARow = s.sources.engine.ok && s.members.every((m) => m.status === 'up') ? inARow + 1 : 0;
        }
        return inARow;
      },
      // From 8 s back to 1 s takes 5 polls in time at each step (70 s at least).
      { timeout: 180_000, intervals: [250], message: `${polls} polls of ${cluster} in time, every member up` },
    )
    .toBeGreaterThanOrEqual(polls);
}
