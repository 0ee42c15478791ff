// Diagnosis on the page, on the real local stack: a fault injected into HAProxy (skew-weights)
// raises its finding with evidence and a fix to copy, marks the timeline and the heatmap, and
// clears once undone. The demo fault panel: absent and unreachable in normal mode; with
// FULCRUM_DEMO=1 and the stack's control endpoint, `freeze` injected from the UI shows the
// member down, and undone from the UI brings it back.
import path from 'node:path';
import { startControlServer, type ControlServer } from '../dev/control';
import { injectFault, type FaultRun } from '../dev/faults';
import { expect, startFulcrum, test, type FulcrumServer } from './fixtures';

test.describe.configure({ mode: 'serial' });

const SHOTS = path.resolve('e2e/screenshots');

interface StateLike {
  status: string;
  members: Array<{ endpoint: string; name: string; status: string }>;
  findings: Array<{ kind: string; members: string[] }>;
}

async function clusterState(base: string): Promise<StateLike> {
  const r = await fetch(`${base}/api/clusters/local`);
  return (await r.json()) as StateLike;
}

test('normal mode: no fault panel on the page, and the demo routes answer 404', async ({ page, fulcrum }) => {
  await page.goto(`${fulcrum.url}/clusters/local`);
  await expect(page.getByTestId('cluster-view')).toBeVisible();
  await expect(page.getByTestId('heatmap-canvas')).toBeVisible();
  await expect(page.getByTestId('demo-fault-panel')).toHaveCount(0);
  await expect(page.getByText('Inject fault (demo)')).toHaveCount(0);
  for (const [method, p] of [
    ['GET', '/api/demo/faults'],
    ['POST', '/api/demo/faults/freeze'],
    ['POST', '/api/demo/faults/freeze?member=1'],
    ['DELETE', '/api/demo/faults/freeze'],
    ['POST', '/api/demo/faults/not-a-fault'],
  ] as const) {
    const r = await fetch(`${fulcrum.url}${p}`, { method });
    expect(r.status, `${method} ${p}`).toBe(404);
  }
});

test('skew-weights: the finding appears with evidence, a fix to copy and markers, then clears after undo', async ({
  page,
  context,
  stack,
  fulcrum,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: fulcrum.url });
  await expect.poll(async () => (await clusterState(fulcrum.url)).status, { timeout: 60_000 }).toBe('ok');
  await page.goto(`${fulcrum.url}/clusters/local?range=5m`);
  await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-state', 'live');
  const card = page.locator('[data-testid="finding-card"][data-kind="request-skew"]');
  await expect(card).toHaveCount(0);
  await expect(page.locator('[data-testid="timeline-finding-marker"][data-kind="request-skew"]')).toHaveCount(0);

  let run: FaultRun | null = await injectFault(stack, 'skew-weights');
  try {
    expect(run.member).toBe('etcd-3');
    // The finding: on etcd-3, with evidence rows and the runtime-API fix.
    await expect(card).toHaveCount(1, { timeout: 60_000 });
    await expect(card).toContainText('etcd-3');
    await expect(card.getByTestId('finding-evidence').locator('tbody tr')).not.toHaveCount(0);
    await expect(card.getByTestId('finding-evidence')).toContainText('10/10/80');
    const fix = card.getByTestId('finding-fix').filter({ hasText: 'set server etcd/etcd-3 weight 10' });
    await expect(fix).toHaveCount(1);
    const fixText = (await fix.locator('pre').textContent()) ?? '';
    expect(fixText).toContain('set server etcd/etcd-3 weight 10');

    // Copy puts exactly the fix on the clipboard, and the button says so.
    const copy = fix.getByTestId('copy-fix');
    await copy.click();
    await expect(copy).toHaveAttribute('data-state', 'copied');
    await expect(copy).toHaveText('✓ Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(fixText);

    // Marked on the timeline (a flag at its start, with its title) and on etcd-3's heatmap row.
    const marker = page.locator('[data-testid="timeline-finding-marker"][data-kind="request-skew"]');
    await expect(marker).toHaveCount(1);
    await expect(marker).toHaveAttribute('data-severity', /^(warning|critical)$/);
    await expect(marker.locator('title')).toHaveText(/etcd-3/);
    await expect(page.getByTestId('timeline')).not.toHaveAttribute('data-findings', '0');
    await expect
      .poll(async () => Number(await page.getByTestId('heatmap-canvas').getAttribute('data-finding-marks')))
      .toBeGreaterThan(0);
    // On the canvas: the top of etcd-3's row, at the right edge, is painted in a severity colour (light theme).
    const SEVERE = ['220,38,38', '217,119,6'];
    await expect
      .poll(() =>
        page.getByTestId('heatmap-canvas').evaluate((c: HTMLCanvasElement) => {
          const rh = Math.round(c.height / 3);
          return Array.from(
            c
              .getContext('2d')!
              .getImageData(c.width - 3, 2 * rh + 1, 1, 1)
              .data.slice(0, 3),
          ).join(',');
        }),
      )
      .toMatch(new RegExp(`^(${SEVERE.join('|')})$`));
    const heatmap = page.getByTestId('heatmap-section');
    await expect(heatmap.locator('[data-testid="heatmap-row-finding"][title*="etcd-3 carries"]')).toHaveCount(1);
    // The member table agrees: HAProxy's runtime weight for etcd-3 is 80, configured 10.
    await expect(page.getByTestId('member-row-etcd-3').getByTestId('member-balancer')).toHaveAttribute(
      'data-weight',
      '80',
    );
    await expect(page.getByTestId('member-row-etcd-3').getByTestId('member-balancer')).toContainText('cfg 10');
    // What was checked: request-skew is firing.
    await page.getByTestId('findings-checked-summary').click();
    await expect(page.locator('[data-testid="findings-checked"] [data-kind="request-skew"]')).toHaveAttribute(
      'data-state',
      'firing',
    );

    await page.screenshot({ path: path.join(SHOTS, 'diagnosis-skew-light.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await expect(page.locator('html')).toHaveClass(/dark/);
    await expect(card).toHaveCount(1);
    await expect
      .poll(async () => Number(await page.getByTestId('heatmap-canvas').getAttribute('data-finding-marks')))
      .toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'diagnosis-skew-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();
    await expect(page.locator('html')).not.toHaveClass(/dark/);

    await run.undo();
    run = null;
    // Cleared: no card, no marker.
    await expect(card).toHaveCount(0, { timeout: 90_000 });
    // ...and listed as resolved, with when.
    await expect(page.getByTestId('findings-resolved')).toContainText('Resolved recently');
    await expect(page.locator('[data-testid="resolved-finding-card"][data-kind="request-skew"]')).toHaveCount(1);
    await expect(page.locator('[data-testid="timeline-finding-marker"][data-kind="request-skew"]')).toHaveCount(0);
    await expect(page.getByTestId('member-row-etcd-3').getByTestId('member-balancer')).toHaveAttribute(
      'data-weight',
      '10',
    );
  } finally {
    await run?.undo();
  }
});

test('demo mode: inject freeze from the panel, see the member down, undo it from the panel', async ({
  page,
  stack,
  workDir,
}) => {
  let control: ControlServer | null = null;
  let demo: FulcrumServer | null = null;
  try {
    control = await startControlServer(stack);
    demo = await startFulcrum(stack.configFile, workDir, { FULCRUM_DEMO: '1', FULCRUM_DEMO_CONTROL_URL: control.url });
    const api = await fetch(`${demo.url}/api/demo/faults`);
    expect(api.status).toBe(200);
    expect(((await api.json()) as { active: unknown[] }).active).toEqual([]);
    // Bad input is refused before it reaches the stack.
    expect((await fetch(`${demo.url}/api/demo/faults/freeze?member=42`, { method: 'POST' })).status).toBe(400);
    expect((await fetch(`${demo.url}/api/demo/faults/rm-rf`, { method: 'POST' })).status).toBe(400);
    expect(control.active()).toEqual([]);

    await expect
      .poll(async () => (await clusterState(demo!.url)).members.filter((m) => m.status === 'up').length, {
        timeout: 60_000,
      })
      .toBe(3);
    await page.goto(`${demo.url}/clusters/local?range=5m`);
    const panel = page.getByTestId('demo-fault-panel');
    await expect(panel).toBeVisible();
    await expect(panel.getByTestId('demo-active-count')).toHaveText('0');
    await panel.getByTestId('demo-fault-select').selectOption('freeze');
    await panel.getByTestId('demo-member-select').selectOption('etcd-2');
    await panel.getByTestId('demo-inject').click();
    await expect(panel.locator('[data-testid="demo-active-fault"][data-name="freeze"]')).toBeVisible({
      timeout: 30_000,
    });
    await expect(panel.locator('[data-testid="demo-active-fault"][data-name="freeze"]')).toHaveAttribute(
      'data-member',
      'etcd-2',
    );
    await expect(panel.getByTestId('demo-message')).toHaveAttribute('data-tone', 'ok');
    expect(control.active().map((r) => r.name)).toEqual(['freeze']);

    // etcd-2 stops answering: its row goes down and the member-down finding appears.
    // Frozen (timeouts): an overloaded Fulcrum excuses a few first (by design) at polls up to 8 s apart.
    await expect(page.getByTestId('member-row-etcd-2')).toHaveAttribute('data-status', 'down', { timeout: 60_000 });
    const down = page.locator('[data-testid="finding-card"][data-kind="member-down"]');
    await expect(down).toHaveCount(1, { timeout: 30_000 });
    await expect(down).toContainText('etcd-2');
    await page.screenshot({ path: path.join(SHOTS, 'diagnosis-demo-freeze-light.png'), fullPage: true });

    // Undo from the panel.
    await panel.locator('[data-testid="demo-active-fault"][data-name="freeze"]').getByTestId('demo-undo').click();
    await expect(panel.locator('[data-testid="demo-active-fault"]')).toHaveCount(0, { timeout: 30_000 });
    await expect(panel.getByTestId('demo-message')).toContainText('freeze undone');
    expect(control.active()).toEqual([]);
    await expect(page.getByTestId('member-row-etcd-2')).toHaveAttribute('data-status', 'up', { timeout: 30_000 });
    await expect(down).toHaveCount(0, { timeout: 60_000 });
  } finally {
    if (control) {
      await control.undoAll(10_000);
      await control.stop();
    }
    await demo?.stop();
  }
});
