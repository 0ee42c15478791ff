// The fleet page on the real local stack: two real clusters (two stacks behind HAProxy, polled)
// and 52 clusters Fulcrum discovers in a real Prometheus scraping the synthetic exporter. Every
// cluster is listed with its source, worst first; the page holds exactly one EventSource (the
// fleet stream) and no polling;
// the view lives in the URL; the keyboard opens a cluster.
import path from 'node:path';
import type { Page, Request } from '@playwright/test';
import { expect, SYNTHETIC_NAMES, test } from './fleetFixtures';

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
