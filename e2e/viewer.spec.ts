// A kiosk with no login: an admin makes a wall link, a fresh browser opens it and is a viewer.
// It lands on /wall, which goes live over one EventSource with no console errors (the page's CSP
// nonce covers every script); the same browser cannot write. Without the link: the login page.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { expect, test, watchPage } from './fixtures';

const ADMIN = 'e2e-admin-token-0123456789';
const VIEWER = 'e2e-viewer-token-0123456789';

test('a wall link opens /wall read-only in a browser that never logged in', async ({
  stack,
  workDir,
  browser,
  ownFulcrum,
}) => {
  const cfg = YAML.parse(fs.readFileSync(stack.configFile, 'utf8'));
  cfg.auth = { adminTokenEnv: 'E2E_ADMIN_TOKEN', viewerTokensEnv: 'E2E_VIEWER_TOKENS' };
  cfg.snapshots = { dataDir: path.join(workDir, 'viewer-data') };
  const configFile = path.join(workDir, 'viewer.yaml');
  fs.writeFileSync(configFile, YAML.stringify(cfg));
  const f = await ownFulcrum(configFile, { E2E_ADMIN_TOKEN: ADMIN, E2E_VIEWER_TOKENS: VIEWER });
  const kiosk = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  try {
    const page = await kiosk.newPage();
    const { errors, streams } = watchPage(page);

    // Without the link: the login form, not the wall.
    await page.goto(`${f.url}/wall`);
    await expect(page).toHaveURL(/\/login\?next=%2Fwall/);
    // What a kiosk browser pins, with no login: the manifest (fullscreen, starting at /wall) and every icon it names.
    const manifest = await page.request.get(`${f.url}/manifest.webmanifest`);
    expect(manifest.status()).toBe(200);
    const m = (await manifest.json()) as { display: string; start_url: string; icons: { src: string; type: string }[] };
    expect(m).toMatchObject({ display: 'fullscreen', start_url: '/wall' });
    expect(m.icons.length).toBeGreaterThanOrEqual(2);
    for (const icon of [...m.icons, { src: '/favicon.svg', type: 'image/svg+xml' }]) {
      const r = await page.request.get(`${f.url}${icon.src}`);
      expect(r.status(), icon.src).toBe(200);
      expect(r.headers()['content-type'], icon.src).toContain(icon.type);
    }

    const made = await fetch(`${f.url}/api/wall-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'e2e kiosk', path: '/wall?rotate=0&theme=dark', expiry: '1d' }),
    });
    expect(made.status).toBe(201);
    const { linkPath } = (await made.json()) as { linkPath: string };

    await page.goto(`${f.url}${linkPath}`);
    await expect(page).toHaveURL(/\/wall\?rotate=0&theme=dark$/);
    const wall = page.getByTestId('wall');
    await expect(wall).toHaveAttribute('data-freshness', 'live', { timeout: 30_000 });
    await expect(page.getByTestId('wall-counts')).toBeVisible();
    await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');
    await expect(page.locator('link[rel="icon"]').first()).toHaveAttribute('href', /favicon\.svg/);
    expect(streams.filter((u) => u.includes('/api/fleet/stream'))).toHaveLength(1);

    expect(errors).toEqual([]);
    // The same browser, through its session cookie, may not write.
    const tried = await page.evaluate(async () => {
      const r = await fetch('/api/snapshots', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cluster: 'local' }),
      });
      return r.status;
    });
    expect(tried).toBe(403);
    // The cluster page opens too, read-only.
    await page.goto(`${f.url}/clusters/local`);
    await expect(page.getByTestId('cluster-toolbar')).toBeVisible();
    // Only the refused write's own "403" line.
    expect(errors.filter((e) => !/status of 403/.test(e))).toEqual([]);
  } finally {
    await kiosk.close();
  }
});
