// The member drill-down on the real local stack: untrusted log text stays text in the browser,
// the logs API refuses paths and URLs over real HTTP, and freezing a member (SIGSTOP, SIGCONT)
// then clicking its heatmap cell opens its page with the frozen window, the log lines of that
// time with their signals highlighted, and the related finding.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { findLeader } from '../dev/lib/etcd';
import { expect, test } from './fixtures';

test.describe.configure({ mode: 'serial' });

interface StateLike {
  status: string;
  members: Array<{ endpoint: string; name: string; status: string; isLeader: boolean }>;
  findings: Array<{ kind: string; members: string[]; since: number }>;
}

async function clusterState(base: string): Promise<StateLike> {
  const r = await fetch(`${base}/api/clusters/local`);
  return (await r.json()) as StateLike;
}

function rawGet(base: string, p: string): Promise<{ status: number; body: string }> {
  // node:http sends the path as given (no ../ normalisation by a URL parser).
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: p, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const zap = (t: number, msg: string, level = 'warn') =>
  JSON.stringify({ level, ts: new Date(t).toISOString(), caller: 'e2e/member.spec.ts:1', msg });

async function watchForScripts(page: Page): Promise<{ dialogs: string[]; errors: string[] }> {
  const seen = { dialogs: [] as string[], errors: [] as string[] };
  page.on('dialog', async (d) => {
    seen.dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  return seen;
}

test('log text with markup and escapes is shown as text, and nothing in it runs', async ({ page, stack, fulcrum }) => {
  const seen = await watchForScripts(page);
  const now = Date.now();
  const lines = [
    zap(now - 2000, '<script>window.__xss=1;alert(1)</script>'),
    zap(now - 1500, '<img src=x onerror="window.__xss=2;alert(2)">'),
    zap(now - 1000, '\u001b[31mRED-ALERT\u001b[0m slow fdatasync'),
    '<script>window.__xss=3;alert(3)</script> a raw line',
    '',
  ];
  fs.appendFileSync(stack.logs.members['etcd-1'], lines.join('\n'));
  await page.goto(`${fulcrum.url}/clusters/local/members/etcd-1?from=${now - 60_000}&to=${now + 60_000}&source=member`);
  const panel = page.getByTestId('log-panel');
  await expect(panel.getByText('<script>window.__xss=1;alert(1)</script>', { exact: true })).toBeVisible();
  await expect(panel.getByText('<img src=x onerror="window.__xss=2;alert(2)">', { exact: true })).toBeVisible();
  await expect(panel.getByText('<script>window.__xss=3;alert(3)</script> a raw line', { exact: true })).toBeVisible();
  await expect(panel.getByText('␛[31mRED-ALERT␛[0m slow fdatasync', { exact: true })).toBeVisible();
  // The ANSI line is also a signal line: highlighted and counted.
  await expect(panel.locator('[data-testid="log-line"][data-signals~="slow-fdatasync"]').first()).toBeVisible();
  await page.waitForTimeout(1000); // give an injected handler (img onerror) time to fire
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(seen.dialogs).toEqual([]);
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.locator('script', { hasText: '__xss' }).count()).toBe(0);
  expect(seen.errors).toEqual([]);
});

test('the logs API refuses paths and URLs in every parameter over real HTTP', async ({ fulcrum }) => {
  const now = Date.now();
  const w = `from=${now - 60_000}&to=${now}`;
  const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0];
  const tries = [
    `/api/clusters/local/members/..%2F..%2F..%2Fetc%2Fpasswd/logs?${w}`,
    `/api/clusters/local/members/%2Fetc%2Fpasswd/logs?${w}`,
    `/api/clusters/local/members/etcd-1%2F..%2F..%2Fetc%2Fpasswd/logs?${w}`,
    `/api/clusters/..%2F..%2Fetc/members/etcd-1/logs?${w}`,
    `/api/clusters/local/members/file%3A%2F%2F%2Fetc%2Fpasswd/logs?${w}`,
    `/api/clusters/local/members/http%3A%2F%2Fevil.example%3A2379/logs?${w}`,
    `/api/clusters/local/members/etcd-1/logs?${w}&cursor=..%2F..%2Fetc%2Fpasswd`,
    `/api/clusters/local/members/etcd-1/logs?${w}&cursor=${Buffer.from('{"v":1,"m":{"k":"f","f":0,"o":0,"i":0,"path":"/etc/passwd"}}').toString('base64url')}`,
    `/api/clusters/local/members/etcd-1/logs?${w}&file=%2Fetc%2Fpasswd`,
    `/api/clusters/local/members/etcd-1/logs?${w}&level=..%2F..%2Fetc%2Fpasswd`,
    `/api/clusters/local/members/etcd-1/logs?${w}&source=%2Fetc%2Fpasswd`,
    `/api/clusters/local/members/etcd-1/logs?from=..%2Fetc&to=${now}`,
    `/api/clusters/local/members/etcd-1/logs?${w}&limit=%2Fetc%2Fpasswd`,
    `/api/clusters/local/members/../../../../etc/passwd/logs?${w}`,
    `/api/clusters/local/members/etcd-1/logs/../../../../../../etc/passwd?${w}`,
  ];
  for (const p of tries) {
    const r = await rawGet(fulcrum.url, p);
    expect(r.status, p).not.toBe(200);
    expect(r.status, p).toBeLessThan(500);
    expect(r.body, p).not.toContain(passwd);
    expect(r.body, p).not.toContain('root:x:0:0');
  }
  // A search text is only a search: it finds nothing in the configured log.
  const q = await rawGet(fulcrum.url, `/api/clusters/local/members/etcd-1/logs?${w}&q=%2Fetc%2Fpasswd&source=member`);
  expect(q.status).toBe(200);
  expect(q.body).not.toContain('root:x:0:0');
  // And the real thing answers.
  const ok = await rawGet(fulcrum.url, `/api/clusters/local/members/etcd-1/logs?${w}&source=member&limit=5`);
  expect(ok.status).toBe(200);
  expect((JSON.parse(ok.body) as { lines: unknown[] }).lines.length).toBeGreaterThan(0);
});

test('freeze a member, click its heatmap cell, see the frozen window: status, finding, log lines with signals', async ({
  page,
  stack,
  fulcrum,
}, testInfo) => {
  const base = fulcrum.url;
  // A settled cluster with a leader: freeze the leader (its own log then has the most to say).
  await expect.poll(async () => (await clusterState(base)).status, { timeout: 60_000 }).toBe('ok');
  const leader = await findLeader(stack.cluster.members);
  expect(leader).toBeDefined();
  const i = stack.cluster.members.indexOf(leader!);
  const name = leader!.name;
  const endpoint = leader!.clientUrl;

  await page.goto(`${base}/clusters/local?range=5m`);
  await expect(page.getByTestId('heatmap-canvas')).toBeVisible();

  const freezeAt = Date.now();
  stack.cluster.freeze(i);
  let thawAt = 0;
  try {
    // Fulcrum sees it down, and the diagnosis raises its finding.
    await expect
      .poll(
        async () =>
          (await clusterState(base)).findings.filter(
            (f) => ['member-down', 'unhealthy-serving'].includes(f.kind) && f.members.includes(endpoint),
          ).length,
        {
          // Frozen (timeouts): an overloaded Fulcrum excuses a few first (by design) at polls up to 8 s apart.
          timeout: 90_000,
          message: `a member-down (or unhealthy-serving) finding about ${name}`,
        },
      )
      .toBeGreaterThan(0);
    await page.waitForTimeout(2_000);

    // Click its row in the middle of the frozen span so far.
    const canvas = page.getByTestId('heatmap-canvas');
    const box = (await canvas.boundingBox())!;
    const rows = Number(await canvas.getAttribute('data-rows'));
    const to = Date.now();
    const from = to - 5 * 60_000;
    const target = freezeAt + (to - freezeAt) / 2;
    const x = ((target - from) / (to - from)) * box.width;
    const y = (i + 0.5) * (box.height / rows);
    await canvas.click({ position: { x, y } });

    await page.waitForURL(/\/clusters\/local\/members\/[^/?]+\?from=\d+&to=\d+/, { timeout: 20_000 });
    const url = new URL(page.url());
    expect(decodeURIComponent(url.pathname)).toBe(`/clusters/local/members/${name}`);
    const wFrom = Number(url.searchParams.get('from'));
    const wTo = Number(url.searchParams.get('to'));
    expect(wFrom).toBeLessThanOrEqual(freezeAt);
    expect(wTo).toBeGreaterThanOrEqual(Date.now());
    expect(wTo - wFrom).toBe(300_000);

    const view = page.getByTestId('member-view');
    await expect(view).toHaveAttribute('data-member', name);
    // The related finding, next to the window.
    await expect(
      page
        .locator(
          '[data-testid="member-finding"][data-kind="member-down"], [data-testid="member-finding"][data-kind="unhealthy-serving"]',
        )
        .first(),
    ).toBeVisible({ timeout: 20_000 });
    // The status strip shows it down in the window.
    await expect
      .poll(async () => Number(await page.getByTestId('status-strip').getAttribute('data-down-ms')), {
        timeout: 20_000,
      })
      .toBeGreaterThan(1_000);
    // Stay frozen until HAProxy's health check has taken it out too (its DOWN line is a signal).
    await expect
      .poll(async () => (await stack.haproxy.serverStats())[name]?.status ?? '', {
        timeout: 30_000,
        message: `HAProxy marks ${name} DOWN`,
      })
      .toMatch(/^DOWN/);
  } finally {
    stack.cluster.thaw(i);
    thawAt = Date.now();
  }

  // The window reaches the present: the page refreshes itself. The balancer's line marking the
  // member DOWN (written while it was frozen) and the member's own lines after SIGCONT show up,
  // highlighted, with their signals counted.
  // Only the signal lines: the balancer's ordinary sessions would push them off the first page.
  await page.getByTestId('log-signals-only').check();
  await expect(page).toHaveURL(/signals=1/);
  const lines = page.getByTestId('log-line');
  await expect(
    page.locator('[data-testid="log-line"][data-source="balancer"][data-signals~="lb-server-down"]').first(),
  ).toBeVisible({ timeout: 60_000 });
  await expect(
    page.locator('[data-testid="log-line"][data-source="member"][data-signals]:not([data-signals=""])').first(),
  ).toBeVisible({ timeout: 60_000 });
  const times = await lines.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-t'))).filter((t) => t > 0));
  expect(times.length).toBeGreaterThan(0);
  const wFrom = Number(new URL(page.url()).searchParams.get('from'));
  for (const t of times) expect(t).toBeGreaterThanOrEqual(wFrom);
  expect(await lines.evaluateAll((els) => els.every((e) => (e.getAttribute('data-signals') ?? '') !== ''))).toBe(true);
  const down = await page
    .locator('[data-testid="log-line"][data-signals~="lb-server-down"]')
    .first()
    .getAttribute('data-t');
  expect(Number(down)).toBeGreaterThanOrEqual(freezeAt);
  expect(Number(down)).toBeLessThanOrEqual(thawAt + 2_000);
  await expect(page.locator('[data-testid="signal-row"][data-signal="lb-server-down"]')).toBeVisible();
  // Still shown after it closed, marked resolved.
  await expect(page.locator('[data-testid="member-finding"]').first()).toBeVisible();

  // Screenshots of the page, light and dark, for a human to look at.
  await page.getByTestId('member-logs-section').scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: testInfo.outputPath('member-light.png'), fullPage: true });
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveClass(/dark/);
  await page.screenshot({ path: testInfo.outputPath('member-dark.png'), fullPage: true });
  fs.copyFileSync(testInfo.outputPath('member-light.png'), path.join('test-results', 'member-light.png'));
  fs.copyFileSync(testInfo.outputPath('member-dark.png'), path.join('test-results', 'member-dark.png'));
});
