// The wall runs for weeks: a soak on the real local stack with Fulcrum polling every 100 ms (a
// fleet tick per poll: ~10 deltas a second) and /wall rotating every 2 s. The skew-weights fault
// goes on and off every 30 s: each time on, a new critical finding takes the screen (the cluster
// slide, its heatmap and its lazily loaded timeline mount), each time off, it clears and the
// fleet slide comes back (they unmount). After a warm-up, the JS heap and the
// DOM node count (CDP Performance.getMetrics, after a forced GC) must stay within 20 % of their
// level at the end of the warm-up, with no console error.
//
// `npx playwright test` runs a 2-minute version; `npm run test:soak` the 10-minute one
// (FULCRUM_SOAK_MINUTES), which also writes bench/results/wall-soak.md for the README.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { injectFault, type FaultRun } from '../dev/faults';
import { startStack, type Stack } from '../dev/stack';
import { expect, startFulcrum, test, type FulcrumServer } from './fixtures';

const MINUTES = Number(process.env.FULCRUM_SOAK_MINUTES ?? 2);
const POLL_MS = 100;
const SAMPLE_MS = 5_000;

test.describe.configure({ mode: 'serial' });
test.setTimeout((MINUTES + 5) * 60_000);

interface Sample {
  t: number;
  heap: number;
  nodes: number;
  listeners: number;
  deltas: number;
}

test(`the wall holds its memory for ${MINUTES} min at a ${POLL_MS} ms poll`, async ({ page, workDir }) => {
  let stack: Stack | null = null;
  let fulcrum: FulcrumServer | null = null;
  let fault: FaultRun | null = null;
  let toggling = true;
  let toggler: Promise<void> | null = null;
  try {
    stack = await startStack({ dir: path.join(workDir, 'soak-stack'), prometheus: false, loadRate: 100 });
    fulcrum = await startFulcrum(stack.configFile, workDir, { FULCRUM_POLL_INTERVAL_MS: String(POLL_MS) });
    fault = await injectFault(stack, 'skew-weights');

    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const streams: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/stream')) streams.push(r.url());
    });

    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(`${fulcrum.url}/wall?rotate=2s&theme=dark`);
    const wall = page.getByTestId('wall');
    await expect(wall).toHaveAttribute('data-freshness', 'live', { timeout: 30_000 });
    // The skew makes the cluster a slide of its own: the round is fleet → local → fleet …
    await expect(wall).toHaveAttribute('data-slide', 'cluster:local', { timeout: 60_000 });

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    // One reading after a forced GC still holds whatever the 10 Hz updates have in flight (a
    // parsed delta, a render in progress): the level is the smallest of three readings 300 ms apart.
    const reading = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const m = (name: string) => metrics.find((x) => x.name === name)?.value ?? Number.NaN;
      return { heap: m('JSHeapUsedSize'), nodes: m('Nodes'), listeners: m('JSEventListeners') };
    };
    const sample = async (): Promise<Sample> => {
      const rs = [];
      for (let i = 0; i < 3; i++) {
        if (i) await page.waitForTimeout(300);
        rs.push(await reading());
      }
      return {
        t: Date.now(),
        heap: Math.min(...rs.map((r) => r.heap)),
        nodes: Math.min(...rs.map((r) => r.nodes)),
        listeners: Math.min(...rs.map((r) => r.listeners)),
        deltas: Number(await wall.getAttribute('data-deltas')),
      };
    };

    // Incidents come and go: the fault toggles every 30 s for the whole soak.
    toggler = (async () => {
      while (toggling) {
        await new Promise((r) => setTimeout(r, 30_000));
        if (!toggling || !stack) break;
        if (fault) {
          await fault.undo();
          fault = null;
        } else fault = await injectFault(stack, 'skew-weights');
      }
    })();

    const start = Date.now();
    const end = start + MINUTES * 60_000;
    const warmupEnd = start + Math.max(30_000, MINUTES * 60_000 * 0.2);
    await page.waitForTimeout(warmupEnd - Date.now());
    const base = await sample();
    const samples: Sample[] = [base];
    const slides = new Set<string>();
    while (Date.now() < end) {
      await page.waitForTimeout(Math.min(SAMPLE_MS, Math.max(0, end - Date.now())));
      slides.add((await wall.getAttribute('data-slide')) ?? '');
      samples.push(await sample());
    }
    toggling = false;
    await toggler;
    const last = samples[samples.length - 1];
    const ratio = (k: 'heap' | 'nodes') => samples.map((s) => s[k] / base[k]);
    const heapR = ratio('heap');
    const nodesR = ratio('nodes');
    const minutes = (last.t - start) / 60_000;
    const ticks = last.deltas;
    const row = {
      minutes: Number(minutes.toFixed(1)),
      ticks,
      heapBaseMB: Number((base.heap / 2 ** 20).toFixed(2)),
      heapMaxPct: Number(((Math.max(...heapR) - 1) * 100).toFixed(1)),
      heapMinPct: Number(((Math.min(...heapR) - 1) * 100).toFixed(1)),
      heapEndPct: Number(((last.heap / base.heap - 1) * 100).toFixed(1)),
      nodesBase: base.nodes,
      nodesMax: Math.max(...samples.map((s) => s.nodes)),
      nodesMin: Math.min(...samples.map((s) => s.nodes)),
      listenersBase: base.listeners,
      listenersMax: Math.max(...samples.map((s) => s.listeners)),
      streams: streams.length,
      consoleErrors: errors.length,
    };
    console.log(`wall soak: ${JSON.stringify(row)}`);
    console.log(
      `wall soak samples (s: heap MB / nodes): ${samples.map((x) => `${Math.round((x.t - start) / 1000)}: ${(x.heap / 2 ** 20).toFixed(2)}/${x.nodes}`).join(', ')}`,
    );
    if (MINUTES >= 10) {
      const out = path.resolve('bench/results');
      mkdirSync(out, { recursive: true });
      writeFileSync(
        path.join(out, 'wall-soak.md'),
        [
          `# Wall soak (${new Date().toISOString().slice(0, 16)}Z, \`npm run test:soak\`)`,
          '',
          `/wall at 1920×1080, rotate=2s, Fulcrum polling one real 3-member cluster every ${POLL_MS} ms (skew-weights on), GC forced before each sample, baseline after a ${Math.round((warmupEnd - start) / 1000)} s warm-up.`,
          '',
          '| minutes | fleet deltas | JS heap at baseline | heap vs baseline (min / max / end) | DOM nodes (baseline / min / max) | listeners (baseline / max) | streams opened | console errors |',
          '|---|---|---|---|---|---|---|---|',
          `| ${row.minutes} | ${row.ticks} | ${row.heapBaseMB} MB | ${row.heapMinPct} % / +${row.heapMaxPct} % / ${row.heapEndPct} % | ${row.nodesBase} / ${row.nodesMin} / ${row.nodesMax} | ${row.listenersBase} / ${row.listenersMax} | ${row.streams} | ${row.consoleErrors} |`,
          '',
        ].join('\n'),
      );
    }

    // It really ran: most of the ticks reached the page, and it rotated through both slides.
    expect(ticks).toBeGreaterThan(((minutes * 60_000) / POLL_MS) * 0.3);
    expect([...slides].some((s) => s.startsWith('cluster:'))).toBe(true);
    if (MINUTES >= 5) expect([...slides].some((s) => s.startsWith('fleet:'))).toBe(true);
    // Bounded: within 20 % of the level after warm-up, the whole time.
    for (const r of heapR) expect(Math.abs(r - 1)).toBeLessThanOrEqual(0.2);
    for (const r of nodesR) expect(Math.abs(r - 1)).toBeLessThanOrEqual(0.2);
    expect(row.listenersMax).toBeLessThanOrEqual(base.listeners * 1.2);
    // One EventSource the whole time (no reconnects on a healthy server), no console errors.
    expect(streams).toHaveLength(1);
    expect(errors).toEqual([]);
  } finally {
    toggling = false;
    await toggler?.catch(() => {});
    await (fault as FaultRun | null)?.undo().catch(() => {});
    await fulcrum?.stop();
    await stack?.stop();
  }
});
