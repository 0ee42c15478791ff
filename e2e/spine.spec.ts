// The spine on the real local stack (etcd ×3 behind HAProxy 30/20/10, load, Prometheus) and a
// production Fulcrum: fleet page → cluster page live, the heatmap painted, request shares that
// follow the weights (score ≈ 0 against them, ≈ 0.25 against equal shares), the view state in
// the URL surviving a reload, kill -9 of a member shown within seconds while the rest keeps
// updating, the members' health signals and HAProxy's view of them, and a stopped Fulcrum
// server turning the connection indicator to stale / reconnecting.
import path from 'node:path';
import type { Page } from '@playwright/test';
import { findLeader } from '../dev/lib/etcd';
import { expect, startFulcrum, test, waitClusterSteady } from './fixtures';

test.describe.configure({ mode: 'serial' });

const SHOTS = path.resolve('e2e/screenshots');
const EXPECTED_SHARES: Record<string, number> = { 'etcd-1': 50, 'etcd-2': 100 / 3, 'etcd-3': 100 / 6 };

async function shares(page: Page): Promise<Record<string, number | null>> {
  const out: Record<string, number | null> = {};
  for (const name of Object.keys(EXPECTED_SHARES)) {
    const text = (await page.getByTestId(`member-row-${name}`).getByTestId('member-share').textContent()) ?? '';
    const m = /(-?\d+(?:\.\d+)?)\s*%/.exec(text);
    out[name] = m ? Number(m[1]) : null;
  }
  return out;
}

async function seq(page: Page): Promise<number> {
  return Number(await page.getByTestId('cluster-view').getAttribute('data-seq'));
}

test('the fleet page lists the cluster with its score; a click opens it', async ({ page, fulcrum }) => {
  await page.goto(fulcrum.url);
  const row = page.locator('[data-testid="fleet-row"][data-cluster="local"]');
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute('data-source', 'direct');
  await expect(row).toContainText('3/3');
  // The score is a number in [0, 1] once the first polls are in.
  await expect
    .poll(async () => row.getByTestId('fleet-row-score').getAttribute('data-score'), { timeout: 30_000 })
    .toMatch(/^0(\.\d+)?$|^1$/);
  await expect(row.getByTestId('fleet-row-score')).toContainText(/\d\.\d\d/);
  await row.getByTestId('fleet-row-name').click();
  await expect(page).toHaveURL(/\/clusters\/local/);
  await expect(page.getByTestId('cluster-name')).toHaveText('local');
});

test('the cluster page: 3 members live, heatmap painted, shares follow the weights 30/20/10', async ({
  page,
  fulcrum,
}) => {
  await page.goto(`${fulcrum.url}/clusters/local?range=5m`);
  await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('members-up')).toHaveText('3/3 members up');
  const rows = page.locator('[data-testid^="member-row-"]');
  await expect(rows).toHaveCount(3);
  for (const name of Object.keys(EXPECTED_SHARES))
    await expect(page.getByTestId(`member-row-${name}`)).toHaveAttribute('data-status', 'up');
  const canvas = page.getByTestId('heatmap-canvas');
  await expect(canvas).toHaveAttribute('data-rows', '3');
  await expect
    .poll(async () => Number(await canvas.getAttribute('data-value-cells')), { timeout: 30_000 })
    .toBeGreaterThan(0);

  // Shares settle near 50 / 33 / 17 %: all three within 6 points at once.
  await expect
    .poll(
      async () => {
        const s = await shares(page);
        return Object.entries(EXPECTED_SHARES).every(([n, e]) => s[n] !== null && Math.abs(s[n]! - e) <= 6)
          ? 'settled'
          : JSON.stringify(s);
      },
      { timeout: 90_000, intervals: [1_000], message: 'request shares within 6 points of 50/33/17 %' },
    )
    .toBe('settled');

  // The headline against the configured weights is near 0; against equal shares it shows the skew.
  const panel = page.getByTestId('score-panel');
  await expect(panel.getByTestId('score-basis')).toHaveAttribute('data-basis', 'weights');
  await expect
    .poll(async () => Number(await panel.getByTestId('cluster-score').getAttribute('data-score')), { timeout: 30_000 })
    .toBeLessThan(0.08);
  await expect
    .poll(async () => Number(await panel.getByTestId('score-equal').getAttribute('data-score')), { timeout: 30_000 })
    .toBeGreaterThan(0.17);
  expect(Number(await panel.getByTestId('score-equal').getAttribute('data-score'))).toBeLessThan(0.33);

  // Screenshots, light and dark.
  await page.screenshot({ path: path.join(SHOTS, 'spine-cluster-light.png'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  await expect(page.locator('html')).toHaveClass(/dark/);
  await expect
    .poll(async () => Number(await page.getByTestId('heatmap-canvas').getAttribute('data-value-cells')), {
      timeout: 20_000,
    })
    .toBeGreaterThan(0);
  await page.screenshot({ path: path.join(SHOTS, 'spine-cluster-dark.png'), fullPage: true });
});

test('each member shows its health signals and what HAProxy says about it', async ({ page, fulcrum }) => {
  await page.goto(`${fulcrum.url}/clusters/local?range=5m`);
  await expect(page.getByTestId('balancer-line')).toContainText('HAProxy');
  await expect(page.getByTestId('balancer-line')).toHaveAttribute('data-ok', 'true');
  for (const [name, weight] of [
    ['etcd-1', '30'],
    ['etcd-2', '20'],
    ['etcd-3', '10'],
  ] as const) {
    const cell = page.getByTestId(`member-row-${name}`).getByTestId('member-balancer');
    await expect(cell).toHaveAttribute('data-status', /^UP/);
    await expect(cell).toHaveAttribute('data-check-layer', 'L7');
    await expect(cell).toHaveAttribute('data-weight', weight);
    await expect(cell).toHaveAttribute('data-disagree', '');
    await expect(cell.getByTestId('member-balancer-check')).toHaveText('HTTP check');
  }
  // A row opens to every signal, with numbers from the member's metrics.
  const row = page.getByTestId('member-row-etcd-1');
  await row.getByTestId('member-details-toggle').click();
  const detail = page.getByTestId('member-detail-etcd-1');
  await expect(detail).toBeVisible();
  // Histograms need a window of samples (the peer prober reports every few seconds): wait until all are known.
  const want: Record<string, RegExp> = {
    walFsyncP99: /^(▲ )?\d+(\.\d+)? (µs|ms|s)$/,
    backendCommitP99: /^(▲ )?\d+(\.\d+)? (µs|ms|s)$/,
    peerRttP99: /^(▲ )?\d+(\.\d+)? (µs|ms|s)$/,
    latencyP99: /^(▲ )?\d+(\.\d+)? (µs|ms|s)$/,
    leaderChanges: /^(▲ )?\d+$/,
    heartbeatFailures: /^(▲ )?\d+$/,
    hasLeader: /^yes$/,
  };
  await expect
    .poll(
      async () => {
        const bad: string[] = [];
        for (const [k, re] of Object.entries(want)) {
          const t = ((await detail.locator(`[data-signal="${k}"]`).textContent()) ?? '').trim();
          if (!re.test(t)) bad.push(`${k}=${t}`);
        }
        return bad;
      },
      { timeout: 90_000, intervals: [1_000], message: 'every health signal of etcd-1 known' },
    )
    .toEqual([]);
  await expect(detail.getByTestId('member-detail-balancer')).toContainText('etcd/etcd-1');
  await expect(detail.getByTestId('member-detail-weight')).toHaveText('30 / 30 / 30');
  await page.getByTestId('member-details-all').click();
  await expect(page.locator('[data-testid^="member-detail-etcd-"]')).toHaveCount(3);
  await page.getByTestId('members-section').screenshot({ path: path.join(SHOTS, 'spine-members-signals-light.png') });
  await page.getByTestId('member-details-all').click();
  await expect(detail).toHaveCount(0);
});

test('the view state lives in the URL and survives a reload', async ({ page, fulcrum }) => {
  await page.goto(`${fulcrum.url}/clusters/local`);
  await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-state', 'live');
  await page.getByTestId('dimension-select').selectOption('bytesOut');
  await page.getByTestId('range-select').locator('[data-value="5m"]').click();
  await page.getByTestId('mode-toggle').locator('[data-value="absolute"]').click();
  await expect(page).toHaveURL(/dim=bytesOut/);
  await expect(page).toHaveURL(/range=5m/);
  await expect(page).toHaveURL(/mode=absolute/);
  await page.reload();
  await expect(page.getByTestId('dimension-select')).toHaveValue('bytesOut');
  await expect(page.getByTestId('range-select')).toHaveAttribute('data-value', '5m');
  await expect(page.getByTestId('mode-toggle')).toHaveAttribute('data-value', 'absolute');
  await expect(page.getByTestId('heatmap-canvas')).toHaveAttribute('data-dim', 'bytesOut');
  await expect(page.getByTestId('heatmap-canvas')).toHaveAttribute('data-mode', 'absolute');
  // A link with the state opens the same view.
  await page.goto(`${fulcrum.url}/clusters/local?dim=latencyP99&range=15m&mode=relative`);
  await expect(page.getByTestId('dimension-select')).toHaveValue('latencyP99');
  await expect(page.getByTestId('range-select')).toHaveAttribute('data-value', '15m');
  await expect(page.getByTestId('heatmap-canvas')).toHaveAttribute('data-dim', 'latencyP99');
  await expect(page.getByTestId('score-basis')).toHaveAttribute('data-basis', 'median');
});

test('kill -9 a member: its row shows down within seconds while the rest keeps updating', async ({
  page,
  stack,
  fulcrum,
}) => {
  await page.goto(`${fulcrum.url}/clusters/local?range=5m`);
  await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('members-up')).toHaveText('3/3 members up');
  // A follower, so the cluster keeps its leader and keeps serving.
  const leader = await findLeader(stack.cluster.members);
  const i = stack.cluster.members.findIndex((m) => m !== leader);
  const victim = stack.cluster.members[i].name;
  const others = stack.cluster.members.filter((_, j) => j !== i).map((m) => m.name);
  const row = page.getByTestId(`member-row-${victim}`);
  // The seconds below are the product's: start from polls at the configured interval (an
  // overloaded Fulcrum stretches it up to 8 s for a while, and 3 polls then take 24 s).
  test.setTimeout(300_000);
  await waitClusterSteady(fulcrum.url);
  const seqBefore = await seq(page);

  await stack.cluster.kill9(i);
  try {
    await expect(row).toHaveAttribute('data-status', 'down', { timeout: 10_000 });
    await expect(row.getByTestId('member-status')).toContainText('down');
    await expect(page.getByTestId('members-up')).toHaveText('✕ 2/3 members up');
    await expect
      .poll(async () => Number(await page.getByTestId('heatmap-canvas').getAttribute('data-down-cells')), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    // The others stay up and the page keeps getting new polls.
    for (const n of others) await expect(page.getByTestId(`member-row-${n}`)).toHaveAttribute('data-status', 'up');
    const seqDown = await seq(page);
    expect(seqDown).toBeGreaterThan(seqBefore);
    await expect.poll(() => seq(page), { timeout: 10_000 }).toBeGreaterThan(seqDown + 2);
    await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-state', 'live');
    await expect(page.getByTestId(`member-row-${others[0]}`).getByTestId('member-value')).toHaveText(/\d/);
    await page.screenshot({ path: path.join(SHOTS, 'spine-member-down-light.png'), fullPage: true });
  } finally {
    await stack.cluster.restart(i);
    await stack.cluster.waitMemberHealthy(i, 30_000);
  }
  await expect(row).toHaveAttribute('data-status', 'up', { timeout: 30_000 });
});

test("the server's heartbeat reaches the page as a named event (onmessage never fires)", async ({ page, fulcrum }) => {
  await page.goto(`${fulcrum.url}/clusters/local`);
  // What the page's stream sees in 6 s: with 1 s polls the server sends a heartbeat every 1.67 s.
  const seen = await page.evaluate(
    () =>
      new Promise<{ heartbeats: number; serverTimes: boolean; onmessage: number }>((resolve) => {
        const es = new EventSource('/api/clusters/local/stream');
        let heartbeats = 0;
        let serverTimes = true;
        let onmessage = 0;
        es.addEventListener('heartbeat', (ev) => {
          heartbeats++;
          serverTimes &&= Number.isFinite((JSON.parse((ev as MessageEvent<string>).data) as { t: number }).t);
        });
        es.onmessage = () => onmessage++;
        setTimeout(() => {
          es.close();
          resolve({ heartbeats, serverTimes, onmessage });
        }, 6000);
      }),
  );
  expect(seen.heartbeats).toBeGreaterThanOrEqual(2);
  expect(seen.serverTimes).toBe(true);
  expect(seen.onmessage).toBe(0);
  await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-state', 'live');
});

test('a stopped Fulcrum server turns the indicator to stale / reconnecting', async ({ page, stack, workDir }) => {
  // A server of its own: the fixture's stays up for the other tests.
  const own = await startFulcrum(stack.configFile, workDir);
  try {
    await page.goto(`${own.url}/clusters/local?range=5m`);
    const indicator = page.getByTestId('connection-indicator');
    await expect(indicator).toHaveAttribute('data-state', 'live');
    await expect.poll(() => seq(page), { timeout: 15_000 }).toBeGreaterThan(1);
    await own.stop();
    await expect(indicator).toHaveAttribute('data-state', /^(stale|offline)$/, { timeout: 20_000 });
    await expect(indicator).toContainText(/Stale|Reconnecting/);
    // What is shown is the last known state, and says so.
    await expect(page.getByTestId('score-panel')).toHaveAttribute('data-last-known', 'true');
    await page.screenshot({ path: path.join(SHOTS, 'spine-stale-light.png') });
  } finally {
    await own.stop();
  }
});
