// Small helpers for integration tests: waiting on real processes, reading an SSE body, recording
// an engine's SSE stream.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { type EtcdCluster, startEtcdCluster } from '../../dev/lib/etcd';
import { type Prometheus, startPrometheus } from '../../dev/lib/prometheus';
import { hostPort, parseConfig } from '../../lib/config/load';
import { ClusterEngine } from '../../lib/engine/cluster';
import { applyDelta } from '../../lib/stream/delta';
import { sseResponse } from '../../lib/stream/sse';
import type { ClusterDelta, ClusterState, Finding } from '../../lib/types';

export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Waits until the engine polls at its configured interval, its last `polls` polls in time. An
 * overloaded Fulcrum stretches the interval up to 8× and shrinks it back only after 5 polls in
 * time at each step (70 s from 8 s back to 1 s): a test that times the product from a fault
 * starts from here, so the seconds it measures are the product's, not a back-off left over from
 * a busy start. A precondition, not a timing claim.
 */
export async function waitSteady(engine: ClusterEngine, timeoutMs = 180_000, polls = 1): Promise<void> {
  const want = engine.config.pollIntervalMs;
  let lastSeq = -1;
  let inARow = 0;
  let now = '';
  try {
    await waitUntil(
      () => {
        const s = engine.state();
        now = `seq ${s.seq}, polling every ${s.pollIntervalMs} ms (${s.sources.engine.error ?? 'in time'})`;
        if (s.seq === lastSeq) return false;
        lastSeq = s.seq;
        inARow = s.pollIntervalMs === want && s.sources.engine.ok ? inARow + 1 : 0;
        return inARow >= polls;
      },
      timeoutMs,
      `${polls} polls in a row at the configured ${want} ms`,
      100,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; last: ${now}`);
  }
}

export interface SseEvent {
  event: string;
  id: string | null;
  data: unknown;
}

/** Reads `event:`/`data:` blocks from an SSE body; comments and `heartbeat` events are counted, not returned. */
export class SseReader {
  private reader: ReadableStreamDefaultReader<Uint8Array>;
  private buf = '';
  private queue: SseEvent[] = [];
  private dec = new TextDecoder();
  comments = 0;
  heartbeats = 0;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  private drain(): void {
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      let event = 'message';
      let id: string | null = null;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments++;
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (event === 'heartbeat') this.heartbeats++;
      else if (data.length) this.queue.push({ event, id, data: JSON.parse(data.join('\n')) });
    }
  }

  async next(timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no SSE event within ${timeoutMs} ms`);
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([
        this.reader.read(),
        new Promise<never>((_, rej) => {
          timer = setTimeout(() => rej(new Error(`no SSE event within ${timeoutMs} ms`)), left);
        }),
      ]).finally(() => clearTimeout(timer));
      if (r.done) throw new Error('SSE stream ended');
      this.buf += this.dec.decode(r.value, { stream: true });
      this.drain();
    }
    return this.queue.shift()!;
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }
}

/**
 * Follows the engine's SSE stream as a browser does (the full state, then deltas applied to it)
 * and records the state after every delta with the time it arrived.
 */
export class StreamLog {
  readonly deltas: Array<{ at: number; d: ClusterState }> = [];
  private cur: ClusterState | null = null;
  private ac = new AbortController();
  private done: Promise<void>;
  constructor(engine: ClusterEngine) {
    const sse = new SseReader(sseResponse(engine, this.ac.signal).body!);
    this.done = (async () => {
      for (;;) {
        const ev = await sse.next(60_000).catch(() => null);
        if (!ev) return;
        if (ev.event === 'state') this.cur = ev.data as ClusterState;
        if (ev.event !== 'delta' || !this.cur) continue;
        const r = applyDelta(this.cur, ev.data as ClusterDelta);
        if (r.kind === 'resync') throw new Error(`delta ${(ev.data as ClusterDelta).seq} does not fit the state`);
        if (r.kind !== 'applied') continue;
        this.cur = r.state;
        this.deltas.push({ at: Date.now(), d: r.state });
      }
    })();
  }
  find(
    kind: string,
    member: string | null,
    after: number,
    also: (f: Finding) => boolean = () => true,
  ): { at: number; f: Finding; d: ClusterState } | null {
    for (const x of this.deltas) {
      if (x.at < after) continue;
      const f = x.d.findings.find((y) => y.kind === kind && (member === null || y.members.includes(member)) && also(y));
      if (f) return { at: x.at, f, d: x.d };
    }
    return null;
  }
  latest(): ClusterState | null {
    return this.deltas.at(-1)?.d ?? null;
  }
  async stop(): Promise<void> {
    this.ac.abort();
    await this.done;
  }
}

export function engineFor(stack: { configFile: string }): ClusterEngine {
  const cfg = parseConfig(readFileSync(stack.configFile, 'utf8'), stack.configFile, {});
  return new ClusterEngine(cfg, cfg.clusters[0]);
}

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * One HTTP request with full control: raw header values, a chosen local address (`from`, as a
 * client identity: 127.0.0.x), an optional body, a connection of its own.
 */
export function rawRequest(
  base: string,
  method: string,
  p: string,
  o: { headers?: Record<string, string>; body?: string | Buffer; from?: string } = {},
): Promise<RawAnswer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: u.hostname, port: u.port, path: p, method, headers: o.headers, localAddress: o.from, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(o.body);
  });
}

/** A healthy 3-member etcd cluster in `dir` and a Prometheus scraping it every second. */
export async function etcdScrapedByPrometheus(dir: string): Promise<{ etcd: EtcdCluster; prom: Prometheus }> {
  const etcd = await startEtcdCluster({ size: 3, dir });
  await etcd.waitHealthy(30_000);
  const prom = await startPrometheus({
    dir: path.join(dir, 'prometheus'),
    targets: etcd.members.map((m) => hostPort(m.clientUrl)),
    scrapeIntervalS: 1,
  });
  return { etcd, prom };
}
