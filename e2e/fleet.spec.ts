// The fleet page on the real local stack: two real clusters (two stacks behind HAProxy, polled)
// and 52 clusters Fulcrum discovers in a real Prometheus scraping the synthetic exporter. Every
// cluster is listed with its source, worst first; a member killed in a real cluster moves it to
// the top within 10 s of the kill; the page holds exactly one EventSource (the fleet stream) and
// no polling; the view lives in the URL; the keyboard opens a cluster.
import path from 'node:path';
import type { Page, Request } from '@playwright/test';
import { type FaultRun, injectFault } from '../dev/faults';
import { statuses } from '../dev/faults/etcd';
import type { Stack } from '../dev/stack';
import { describeCluster, expect, fleetNow, SYNTHETIC_NAMES, test, waitSteady } from './fleetFixtures';

test.describe.configure({ mode: 'serial' });

const DOCS = path.resolve('docs');
const ALL = 2 + SYNTHETIC_NAMES.length;

/**
 * Every row, name → source: in a viewport tall enough for the whole grid (rows reorder live as
 * scores move, so scrolling through a virtualised list could miss one), then back.
 */
async function allRows(page: Page, count: number): Promise<Map<string, string>> {
  const size = page.viewportSize() ?? { width: 1440, height: 900 };
  await page.setViewportSize({ width: size.width, height: 600 + count * 40 });
  await expect(page.locator('[data-testid="fleet-row"]')).toHaveCount(count);
  const rows = await page
    .locator('[data-testid="fleet-row"]')
    .evaluateAll((els) => els.map((e) => [e.getAttribute('data-cluster') ?? '', e.getAttribute('data-source') ?? '']));
  await page.setViewportSize(size);
  return new Map(rows as Array<[string, string]>);
}

function streamRequests(page: Page): Request[] {
  const reqs: Request[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'eventsource' || /\/stream(\?|$)/.test(new URL(r.url()).pathname)) reqs.push(r);
  });
  return reqs;
}

/** The fleet as Fulcrum serves it now (read by the test, not the page: the page's requests stay its own). */
/** A member of the stack that answers and is not the leader (index 1 if it is one). */
async function followerOf(stack: Stack): Promise<number> {
  const st = await statuses(stack);
  for (const i of [1, 2, 0]) {
    const s = st[i];
    if (s && s.leader !== '0' && s.id !== s.leader) return i;
  }
  throw new Error(`no follower answers: ${JSON.stringify(st)}`);
}

test('every cluster is listed with its source, worst first, over one EventSource', async ({ page, opsFulcrum }) => {
  test.setTimeout(240_000);
  const streams = streamRequests(page);
  const polls: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'fetch' || r.resourceType() === 'xhr') polls.push(r.url());
  });
  await page.goto(opsFulcrum.url);
  await expect(page.getByTestId('fleet-page')).toHaveAttribute('data-freshness', 'live', { timeout: 60_000 });
  // Discovery finds the synthetic clusters within a refresh or two.
  await expect(page.getByTestId('fleet-count-all')).toHaveAttribute('data-count', String(ALL), { timeout: 90_000 });

  // Only a screenful of rows is in the DOM (virtualised), whatever the fleet's size…
  await expect.poll(async () => page.locator('[data-testid="fleet-row"]').count()).toBeLessThan(ALL);
  // …and every cluster has one, with its source.
  const rows = await allRows(page, ALL);
  expect(rows.size).toBe(ALL);
  expect(rows.get('local')).toBe('direct');
  expect(rows.get('local-b')).toBe('direct');
  for (const n of SYNTHETIC_NAMES) expect(rows.get(n), n).toBe('prometheus');
  await expect.poll(async () => page.locator('[data-testid="fleet-row"]').count()).toBeLessThan(ALL);

  // Worst first: the three skewed synthetic clusters (critical request skew) lead once detected.
  await expect
    .poll(async () => page.locator('[data-testid="fleet-row"][data-index="0"]').getAttribute('data-severity'), {
      timeout: 60_000,
    })
    .toBe('critical');
  // The cells: one per member of the rows in view, drawn on one canvas.
  await expect
    .poll(async () => Number(await page.getByTestId('fleet-canvas').getAttribute('data-value-cells')))
    .toBeGreaterThan(20);

  // The source filter.
  await page.getByTestId('fleet-source').getByRole('radio', { name: 'direct' }).click();
  await expect(page.getByTestId('fleet-shown')).toHaveAttribute('data-count', '2');
  await expect(page).toHaveURL(/source=direct/);
  await page.getByTestId('fleet-source').getByRole('radio', { name: 'all' }).click();
  await expect(page.getByTestId('fleet-shown')).toHaveAttribute('data-count', String(ALL));
  // The URL follows the view after it renders: wait for it, or the reload below restores "direct".
  await expect(page).not.toHaveURL(/source=direct/);

  await page.screenshot({ path: path.join(DOCS, 'fleet-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.evaluate(() => localStorage.setItem('fulcrum-theme', 'dark'));
  await page.reload();
  await expect(page.getByTestId('fleet-page')).toHaveAttribute('data-freshness', 'live', { timeout: 30_000 });
  await expect(page.getByTestId('fleet-count-all')).toHaveAttribute('data-count', String(ALL));
  await expect
    .poll(async () => Number(await page.getByTestId('fleet-canvas').getAttribute('data-value-cells')))
    .toBeGreaterThan(20);
  await page.screenshot({ path: path.join(DOCS, 'fleet-dark.png') });
  await page.evaluate(() => localStorage.setItem('fulcrum-theme', 'light'));

  // One EventSource per page load (two loads here), and no polling of the JSON API.
  expect(streams.map((r) => new URL(r.url()).pathname)).toEqual(['/api/fleet/stream', '/api/fleet/stream']);
  expect(polls.filter((u) => new URL(u).pathname.startsWith('/api/'))).toEqual([]);
});

test('a member killed in a real cluster moves it to the top within 10 s of the kill', async ({
  page,
  opsRoom,
  opsFulcrum,
}) => {
  test.setTimeout(360_000);
  const streams = streamRequests(page);
  await page.goto(opsFulcrum.url);
  await expect(page.getByTestId('fleet-page')).toHaveAttribute('data-freshness', 'live', { timeout: 60_000 });
  await expect(page.getByTestId('fleet-count-all')).toHaveAttribute('data-count', String(ALL), { timeout: 90_000 });
  const top = page.locator('[data-testid="fleet-row"][data-index="0"]');
  const row = page.locator('[data-testid="fleet-row"][data-cluster="local-b"]');
  // Before the fault: critical clusters (the skewed synthetic ones) lead, local-b is healthy and
  // polled every second, and no cluster has lost a member. The kill is detected without any
  // timeout (the port refuses at once): two polls that fail, one fleet tick, one delta.
  await expect(top).toHaveAttribute('data-severity', 'critical', { timeout: 60_000 });
  const steady = await waitSteady(opsFulcrum.url, 'local-b');
  await expect(top).not.toHaveAttribute('data-cluster', 'local-b');

  // A follower: a killed leader adds an election to the same seconds (the others answer 'no
  // leader' meanwhile), which is another test's subject.
  const member = await followerOf(opsRoom.b);
  // Timed from before the signal (injectedAt is once the process is gone): a bound on the claim.
  const killedAt = Date.now();
  let fault: FaultRun | null = await injectFault(opsRoom.b, 'kill', { member });
  // Fulcrum's side, read beside the page: when its fleet first had local-b's member down, and the
  // interval it polled at (where the seconds went when it is slow: detection or delivery).
  let serverSawAt = 0;
  let serverPollMs = 0;
  let watching = true;
  const watcher = (async () => {
    while (watching && serverSawAt === 0) {
      const b = (await fleetNow(opsFulcrum.url).catch(() => null))?.clusters.find((c) => c.name === 'local-b');
      if (b?.members.some((m) => m.status === 'down')) {
        serverSawAt = Date.now();
        serverPollMs = b.pollIntervalMs;
      } else await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    const limit = killedAt + 10_000;
    let seenAt = 0;
    try {
      await expect
        .poll(
          async () => {
            const name = await top.getAttribute('data-cluster');
            if (name === 'local-b' && seenAt === 0) seenAt = Date.now();
            return name;
          },
          { timeout: Math.max(1, limit - Date.now()), intervals: [100] },
        )
        .toBe('local-b');
    } catch (e) {
      const fleet = await fleetNow(opsFulcrum.url).catch(() => null);
      const b = fleet?.clusters.find((c) => c.name === 'local-b');
      throw new Error(
        `local-b not on top ${Date.now() - killedAt} ms after the kill; now: ${describeCluster(b)}; top rows: ${(
          fleet?.clusters ?? []
        )
          .filter((c) => c.name !== 'local-b' && (c.status !== 'ok' || c.worst?.severity === 'critical'))
          .slice(0, 5)
          .map(describeCluster)
          .join('; ')}\n${(e as Error).message}`,
      );
    }
    watching = false;
    await watcher;
    const tookMs = seenAt - killedAt;
    test.info().annotations.push({ type: 'kill to top', description: `${tookMs} ms` });
    console.log(
      `fleet e2e: steady after ${steady.ms} ms (waited for: ${steady.waitedFor.join(', ') || 'nothing'}); local-b on top ${tookMs} ms after the kill (in Fulcrum's fleet API with a member down after ${serverSawAt ? serverSawAt - killedAt : '?'} ms, polled every ${serverPollMs || '?'} ms)`,
    );
    expect(tookMs).toBeLessThanOrEqual(10_000);
    await expect(row).toHaveAttribute('data-status', /degraded|down/);
    await expect(row).toHaveAttribute('data-severity', 'critical');
    await expect(row).toContainText('2/3');

    await fault.undo();
    fault = null;
    // Back to health: it leaves the top.
    await expect(top).not.toHaveAttribute('data-cluster', 'local-b', { timeout: 90_000 });
  } finally {
    watching = false;
    await watcher;
    await fault?.undo();
  }
  expect(streams).toHaveLength(1);
});

test('the view lives in the URL; the keyboard walks the rows and opens one', async ({ page, opsFulcrum }) => {
  await page.goto(`${opsFulcrum.url}/?q=syn-01&palette=cb`);
  await expect(page.getByTestId('fleet-count-all')).toHaveAttribute('data-count', String(ALL), { timeout: 60_000 });
  // syn-010 … syn-019
  await expect(page.getByTestId('fleet-shown')).toHaveAttribute('data-count', '10');
  await expect(page.getByTestId('fleet-canvas')).toHaveAttribute('data-palette', 'cb');
  await expect(page.getByTestId('fleet-search')).toHaveValue('syn-01');

  await page.getByTestId('fleet-selector').fill('env=prod');
  await expect(page).toHaveURL(/sel=env%3Dprod/);
  const shown = Number(await page.getByTestId('fleet-shown').getAttribute('data-count'));
  expect(shown).toBeGreaterThan(0);
  expect(shown).toBeLessThan(10);
  await page.reload();
  await expect(page.getByTestId('fleet-shown')).toHaveAttribute('data-count', String(shown), { timeout: 30_000 });
  await expect(page.getByTestId('fleet-selector')).toHaveValue('env=prod');

  const grid = page.getByTestId('fleet-grid');
  await grid.focus();
  // The cursor follows its cluster when rows reorder live: each press selects another cluster.
  const second = page.locator('[data-testid="fleet-row"][aria-selected="true"]');
  await page.keyboard.press('ArrowDown');
  await expect(second).toHaveCount(1);
  const firstName = await second.getAttribute('data-cluster');
  await page.keyboard.press('ArrowDown');
  await expect(second).not.toHaveAttribute('data-cluster', firstName ?? '');
  await expect(second).toHaveCount(1);
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('p[aria-live="polite"]')).toContainText(': member ');
  const name = (await second.getAttribute('data-cluster')) ?? '';
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/clusters/${name}`));
  // A discovered cluster has a cluster page like any other.
  await expect(page.getByTestId('cluster-name')).toHaveText(name);
});
