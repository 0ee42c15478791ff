import { describe, expect, it } from 'vitest';
import type { FleetDelta, FleetState } from '../../fleet/types';
import { FLEET_DELTA_MARK, openFleetStream, type FleetStreamDeps, type FleetStreamSnapshot } from './stream';
import { fleetCluster, fleetState } from './testkit';

/** A scripted EventSource and a manual clock: what the browser would do, step by step. */
class FakeSource {
  static all: FakeSource[] = [];
  readyState = 0;
  closed = false;
  onerror: ((ev: Event) => void) | null = null;
  private listeners = new Map<string, Array<(ev: MessageEvent<string>) => void>>();
  constructor(readonly url: string) {
    FakeSource.all.push(this);
  }
  addEventListener(type: string, l: (ev: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  emit(type: string, data: unknown) {
    for (const l of this.listeners.get(type) ?? [])
      l({ data: typeof data === 'string' ? data : JSON.stringify(data) } as MessageEvent<string>);
  }
  fail() {
    this.onerror?.(new Event('error'));
  }
  close() {
    this.closed = true;
  }
}

function harness(knownBuild: string | null = null) {
  FakeSource.all = [];
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void; every?: number }>();
  let reloads = 0;
  const marks: string[] = [];
  const deps: FleetStreamDeps = {
    mark: (name) => marks.push(name),
    createEventSource: (url) => new FakeSource(url),
    setTimeout: (fn, ms) => {
      timers.set(nextId, { at: now + ms, fn });
      return nextId++;
    },
    clearTimeout: (id) => timers.delete(id as number),
    setInterval: (fn, ms) => {
      timers.set(nextId, { at: now + ms, fn, every: ms });
      return nextId++;
    },
    clearInterval: (id) => timers.delete(id as number),
    now: () => now,
    random: () => 0.5,
    reload: () => {
      reloads++;
    },
  };
  const snaps: FleetStreamSnapshot[] = [];
  const states: FleetState[] = [];
  const stream = openFleetStream(
    '/api/fleet/stream',
    deps,
    (s) => snaps.push(s),
    (s) => states.push(s),
    knownBuild,
  );
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      const [id, t] = due;
      now = t.at;
      if (t.every) t.at += t.every;
      else timers.delete(id);
      t.fn();
    }
    now = end;
  };
  return {
    stream,
    advance,
    timers,
    states,
    latest: () => FakeSource.all[FakeSource.all.length - 1],
    sources: () => FakeSource.all,
    reloads: () => reloads,
    marks,
    snap: () => stream.snapshot(),
    clock: () => now,
  };
}

const delta = (seq: number, over: Partial<FleetDelta> = {}): FleetDelta => ({
  seq,
  updatedAt: seq * 1000,
  upserts: [],
  removed: [],
  ...over,
});

describe('openFleetStream', () => {
  it('holds one EventSource, takes the full state, then applies deltas', () => {
    const h = harness();
    expect(h.sources()).toHaveLength(1);
    expect(h.latest().url).toBe('/api/fleet/stream');
    h.latest().emit('fleet', fleetState([fleetCluster('a')], { seq: 1 }));
    h.latest().emit('fleet-delta', delta(2, { upserts: [fleetCluster('b')] }));
    expect(h.snap().state?.clusters.map((c) => c.name)).toEqual(['a', 'b']);
    expect(h.snap()).toMatchObject({ connected: true, attempt: 0, deltas: 1, error: null });
    expect(h.states.map((s) => s.seq)).toEqual([1, 2]);
    expect(h.sources()).toHaveLength(1);
    // One mark per applied delta (bench:fleet times the next frame from it); a gap marks nothing.
    expect(h.marks).toEqual([FLEET_DELTA_MARK]);
    h.latest().emit('fleet-delta', delta(9));
    expect(h.marks).toEqual([FLEET_DELTA_MARK]);
  });

  it('reconnects forever with growing, jittered waits, and keeps the last data meanwhile', () => {
    const h = harness();
    h.latest().emit('fleet', fleetState([fleetCluster('a')]));
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = h.sources().length;
      h.latest().fail();
      expect(h.latest().closed).toBe(true);
      const s = h.snap();
      expect(s.connected).toBe(false);
      expect(s.state?.clusters).toHaveLength(1);
      const wait = (s.retryAt ?? 0) - h.clock();
      waits.push(wait);
      h.advance(wait - 1);
      expect(h.sources().length).toBe(before);
      h.advance(1);
      expect(h.sources().length).toBe(before + 1);
    }
    // equal jitter at random = 0.5: three quarters of min(30 s, 1 s · 2^attempt)
    expect(waits).toEqual([750, 1500, 3000, 6000, 12_000, 22_500, 22_500, 22_500]);
    expect(h.snap().attempt).toBe(8);
    h.latest().emit('fleet', fleetState([fleetCluster('a')], { seq: 9 }));
    expect(h.snap()).toMatchObject({ connected: true, attempt: 0, retryAt: null });
  });

  it('closes a silent connection (no data, no heartbeat) and opens a new one', () => {
    const h = harness();
    h.latest().emit('fleet', fleetState([], { tickMs: 10_000 }));
    // heartbeats keep a connection whose data stopped open (the banner says stale; reconnecting would not help)
    for (let i = 0; i < 6; i++) {
      h.advance(15_000);
      h.latest().emit('heartbeat', { t: 0 });
    }
    expect(h.sources()).toHaveLength(1);
    expect(h.sources()[0].closed).toBe(false);
    // six ticks (60 s) of nothing at all: dropped
    h.advance(61_000);
    expect(h.sources()[0].closed).toBe(true);
    expect(h.snap().error).toMatch(/no data for/);
    h.advance(1_000);
    expect(h.sources()).toHaveLength(2);
  });

  it('waits at least 40 s before calling a fast-ticking connection silent', () => {
    const h = harness();
    h.latest().emit('fleet', fleetState([], { tickMs: 100 }));
    h.advance(39_000);
    expect(h.sources()[0].closed).toBe(false);
    h.advance(2_000);
    expect(h.sources()[0].closed).toBe(true);
  });

  it('does not pass an old full state off as new after a reconnect', () => {
    const h = harness();
    h.latest().emit('fleet', fleetState([], { seq: 1, updatedAt: 0 }));
    h.advance(1000);
    h.latest().emit('fleet-delta', { ...delta(2), updatedAt: 1000 });
    expect(h.snap()).toMatchObject({ lastDataAt: 1000, skewMs: 0 });
    // the server's ticks stop; the connection drops; the new one hands over the same old state
    h.advance(30_000);
    h.latest().fail();
    h.advance(2000);
    h.latest().emit('fleet', fleetState([], { seq: 2, updatedAt: 1000 }));
    expect(h.snap().connected).toBe(true);
    expect(h.snap().lastDataAt).toBe(1000);
  });

  it('resyncs on a gap in the deltas with a new connection', () => {
    const h = harness();
    h.latest().emit('fleet', fleetState([fleetCluster('a')], { seq: 1 }));
    h.latest().emit('fleet-delta', delta(5));
    expect(h.sources()).toHaveLength(2);
    expect(h.sources()[0].closed).toBe(true);
    // the old source's late events are ignored
    h.sources()[0].emit('fleet-delta', delta(2, { upserts: [fleetCluster('zzz')] }));
    expect(h.snap().state?.clusters.map((c) => c.name)).toEqual(['a']);
  });

  it('reloads the page when the build changes, not before', () => {
    const h = harness('b1');
    h.latest().emit('fleet', fleetState([], { build: 'b1' }));
    h.latest().fail();
    h.advance(2000);
    h.latest().emit('fleet', fleetState([], { build: 'b1', seq: 1 }));
    expect(h.reloads()).toBe(0);
    h.latest().fail();
    h.advance(2000);
    h.latest().emit('fleet', fleetState([], { build: 'b2', seq: 1 }));
    expect(h.reloads()).toBe(1);
  });

  it('survives garbage and stops everything on close', () => {
    const h = harness();
    h.latest().emit('fleet', '{not json');
    expect(h.snap().connected).toBe(false);
    expect(h.snap().error).toMatch(/unreadable/);
    h.stream.close();
    expect(h.timers.size).toBe(0);
    h.advance(120_000);
    expect(h.sources().every((s) => s.closed)).toBe(true);
  });
});
