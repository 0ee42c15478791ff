// The fleet: every cluster's summary, one tick for all of them, one hub for every fleet page
// and wall screen. A tick reads each cluster's current state (polled engines keep their own
// loops; Prometheus-read clusters are fed by the fleet source), diffs the summaries, encodes
// the delta once and publishes it, whatever the number of viewers.
import type { LiveCluster } from '../engine/live';
import { Hub } from '../engine/hub';
import { FleetDiffer, type FleetStep } from './delta';
import { fleetCluster } from './summary';
import type { FleetCluster, FleetState } from './types';

export type FleetMessage = { type: 'delta'; seq: number; json: string } | { type: 'close' };

export interface FleetTickStats {
  durationMs: number;
  clusters: number;
  upserts: number;
  removed: number;
  deltaBytes: number;
}

export interface FleetOptions {
  /** Every cluster the fleet has now (configured and discovered). */
  clusters: () => Iterable<LiveCluster>;
  tickMs: number;
  build: string;
  maxSubscribers: number;
  now?: () => number;
  onTick?: (s: FleetTickStats) => void;
}

export function summarize(c: LiveCluster): FleetCluster {
  const s = c.state();
  return fleetCluster({
    name: c.name,
    labels: c.cluster.labels,
    source: c.source,
    pollIntervalMs: s.pollIntervalMs,
    state: s,
  });
}

export class Fleet {
  readonly hub: Hub<FleetMessage>;
  readonly tickMs: number;
  private readonly differ: FleetDiffer;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly now: () => number;

  constructor(private readonly opts: FleetOptions) {
    this.tickMs = opts.tickMs;
    this.now = opts.now ?? Date.now;
    this.hub = new Hub<FleetMessage>(opts.maxSubscribers);
    this.differ = new FleetDiffer(() => ({ tickMs: this.tickMs, build: opts.build }));
    // The first state is there before the first tick: a page opened at start-up has its rows.
    this.differ.step(this.summaries(), this.now());
  }

  private summaries(): FleetCluster[] {
    const out: FleetCluster[] = [];
    for (const c of this.opts.clusters()) out.push(summarize(c));
    return out;
  }

  /** One fleet tick: summaries, diff, publish. Public for tests and the benchmark. */
  tick(): FleetStep {
    const started = performance.now();
    const step = this.differ.step(this.summaries(), this.now());
    this.hub.publish({ type: 'delta', seq: step.seq, json: step.deltaJson });
    this.opts.onTick?.({
      durationMs: performance.now() - started,
      clusters: this.differ.size,
      upserts: step.upserts,
      removed: step.removed,
      deltaBytes: Buffer.byteLength(step.deltaJson),
    });
    return step;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = () => {
      if (!this.running) return;
      const t0 = this.now();
      try {
        this.tick();
      } catch (e) {
        console.error('fulcrum: fleet tick failed:', (e as Error).message);
      }
      this.timer = setTimeout(loop, Math.max(0, this.tickMs - (this.now() - t0)));
      this.timer.unref?.();
    };
    this.timer = setTimeout(loop, this.tickMs);
    this.timer.unref?.();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.hub.publish({ type: 'close' });
    this.hub.clear();
  }

  state(): FleetState {
    return this.differ.state();
  }

  stateJson(): string {
    return this.differ.stateJson();
  }

  get seq(): number {
    return this.differ.seqNow;
  }
}
