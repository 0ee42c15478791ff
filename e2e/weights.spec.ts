// The what-if weights panel on the real local stack (HAProxy 30/20/10 under load): edit weights in
// the panel and see the predicted shares before anything changes; apply the same weights through
// HAProxy's runtime API; once the change settles, the panel says predicted vs measured. Screenshots
// of the panel in light and dark (test-results/weights-*.png) are for looking at it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { type Stack, startStack } from '../dev/stack';
import { type FulcrumServer, startFulcrum } from './fixtures';

const SETTLE_S = 10;

test.describe('weights panel', () => {
  let dir: string;
  let stack: Stack | null = null;
  let fulcrum: FulcrumServer | null = null;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-e2e-weights-'));
    stack = await startStack({
      dir: path.join(dir, 'stack'),
      prometheus: false,
      loadRate: 200,
      fulcrum: { weights: { settleSeconds: SETTLE_S } },
    });
    fulcrum = await startFulcrum(stack.configFile, dir);
  });

  test.afterAll(async () => {
    await fulcrum?.stop();
    await stack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const predicted = async (page: Page, member: string) =>
    Number(
      await page
        .locator(`[data-testid="weights-row"][data-member="${member}"] [data-testid="predicted-share"]`)
        .getAttribute('data-value'),
    );

  test('edit weights, see the prediction, apply them at HAProxy, see predicted vs measured', async ({ page }) => {
    // Generous: a busy machine backs Fulcrum off to 8 s polls, and the shares are measured over a
    // score window that must lie wholly after the change.
    test.setTimeout(360_000);
    await page.goto(`${fulcrum!.url}/clusters/local`);
    const panel = page.getByTestId('weights-panel');
    await expect(panel).toBeVisible({ timeout: 30_000 });
    // The balancer's weights now, and the shares they promise.
    const row = (m: string) => panel.locator(`[data-testid="weights-row"][data-member="${m}"]`);
    await expect(row('etcd-1').getByTestId('weight-input')).toHaveValue('30');
    expect(await predicted(page, 'etcd-1')).toBeCloseTo(0.5, 3);
    await expect(row('etcd-3').getByTestId('predicted-share')).toHaveText('17 %');

    // What if etcd-1 and etcd-3 swapped weights? Nothing changes at the balancer yet.
    await row('etcd-1').getByTestId('weight-input').fill('10');
    await row('etcd-3').getByTestId('weight-input').fill('30');
    await expect(row('etcd-1').getByTestId('predicted-share')).toHaveText('17 %');
    await expect(row('etcd-2').getByTestId('predicted-share')).toHaveText('33 %');
    await expect(row('etcd-3').getByTestId('predicted-share')).toHaveText('50 %');
    expect(await predicted(page, 'etcd-3')).toBeCloseTo(0.5, 3);
    await expect(panel).toHaveAttribute('data-edited', 'true');
    await expect(page).toHaveURL(/[?&]wi=10%2C20%2C30/);
    // Against the configured 30/20/10 that is skew; against equal shares too.
    const score = page.getByTestId('weights-score');
    expect(Number(await score.getAttribute('data-score'))).toBeGreaterThan(0.3);
    // The exports carry the edited weights.
    await panel.getByTestId('weights-exports').locator('summary').click();
    await expect(panel.getByTestId('weights-export').first()).toContainText('set server etcd/etcd-1 weight 10');
    expect((await stack!.haproxy.runtime('get weight etcd/etcd-1')).trim()).toBe('30 (initial 30)');

    await shoot(page, 'weights-edited');

    // Apply the same weights through HAProxy's runtime API.
    await stack!.haproxy.setWeight('etcd-1', 10);
    await stack!.haproxy.setWeight('etcd-3', 30);
    try {
      const change = page.getByTestId('weights-change');
      await expect(change).toContainText('by an operator', { timeout: 60_000 });
      await expect(change).toContainText('etcd-1 30→10');
      // The timeline marks it.
      await expect(page.locator('[data-testid="event-item"][data-kind="weights-changed"]').first()).toBeVisible();
      // After settling: predicted vs measured, per member.
      const verify = page.getByTestId('weights-verify');
      await expect(verify).toBeVisible({ timeout: (SETTLE_S + 150) * 1000 });
      await expect(verify).toContainText('etcd-1: predicted 17 %, measured');
      await expect(verify).toContainText('etcd-3: predicted 50 %, measured');
      // The load reconnects often: the measured shares follow the new weights.
      const gap = Number(await verify.getAttribute('data-error'));
      expect(gap).toBeLessThan(0.1);
      await expect(page.locator('[data-testid="event-item"][data-kind="weights-settled"]').first()).toBeVisible();
      await shoot(page, 'weights-verified');
    } finally {
      await stack!.haproxy.setWeight('etcd-1', 30);
      await stack!.haproxy.setWeight('etcd-3', 10);
    }
  });
});

/** The panel in light and dark, for looking at it. */
async function shoot(page: Page, name: string) {
  const panel = page.getByTestId('weights-section');
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => {
      document.documentElement.classList.toggle('dark', t === 'dark');
      document.documentElement.dataset.theme = t;
    }, theme);
    await panel.screenshot({ path: path.join('test-results', `${name}-${theme}.png`) });
  }
  await page.evaluate(() => document.documentElement.classList.remove('dark'));
}
