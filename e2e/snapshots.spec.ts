// Incident snapshots, end to end on the real local stack: log in, freeze a member, create a
// snapshot from the cluster page's "Snapshot" button, then stop the whole stack and Fulcrum,
// start Fulcrum again, and open the link in a fresh browser context with no cookies: the same
// members, scores, findings and log excerpts. Then export it and import it into a second
// Fulcrum with an empty store: the same rendering again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import YAML from 'yaml';
import { startStack, type Stack } from '../dev/stack';
import { startFulcrum, type FulcrumServer } from './fixtures';
import type { SnapshotRecord } from '../lib/store/types';

const TOKEN = 'e2e-admin-token-5f1c9a7d2b';
const SHOTS = path.resolve('e2e/screenshots');

interface SnapshotView {
  title: string;
  members: Array<{ name: string; status: string; leader: string; endpoint: string; value: string; share: string }>;
  score: string;
  scoreEqual: string;
  findings: string[];
  findingCount: string;
  excerpts: Record<string, string[]>;
  excerptCount: string;
}

/** What a snapshot page shows, read from the DOM (stable text and data attributes only). */
async function readSnapshot(page: Page): Promise<SnapshotView> {
  await expect(page.getByTestId('snapshot-banner')).toBeVisible();
  await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-state', 'snapshot');
  const rows = page.locator('[data-testid="member-table"] tbody tr');
  const members = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const r = rows.nth(i);
    members.push({
      name: (await r.getAttribute('data-testid'))!.replace('member-row-', ''),
      status: (await r.getAttribute('data-status'))!,
      leader: (await r.getAttribute('data-leader'))!,
      endpoint: (await r.getAttribute('data-endpoint'))!,
      value: (await r.getByTestId('member-value').textContent())!.trim(),
      share: (await r.getByTestId('member-share').textContent())!.trim(),
    });
  }
  const excerpts: Record<string, string[]> = {};
  const sections = page.locator('[data-testid^="excerpt-member-"]');
  for (let i = 0; i < (await sections.count()); i++) {
    const s = sections.nth(i);
    excerpts[(await s.getAttribute('data-testid'))!.replace('excerpt-member-', '')] = await s
      .getByTestId('excerpt-msg')
      .allTextContents();
  }
  return {
    title: (await page.getByTestId('snapshot-title').textContent()) ?? '',
    members,
    score: (await page.getByTestId('cluster-score').getAttribute('data-score'))!,
    scoreEqual: (await page.getByTestId('score-equal').getAttribute('data-score'))!,
    findings: await page.locator('[data-testid="finding-card"] h3').allTextContents(),
    findingCount: (await page.getByTestId('findings-panel').getAttribute('data-count'))!,
    excerpts,
    excerptCount: (await page.getByTestId('log-excerpts').getAttribute('data-count'))!,
  };
}

/** Ids of the active findings on the page (titles carry live numbers that move between polls). */
async function liveFindings(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid="finding-card"]')
    .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-finding-id') ?? ''));
}

async function fresh(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  expect(await ctx.cookies()).toEqual([]);
  return ctx.newPage();
}

test('a snapshot outlives the stack, and export → import into an empty Fulcrum renders the same', async ({
  browser,
}) => {
  test.setTimeout(420_000);
  fs.mkdirSync(SHOTS, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fulcrum-e2e-snap-'));
  const env = { FULCRUM_E2E_ADMIN_TOKEN: TOKEN };
  let stack: Stack | null = null;
  let f1: FulcrumServer | null = null;
  let f2: FulcrumServer | null = null;
  let f3: FulcrumServer | null = null;
  try {
    stack = await startStack({ dir: path.join(dir, 'stack') });
    // The stack's config, plus access control and a data dir of our own.
    const cfg = YAML.parse(fs.readFileSync(stack.configFile, 'utf8'));
    cfg.auth = { adminTokenEnv: 'FULCRUM_E2E_ADMIN_TOKEN' };
    cfg.snapshots = { dataDir: path.join(dir, 'data-1'), defaultExpiry: '1d' };
    const configFile = path.join(dir, 'fulcrum.yaml');
    fs.writeFileSync(configFile, YAML.stringify(cfg));
    f1 = await startFulcrum(configFile, dir, env);
    const url1 = f1.url;

    // Log in through the form; it brings us back to the cluster page.
    const live = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await live.goto(`${f1.url}/login?next=${encodeURIComponent('/clusters/local?range=5m')}`);
    await live.getByTestId('login-token').fill(TOKEN);
    await live.getByTestId('login-name').fill('e2e-sre');
    await live.getByTestId('login-submit').click();
    await expect(live).toHaveURL(/\/clusters\/local\?range=5m$/);
    await expect(live.getByTestId('connection-indicator')).toHaveAttribute('data-state', 'live');
    await expect(live.getByTestId('members-up')).toHaveText(/3\/3 members up/, { timeout: 30_000 });
    // Some history first, so the heatmap has something to freeze.
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${url1}/api/clusters/local?frames=1`)).json()) as { frames: unknown[] }).frames.length,
        // 30 polls: a busy machine backs Fulcrum off to polls up to 8 s apart for a while.
        { timeout: 180_000 },
      )
      .toBeGreaterThanOrEqual(30);

    // Freeze a follower: a member-down finding, and peers logging that they lost it.
    const followers = live.locator('[data-testid^="member-row-"][data-leader="false"]');
    await expect(followers).toHaveCount(2, { timeout: 30_000 });
    const frozenName = (await followers.last().getAttribute('data-testid'))!.replace('member-row-', '');
    const frozenIndex = stack.cluster.members.findIndex((m) => m.name === frozenName);
    expect(frozenIndex).toBeGreaterThanOrEqual(0);
    stack.cluster.freeze(frozenIndex);
    // Frozen (timeouts): an overloaded Fulcrum excuses a few first (by design) at polls up to 8 s apart.
    await expect(live.getByTestId(`member-row-${frozenName}`)).toHaveAttribute('data-status', 'down', {
      timeout: 90_000,
    });
    await expect(live.locator('[data-testid="finding-card"]').first()).toBeVisible({ timeout: 60_000 });
    const liveMembers = await live.locator('[data-testid^="member-row-"]').evaluateAll((rows) =>
      rows.map((r) => ({
        name: r.getAttribute('data-testid')!.replace('member-row-', ''),
        status: r.getAttribute('data-status'),
        endpoint: r.getAttribute('data-endpoint'),
      })),
    );

    // The share dialog says what will be included, then creates the snapshot.
    await live.getByTestId('snapshot-button').click();
    const dialog = live.getByTestId('share-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('share-window')).toContainText('last 5 min');
    await expect(dialog.getByTestId('share-findings')).toHaveAttribute('data-count', /[1-9]/, { timeout: 30_000 });
    await expect(dialog.getByTestId('share-log-lines')).toHaveAttribute('data-count', /[1-9]/);
    await expect(dialog.getByTestId('share-members')).toContainText(`${frozenName} (down)`);
    await expect(dialog.getByTestId('open-access-notice')).toHaveCount(0);
    await live.screenshot({ path: path.join(SHOTS, 'share-dialog.png') });
    await dialog.getByTestId('share-title').fill(`INC-4711 ${frozenName} frozen`);
    await dialog.getByTestId('share-note').fill('Paused with SIGSTOP by the e2e test.');
    await dialog.getByTestId('share-expiry').selectOption('never');
    const findingsBefore = await liveFindings(live);
    await dialog.getByTestId('share-create').click();
    await expect(dialog.getByTestId('share-link')).toHaveValue(/\/s\//, { timeout: 30_000 });
    const link = await dialog.getByTestId('share-link').inputValue();
    const findingsAfter = await liveFindings(live);
    expect(link).toMatch(new RegExp(`^${f1.url}/s/[A-Za-z0-9_-]{22}$`));
    const id = link.split('/s/')[1];
    await expect(dialog.getByTestId('share-delete-key')).toHaveText(/^[A-Za-z0-9_-]{43}$/);
    await live.screenshot({ path: path.join(SHOTS, 'share-created.png') });

    // The stored record (anyone with the link may read it).
    const record = (await (await fetch(`${f1.url}/api/snapshots/${id}`)).json()) as SnapshotRecord;
    expect(record.createdBy).toBe('e2e-sre');
    expect(record.expiresAt).toBeNull();
    expect(record.window.to - record.window.from).toBe(300_000);
    // The snapshot froze what the live page showed.
    expect(record.state.members.map((m) => ({ name: m.name, status: m.status, endpoint: m.endpoint }))).toEqual(
      liveMembers,
    );
    expect(record.state.findings.length).toBeGreaterThan(0);
    for (const f of record.state.findings) expect([...findingsBefore, ...findingsAfter]).toContain(f.id);
    expect(record.logs.status).toBe('ok');
    expect(record.logs.lineCount).toBeGreaterThan(0);
    // Its log excerpts are lines the live logs API serves for that window.
    for (const m of record.logs.members) {
      const qs = new URLSearchParams({
        from: String(record.window.from),
        to: String(record.window.to + 1),
        limit: '1000',
        level: 'warn',
      });
      const page = (await (
        await fetch(`${f1.url}/api/clusters/local/members/${encodeURIComponent(m.member)}/logs?${qs}`)
      ).json()) as { lines: Array<{ raw: string }> };
      const liveRaw = new Set(page.lines.map((l) => l.raw));
      for (const l of m.lines.filter((x) => x.reason === 'signal'))
        expect(liveRaw.has(l.raw), `${m.member}: ${l.msg}`).toBe(true);
    }

    // The snapshot page while everything still runs.
    const before = await fresh(browser);
    await before.goto(link);
    const seen = await readSnapshot(before);
    expect(seen.title).toBe(`INC-4711 ${frozenName} frozen`);
    expect(seen.members.map(({ name, status, endpoint }) => ({ name, status, endpoint }))).toEqual(liveMembers);
    expect(seen.findings).toEqual(
      [...record.state.findings]
        .sort(
          (a, b) =>
            ({ critical: 0, warning: 1, info: 2 })[a.severity] - { critical: 0, warning: 1, info: 2 }[b.severity] ||
            a.since - b.since,
        )
        .map((f) => f.title),
    );
    expect(seen.findingCount).toBe(String(record.state.findings.length));
    expect(seen.score).toBe(String(record.state.scores.requests.score ?? ''));
    expect(Number(seen.excerptCount)).toBe(record.logs.lineCount);
    await before.screenshot({ path: path.join(SHOTS, 'snapshot-page.png') });
    await before.screenshot({ path: path.join(SHOTS, 'snapshot-page-full.png'), fullPage: true });
    await before.context().close();

    // Stop the whole stack, and Fulcrum with it.
    await stack.stop();
    stack = null;
    await f1.stop();
    f1 = null;

    // A new Fulcrum on the same data dir: the cluster is gone, the snapshot is not.
    f2 = await startFulcrum(configFile, dir, env);
    const after = await fresh(browser);
    await after.goto(link.replace(/^http:\/\/127\.0\.0\.1:\d+/, f2.url));
    expect(await readSnapshot(after)).toEqual(seen);
    await expect(after.getByTestId('snapshot-created-by')).toHaveText('e2e-sre');
    await expect(after.getByTestId('snapshot-note')).toHaveText('Paused with SIGSTOP by the e2e test.');
    // Every drill-down link stays inside the snapshot.
    const drill = await after
      .getByTestId('finding-drilldown')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(drill.length).toBeGreaterThan(0);
    for (const h of drill) expect(h).toMatch(new RegExp(`^/s/${id}/members/`));
    // Drill-down inside the snapshot: the frozen member, from frozen data.
    await after.getByTestId(`snapshot-member-link-${frozenName}`).click();
    await expect(after).toHaveURL(new RegExp(`/s/${id}/members/${frozenName}$`));
    const memberView = after.getByTestId('member-view');
    await expect(memberView).toHaveAttribute('data-member', frozenName);
    await expect(memberView).toHaveAttribute('data-from', String(record.window.from));
    await expect(memberView.locator('header [data-status]').first()).toHaveAttribute('data-status', 'down');
    await expect(memberView.getByTestId('log-line')).toHaveCount(seen.excerpts[frozenName]?.length ?? 0);
    expect(await memberView.getByTestId('log-msg').allTextContents()).toEqual(
      [...(seen.excerpts[frozenName] ?? [])].reverse(),
    );
    await expect(memberView.getByTestId('status-strip')).toBeVisible();
    await after.screenshot({ path: path.join(SHOTS, 'snapshot-member.png'), fullPage: true });
    await memberView.getByTestId('member-back').click();
    await expect(after.getByTestId('snapshot-view')).toBeVisible();
    // Export: one JSON file.
    const [download] = await Promise.all([
      after.waitForEvent('download'),
      after.getByTestId('snapshot-export').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^fulcrum-snapshot-local-.*\.json$/);
    const exported = fs.readFileSync((await download.path())!, 'utf8');
    expect(exported).not.toContain(TOKEN);
    await after.context().close();
    // Without the token, nobody may list, import or create.
    expect((await fetch(`${f2.url}/api/snapshots`)).status).toBe(401);
    expect((await fetch(`${f2.url}/api/snapshots/import`, { method: 'POST', body: exported })).status).toBe(401);
    await f2.stop();
    f2 = null;

    // A second Fulcrum with an empty store: import, and the same rendering.
    f3 = await startFulcrum(configFile, dir, { ...env, FULCRUM_DATA_DIR: path.join(dir, 'data-2') });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    expect(
      ((await (await fetch(`${f3.url}/api/snapshots`, { headers: auth })).json()) as { snapshots: unknown[] })
        .snapshots,
    ).toEqual([]);
    const bad = await fetch(`${f3.url}/api/snapshots/import`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: exported.replace('"schemaVersion":1', '"schemaVersion":9'),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/schemaVersion 9 is newer/);
    const imp = await fetch(`${f3.url}/api/snapshots/import`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: exported,
    });
    expect(imp.status).toBe(201);
    const imported = (await imp.json()) as { path: string; originalId: string };
    expect(imported.originalId).toBe(id);
    const third = await fresh(browser);
    await third.goto(`${f3.url}${imported.path}`);
    expect(await readSnapshot(third)).toEqual(seen);
    await third.screenshot({ path: path.join(SHOTS, 'snapshot-imported.png') });
    const list = (await (await fetch(`${f3.url}/api/snapshots`, { headers: auth })).json()) as {
      snapshots: Array<{ path: string }>;
    };
    expect(list.snapshots.map((s) => s.path)).toEqual([imported.path]);
    await third.context().close();
  } finally {
    await f3?.stop();
    await f2?.stop();
    await f1?.stop();
    await stack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
