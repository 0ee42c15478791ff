// The cluster stream's live/stale/offline logic with a scripted EventSource and a manual clock.
import { describe, expect, it } from 'vitest';
import { staleAfterMs } from '../stream/freshness';
import { type ClusterDelta, type ClusterState, DIMENSION_IDS } from '../types';
import { type ClusterStreamView, EVENT_SOURCE_CLOSED, openClusterStream } from './clusterStream';
import type { StreamDeps } from './reconnect';

class FakeSource {
  readyState = 1;
  closed = false;
  onerror: ((ev: Event) => void) | null = null;
  private listeners = new Map<string, Array<(ev: MessageEvent<string>) => void>>();
  constructor(readonly url: string) {}
  addEventListener(type: string, l: (ev: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  emit(type: string, data: unknown) {
    for (const l of this.listeners.get(type) ?? []) l({ data: JSON.stringify(data) } as MessageEvent<string>);
  }
  /** What `onmessage` would get: nothing, for named events; the stream must not rely on it. */
  listens(type: string): boolean {
    return (this.listeners.get(type)?.length ?? 0) > 0;
  }
  close() {
    this.closed = true;
  }
}

function harness() {
  const sources: FakeSource[] = [];
  let now = 1_000_000;
  let id = 1;
  const timers = new Map<number, { at: number; fn: () => void; every?: number }>();
  const deps: StreamDeps = {
    createEventSource: (url) => {
      const s = new FakeSource(url);
      sources.push(s);
      return s;
    },
    setTimeout: (fn, ms) => {
      timers.set(id, { at: now + ms, fn });
      return id++;
    },
    clearTimeout: (t) => timers.delete(t as number),
    setInterval: (fn, ms) => {
      timers.set(id, { at: now + ms, fn, every: ms });
      return id++;
    },
    clearInterval: (t) => timers.delete(t as number),
    now: () => now,
    random: () => 0.5,
  };
  const views: ClusterStreamView[] = [];
  const stream = openClusterStream('/api/clusters/c/stream', null, deps, (v) => views.push(v));
  /** Moves the clock forward, running due timers in order. */
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      const [k, t] = due;
      now = t.at;
      if (t.every) t.at += t.every;
      else timers.delete(k);
      t.fn();
    }
    now = end;
  };
  return { sources, stream, views, advance, view: () => views.at(-1)!, timers };
}

const POLL_MS = 1000;
// A cluster with no members: the smallest state a delta applies to.
const state = (seq: number) =>
  ({
    name: 'c',
    seq,
    pollIntervalMs: POLL_MS,
    historyMs: 60_000,
    weighted: false,
    members: [],
    frames: [],
    events: [],
    updatedAt: seq,
  }) as unknown as ClusterState;
const delta = (seq: number): ClusterDelta => ({ seq, updatedAt: seq, frame: DIMENSION_IDS.map(() => []) });

describe('openClusterStream', () => {
  it('listens for each named event the server sends (state, delta, heartbeat)', () => {
    const h = harness();
    expect(h.sources[0].url).toBe('/api/clusters/c/stream');
    for (const t of ['state', 'delta', 'heartbeat']) expect(h.sources[0].listens(t), t).toBe(true);
    h.stream.close();
  });

  it('a quiet cluster whose server sends heartbeats stays live past the stale threshold', () => {
    const h = harness();
    h.sources[0].emit('state', state(1));
    expect(h.view().connection).toBe('live');
    const stale = staleAfterMs(POLL_MS);
    // No delta for three stale windows, a heartbeat every stale/3 (what the server sends).
    for (let t = 0; t < 3 * stale; t += Math.floor(stale / 3)) {
      h.advance(Math.floor(stale / 3));
      h.sources[0].emit('heartbeat', { t });
    }
    expect(h.view().connection).toBe('live');
    h.stream.close();
  });

  it('a stream with neither deltas nor heartbeats turns stale, and live again on the next heartbeat', () => {
    const h = harness();
    h.sources[0].emit('state', state(1));
    h.advance(staleAfterMs(POLL_MS) + 1500);
    expect(h.view().connection).toBe('stale');
    h.sources[0].emit('heartbeat', { t: 1 });
    expect(h.view().connection).toBe('live');
    h.sources[0].emit('delta', delta(2));
    expect(h.view().state?.seq).toBe(2);
    h.stream.close();
  });

  it('a gap in deltas reopens the stream for the full state', () => {
    const h = harness();
    h.sources[0].emit('state', state(1));
    h.sources[0].emit('delta', delta(3));
    expect(h.sources[0].closed).toBe(true);
    expect(h.sources).toHaveLength(2);
    // Events from the old source are ignored.
    h.sources[0].emit('state', state(99));
    expect(h.view().state?.seq).toBe(1);
    h.sources[1].emit('state', state(3));
    expect(h.view().state?.seq).toBe(3);
    h.stream.close();
  });

  it('a closed stream is offline and reopened with backoff; a dropped one waits for EventSource', () => {
    const h = harness();
    h.sources[0].emit('state', state(1));
    h.sources[0].onerror?.(new Event('error'));
    expect(h.view()).toMatchObject({ connection: 'offline', error: 'connection lost; reconnecting' });
    expect(h.sources).toHaveLength(1);
    h.sources[0].readyState = EVENT_SOURCE_CLOSED;
    h.sources[0].onerror?.(new Event('error'));
    expect(h.view()).toMatchObject({ connection: 'offline', error: 'the stream closed; reconnecting' });
    h.advance(500);
    expect(h.sources).toHaveLength(1);
    h.advance(1000);
    expect(h.sources).toHaveLength(2);
    h.sources[1].emit('state', state(2));
    expect(h.view()).toMatchObject({ connection: 'live', error: null });
    h.stream.close();
    expect(h.sources[1].closed).toBe(true);
    expect(h.timers.size).toBe(0);
  });
});
