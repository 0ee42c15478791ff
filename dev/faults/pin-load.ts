// pin-load: a second load generator on one never-reconnecting gRPC connection; it lands where it lands.
import path from 'node:path';
import { startLoad } from '../lib/load';
import { isRunning, waitFor } from '../lib/procs';
import type { Stack } from '../stack';
import { type Fault, type FaultRun, makeRun, sleep } from './fault';

const PINNED_KEY_PREFIX = '/fulcrum-fault/pinned/';

export const pinLoad: Fault = {
  name: 'pin-load',
  refusesMember: 'the member is wherever the pinned connection lands',
  inject: (stack) => pin(stack),
};

/**
 * Sum of grpc_server_started_total{grpc_service="etcdserverpb.KV"} over methods. A generous
 * deadline: a member of a busy 2-core machine took more than 2 s to answer /metrics (a failed
 * read counts as no requests in kvRates, and fails the L7 count outright).
 */
export async function kvRequestsStarted(clientUrl: string, timeoutMs = 10_000): Promise<number> {
  const text = await (await fetch(`${clientUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('grpc_server_started_total{') && line.includes('grpc_service="etcdserverpb.KV"')) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

/** KV requests per second each member started over windowMs (from their /metrics). */
export async function kvRates(stack: Stack, windowMs: number): Promise<number[]> {
  const read = () => Promise.all(stack.cluster.members.map((m) => kvRequestsStarted(m.clientUrl).catch(() => NaN)));
  const t0 = Date.now();
  const before = await read();
  await sleep(windowMs);
  const after = await read();
  const s = (Date.now() - t0) / 1000;
  return after.map((a, i) => (Number.isFinite(a) && Number.isFinite(before[i]) ? Math.max(0, a - before[i]) / s : 0));
}

async function pin(stack: Stack): Promise<FaultRun> {
  const rate = 3 * (stack.loadRate ?? 100);
  const baseline = await kvRates(stack, 2_000);
  const load = startLoad({
    name: 'load-pinned',
    target: stack.frontUrl,
    pinned: true,
    rate,
    readRatio: 0.9,
    keyPrefix: PINNED_KEY_PREFIX,
    summaryEveryS: 5,
    logFile: path.join(stack.dir, 'load', 'pinned.log'),
  });
  try {
    // Measure 2 s windows until one member carries (most of) the extra rate.
    // The fault took effect no later than the start of the first window that shows it.
    const { target, rates, since } = await waitFor(
      async () => {
        const since = Date.now();
        const rates = await kvRates(stack, 2_000);
        const extra = rates.map((r, i) => r - baseline[i]);
        const target = extra.indexOf(Math.max(...extra));
        return extra[target] > 0.5 * rate ? { target, rates, since } : null;
      },
      {
        what: `the pinned load (${rate} req/s through ${stack.frontUrl}) to show up on one member's /metrics (see ${load.logFile})`,
        timeoutMs: 30_000,
        intervalMs: 0,
        abortIf: () => (isRunning(load.proc) ? null : `the pinned load generator exited; see ${load.logFile}`),
      },
    );
    const total = rates.reduce((a, b) => a + b, 0);
    return makeRun(
      'pin-load',
      stack.cluster.members[target].name,
      {
        rate,
        pid: load.pid,
        log: load.logFile,
        share: round2(rates[target] / Math.max(total, 1)),
        memberRate: Math.round(rates[target]),
        baselineRate: Math.round(baseline[target]),
      },
      () => load.stop(),
      since,
    );
  } catch (err) {
    await load.stop();
    throw err;
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;
