// Load generator process: `node --import tsx dev/load-worker.ts '<json LoadOptions>'`.
//
// `concurrency` lanes share one pacer (rate req/s in total). Each lane owns an etcd3 client and
// replaces it — a new TCP connection through the balancer — after requestsPerConnection
// requests or after any error, so an L4 balancer's weights show up in the per-member request
// shares. With pinned: true every lane shares one client that is never replaced.
// Errors are counted, never fatal. A summary line is printed every summaryEveryS seconds.

import crypto from 'node:crypto';
import { Etcd3, type IOptions } from 'etcd3';
import { noop } from 'cockatiel';
import { loadConfig, type LoadConfig } from './lib/load';

interface Counters {
  ok: number;
  errors: number;
  gets: number;
  puts: number;
  connections: number;
  latenciesMs: number[];
  errorKinds: Map<string, number>;
}

function newCounters(): Counters {
  return { ok: 0, errors: 0, gets: 0, puts: 0, connections: 0, latenciesMs: [], errorKinds: new Map() };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function clientOptions(cfg: LoadConfig): IOptions {
  return {
    hosts: cfg.target,
    // grpc-js shares subchannels (TCP connections) between channels to the same address unless
    // each channel has its own pool: without this, "new client" would not mean "new connection".
    grpcOptions: { 'grpc.use_local_subchannel_pool': 1 },
    // No retries and no circuit breaker: every failure is counted, nothing is hidden.
    faultHandling: { host: () => noop, global: noop },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + cfg.deadlineMs }),
  };
}

/** Hands out request slots at `rate` per second, shared by all lanes; catches up at most 0.5 s. */
class Pacer {
  private next = performance.now();
  private readonly intervalMs: number;
  constructor(rate: number) {
    this.intervalMs = 1000 / rate;
  }
  async take(): Promise<void> {
    const now = performance.now();
    const slot = Math.max(this.next, now - 500);
    this.next = slot + this.intervalMs;
    if (slot > now) await sleep(slot - now);
  }
}

class Lane {
  client: Etcd3 | null = null;
  used = 0;
}

function errorKind(err: unknown): string {
  const e = err as Error;
  return `${e?.name ?? 'Error'}: ${String(e?.message ?? err)
    .split('\n')[0]
    .slice(0, 120)}`;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function main(): void {
  const cfg = loadConfig(JSON.parse(process.argv[2] ?? '{}'));
  const pacer = new Pacer(cfg.rate);
  const total = newCounters();
  let window = newCounters();
  let windowStart = Date.now();
  let running = true;
  const started = Date.now();
  const value = () =>
    crypto
      .randomBytes(Math.ceil(cfg.valueBytes / 2))
      .toString('hex')
      .slice(0, cfg.valueBytes);
  const key = () => `${cfg.keyPrefix}k${Math.floor(Math.random() * cfg.keySpace)}`;

  const count = (f: (c: Counters) => void) => {
    f(total);
    f(window);
  };
  const recordError = (kind: string) =>
    count((c) => {
      c.errors++;
      c.errorKinds.set(kind, (c.errorKinds.get(kind) ?? 0) + 1);
    });
  const openClient = () => {
    count((c) => c.connections++);
    return new Etcd3(clientOptions(cfg));
  };
  const closeQuietly = (client: Etcd3 | null) => {
    try {
      client?.close();
    } catch {
      /* closing a broken client must not stop the load */
    }
  };
  const pinnedClient = cfg.pinned ? openClient() : null;

  const oneRequest = async (client: Etcd3): Promise<void> => {
    const t0 = performance.now();
    if (Math.random() < cfg.readRatio) {
      await client.get(key()).string();
      count((c) => c.gets++);
    } else {
      await client.put(key()).value(value());
      count((c) => c.puts++);
    }
    const ms = performance.now() - t0;
    count((c) => {
      c.ok++;
      c.latenciesMs.push(ms);
    });
  };

  const runLane = async (lane: Lane) => {
    while (running) {
      await pacer.take();
      if (!running) break;
      if (!cfg.pinned && (lane.client === null || lane.used >= cfg.requestsPerConnection)) {
        closeQuietly(lane.client);
        lane.client = openClient();
        lane.used = 0;
      }
      const client = pinnedClient ?? lane.client!;
      lane.used++;
      try {
        await oneRequest(client);
      } catch (err) {
        recordError(errorKind(err));
        if (!cfg.pinned) lane.used = cfg.requestsPerConnection; // reconnect: maybe to a healthy member
      }
    }
    closeQuietly(lane.client);
  };

  const summary = (label: string, c: Counters, seconds: number) => {
    const lat = [...c.latenciesMs].sort((a, b) => a - b);
    const top = [...c.errorKinds.entries()].sort((a, b) => b[1] - a[1])[0];
    return (
      `[load ${new Date().toISOString()}] ${label}: ok=${c.ok} errors=${c.errors} ` +
      `rate=${(c.ok / Math.max(seconds, 0.001)).toFixed(1)}/s get=${c.gets} put=${c.puts} connections=${c.connections} ` +
      `p50=${percentile(lat, 50).toFixed(1)}ms p99=${percentile(lat, 99).toFixed(1)}ms` +
      (top ? ` topError=${JSON.stringify(`${top[0]} ×${top[1]}`)}` : '')
    );
  };
  const printWindow = () => {
    const now = Date.now();
    console.log(summary(`last ${((now - windowStart) / 1000).toFixed(0)}s`, window, (now - windowStart) / 1000));
    window = newCounters();
    windowStart = now;
  };

  // Whatever escapes (a grpc-js callback, a closed client) is counted, never fatal.
  process.on('uncaughtException', (err) => recordError(`uncaught ${errorKind(err)}`));
  process.on('unhandledRejection', (err) => recordError(`unhandled ${errorKind(err)}`));

  console.log(`[load ${new Date().toISOString()}] start pid=${process.pid} ${JSON.stringify(cfg)}`);
  const timer = setInterval(printWindow, cfg.summaryEveryS * 1000);
  const lanes = Array.from({ length: cfg.concurrency }, () => new Lane());
  const done = Promise.all(lanes.map(runLane));

  const stop = async () => {
    if (!running) return;
    running = false;
    clearInterval(timer);
    await Promise.race([done, sleep(cfg.deadlineMs + 500)]);
    closeQuietly(pinnedClient);
    console.log(summary('total', total, (Date.now() - started) / 1000));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main();
