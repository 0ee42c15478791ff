// The JS budget: loads each page of the production build in Chromium as a first visit (empty
// cache) and sums the gzip size of the scripts it loads. Initial JS = the scripts the HTML
// itself loads (Chromium says the parser started them): what must arrive before the page
// hydrates and answers clicks. What the page loads after that (next/dynamic or React.lazy: the
// charts once there is data, the log panel, the share dialog on a click; the fleet grid, the
// legend and the wall, drawn by the server and hydrated once their code arrives) is reported
// as "later" and not budgeted. Fails past a page's budget. Pages that do not exist yet (404) are
// listed and skipped, so a page in the table is checked as soon as it lands. Run after
// `next build` (npm test does); FULCRUM_DIST_DIR picks the build, as for `next build`.
// `--markdown` prints the README table, `--verbose` every script.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from '@playwright/test';
import { startFulcrum, writeDeadClusterConfig } from '../dev/lib/fulcrum';

interface PageBudget {
  path: string;
  what: string;
  /** gzip KB (1 KB = 1000 bytes) */
  budgetKB: number;
}

// The cluster is named `prod`, its member `a` (see the config below).
export const PAGES: PageBudget[] = [
  { path: '/', what: 'fleet page', budgetKB: 150 },
  { path: '/wall', what: 'wall screen', budgetKB: 150 },
  { path: '/clusters/prod', what: 'cluster page', budgetKB: 200 },
  { path: '/clusters/prod/members/a', what: 'member page', budgetKB: 200 },
  { path: '/login', what: 'login page', budgetKB: 150 },
];

/** The page has settled when no script arrived for this long (the cluster page keeps an SSE open: no "network idle"). */
const QUIET_MS = 1500;
const MAX_WAIT_MS = 20_000;

interface Script {
  path: string;
  gzipBytes: number;
  /** Loaded by the HTML (parser), not later by a script. */
  initial: boolean;
}

export interface Measured {
  page: PageBudget;
  status: number;
  /** Largest first. */
  scripts: Script[];
  initialBytes: number;
  laterBytes: number;
}

async function measure(page: Page, base: string, p: PageBudget): Promise<Measured> {
  // Who started each script request: the HTML parser, or a script (a dynamic import).
  const byParser = new Map<string, boolean>();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.requestWillBeSent', (e) => {
    if (e.type === 'Script' && !byParser.has(e.request.url)) byParser.set(e.request.url, e.initiator.type === 'parser');
  });
  const sizes = new Map<string, number>();
  let last = Date.now();
  const pending: Array<Promise<void>> = [];
  page.on('response', (r) => {
    if (r.request().resourceType() !== 'script' || !r.url().startsWith(base)) return;
    last = Date.now();
    pending.push(
      r
        .body()
        .then((b) => {
          sizes.set(r.url(), gzipSync(b).length);
        })
        .catch(() => undefined),
    );
  });
  const res = await page.goto(base + p.path, { waitUntil: 'load' });
  const status = res?.status() ?? 0;
  const start = Date.now();
  while (Date.now() - last < QUIET_MS && Date.now() - start < MAX_WAIT_MS) await page.waitForTimeout(250);
  await Promise.all(pending);
  const scripts = [...sizes.entries()]
    .map(([u, n]) => ({ path: new URL(u).pathname, gzipBytes: n, initial: byParser.get(u) ?? true }))
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
  const sum = (xs: Script[]) => xs.reduce((a, x) => a + x.gzipBytes, 0);
  return {
    page: p,
    status,
    scripts,
    initialBytes: sum(scripts.filter((x) => x.initial)),
    laterBytes: sum(scripts.filter((x) => !x.initial)),
  };
}

const kb = (n: number) => (n / 1000).toFixed(1);

async function main() {
  const markdown = process.argv.includes('--markdown');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-jsbudget-'));
  // Members that don't answer: the pages render their whole UI (down members, no data yet).
  const config = await writeDeadClusterConfig(dir, { members: 3 });
  const fulcrum = await startFulcrum(config, dir);
  const browser = await chromium.launch({
    executablePath: process.env.FULCRUM_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const results: Measured[] = [];
  try {
    for (const p of PAGES) {
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await ctx.newPage();
      results.push(await measure(page, fulcrum.url, p));
      await ctx.close();
    }
  } finally {
    await browser.close();
    await fulcrum.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  let over = 0;
  if (markdown) {
    console.log('| Page | Path | Initial JS (gzip) | Budget | Loaded later, on demand |');
    console.log('| --- | --- | ---: | ---: | ---: |');
  }
  for (const r of results) {
    const absent = r.status === 404;
    const bad = !absent && (r.status !== 200 || r.initialBytes > r.page.budgetKB * 1000);
    if (bad) over++;
    if (markdown) {
      if (!absent)
        console.log(
          `| ${r.page.what} | \`${r.page.path}\` | ${kb(r.initialBytes)} KB${bad ? ' (over)' : ''} | ${r.page.budgetKB} KB | ${kb(r.laterBytes)} KB |`,
        );
      continue;
    }
    if (process.argv.includes('--verbose'))
      for (const x of r.scripts)
        console.log(`    ${kb(x.gzipBytes).padStart(6)} KB  ${x.initial ? 'initial' : 'later  '}  ${x.path}`);
    const verdict = absent
      ? 'not there yet (404): skipped'
      : r.status !== 200
        ? `FAIL: HTTP ${r.status}`
        : bad
          ? `FAIL: over the ${r.page.budgetKB} KB budget`
          : `ok (budget ${r.page.budgetKB} KB)`;
    const n = r.scripts.filter((x) => x.initial).length;
    console.log(
      `${r.page.path.padEnd(28)} ${absent ? '' : `${kb(r.initialBytes).padStart(6)} KB gzip initial (${n} scripts), ${kb(r.laterBytes).padStart(6)} KB later  `}${verdict}`,
    );
  }
  if (over > 0) {
    console.error(`js-budget: ${over} page(s) over budget or failing`);
    process.exit(1);
  }
}

void main().catch((e) => {
  console.error('js-budget:', e);
  process.exit(1);
});
