import { describe, expect, it } from 'vitest';
import { Hub } from '../engine/hub';
import type { StreamMessage } from '../engine/cluster';
import type { ClusterDelta, ClusterState } from '../types';
import { openStreams, sseResponse } from './sse';

// A stand-in engine: the stream only needs a hub and the state to start with (the same object
// until it changes, as the engine's); `encodings` counts how often that state was serialised.
function fakeEngine(max = 10) {
  let seq = 0;
  const hub = new Hub<StreamMessage>(max);
  let memo: { seq: number; state: ClusterState } | null = null;
  const e = {
    hub,
    encodings: 0,
    streamState: () => {
      if (memo?.seq !== seq) {
        const s = seq;
        memo = {
          seq,
          state: {
            name: 'c',
            seq: s,
            toJSON: () => {
              e.encodings++;
              return { name: 'c', seq: s };
            },
          } as unknown as ClusterState,
        };
      }
      return memo.state;
    },
    publish() {
      seq++;
      hub.publish({ type: 'delta', delta: { seq, frame: { t: seq } } as unknown as ClusterDelta });
    },
  };
  return e;
}

type Ev = { event: string; data: { seq: number } };
async function readEvents(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  n: number,
  until?: (e: Ev) => boolean,
): Promise<Ev[]> {
  const out: Ev[] = [];
  let buf = '';
  const dec = new TextDecoder();
  while (out.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value);
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (ev && data) out.push({ event: ev, data: JSON.parse(data) });
      if (until && out.length && until(out[out.length - 1])) return out;
    }
  }
  return out;
}

describe('sseResponse', () => {
  it('sends SSE headers, the full state, then deltas', async () => {
    const e = fakeEngine();
    const ac = new AbortController();
    const res = sseResponse(e, ac.signal);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const reader = res.body!.getReader();
    e.publish();
    e.publish();
    const evs = await readEvents(reader, 3);
    expect(evs.map((x) => `${x.event}:${x.data.seq}`)).toEqual(['state:0', 'delta:1', 'delta:2']);
    ac.abort();
    expect(e.hub.size).toBe(0);
  });

  it('sends a named heartbeat event (a browser never sees comments) while no poll publishes', async () => {
    const e = fakeEngine();
    const ac = new AbortController();
    const res = sseResponse(e, ac.signal, { heartbeatMs: 30 });
    const reader = res.body!.getReader();
    const before = Date.now();
    const evs = (await readEvents(reader, 3)) as unknown as Array<{ event: string; data: { t?: number } }>;
    expect(evs.map((x) => x.event)).toEqual(['state', 'heartbeat', 'heartbeat']);
    expect(evs[1].data.t).toBeGreaterThanOrEqual(before);
    ac.abort();
  });

  it('gives a slow client the latest state instead of an unbounded queue', async () => {
    const e = fakeEngine();
    let dropped = 0;
    const res = sseResponse(e, new AbortController().signal, { queueChunks: 4, onDrop: () => dropped++ });
    const reader = res.body!.getReader();
    for (let i = 0; i < 1000; i++) e.publish(); // nobody reads meanwhile
    expect(dropped).toBeGreaterThan(900);
    const evs = await readEvents(reader, 50, (x) => x.event === 'state' && x.data.seq === 1000);
    // What was queued, then a fresh full state at seq 1000: nothing in between is lost silently.
    const last = evs.at(-1)!;
    expect(last).toEqual({ event: 'state', data: { name: 'c', seq: 1000 } });
    expect(evs.filter((x) => x.event === 'delta').length).toBeLessThanOrEqual(4);
    e.publish();
    expect((await readEvents(reader, 1))[0]).toMatchObject({ event: 'delta', data: { seq: 1001 } });
  });

  it('sends the full state on resync and ends the stream on close', async () => {
    const e = fakeEngine();
    const res = sseResponse(e, new AbortController().signal);
    const reader = res.body!.getReader();
    e.publish();
    e.hub.publish({ type: 'resync' });
    const evs = await readEvents(reader, 3);
    expect(evs.map((x) => `${x.event}:${x.data.seq}`)).toEqual(['state:0', 'delta:1', 'state:1']);
    e.hub.publish({ type: 'close' });
    expect((await reader.read()).done).toBe(true);
    expect(e.hub.size).toBe(0);
  });

  it('answers 503 when the cluster has too many streams', async () => {
    const e = fakeEngine(1);
    sseResponse(e, new AbortController().signal);
    const res = sseResponse(e, new AbortController().signal);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: expect.stringMatching(/too many/) });
  });

  it('a client that left before its stream opened is not subscribed (its abort fired already)', async () => {
    const e = fakeEngine(1);
    const ac = new AbortController();
    ac.abort();
    const reader = sseResponse(e, ac.signal).body!.getReader();
    const events = await readEvents(reader, 10);
    expect(events.map((x) => x.event)).toEqual(['state']);
    // Its slot in the hub is free again.
    expect(sseResponse(e, new AbortController().signal).status).toBe(200);
  });

  it('encodes the first state once for every viewer that connects before it changes', async () => {
    const e = fakeEngine(1000);
    const readers = Array.from({ length: 50 }, () => sseResponse(e, new AbortController().signal).body!.getReader());
    for (const r of readers) expect((await readEvents(r, 1))[0]).toMatchObject({ event: 'state', data: { seq: 0 } });
    expect(e.encodings).toBe(1);
    e.publish();
    const late = sseResponse(e, new AbortController().signal).body!.getReader();
    expect((await readEvents(late, 1))[0]).toMatchObject({ event: 'state', data: { seq: 1 } });
    expect(e.encodings).toBe(2);
  });
});

describe('per-client bounds', () => {
  it('one client holds at most maxPerClient streams (429 past it); closing one frees a slot; others are separate', async () => {
    const e = fakeEngine(100);
    const limits = (client: string) => ({ client, maxPerClient: 2, maxAgeMs: 3600_000 });
    const acs = [new AbortController(), new AbortController(), new AbortController()];
    const a = sseResponse(e, acs[0].signal, { limits: limits('10.0.0.1') });
    const b = sseResponse(e, acs[1].signal, { limits: limits('10.0.0.1') });
    const c = sseResponse(e, acs[2].signal, { limits: limits('10.0.0.1') });
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    expect(c.headers.get('retry-after')).toBe('10');
    expect(((await c.json()) as { error: string }).error).toMatch(/at most 2/);
    expect(openStreams('10.0.0.1')).toBe(2);
    const other = new AbortController();
    expect(sseResponse(e, other.signal, { limits: limits('10.0.0.2') }).status).toBe(200);
    acs[0].abort();
    expect(openStreams('10.0.0.1')).toBe(1);
    const again = new AbortController();
    expect(sseResponse(e, again.signal, { limits: limits('10.0.0.1') }).status).toBe(200);
    for (const x of [acs[1], other, again]) x.abort();
    expect(openStreams('10.0.0.1')).toBe(0);
    expect(openStreams('10.0.0.2')).toBe(0);
  });

  it('a stream ends after its maximum age (within ±10 %), telling the browser to reconnect soon', async () => {
    const e = fakeEngine();
    const ac = new AbortController();
    const t0 = Date.now();
    const res = sseResponse(e, ac.signal, { limits: { client: 'k', maxPerClient: 5, maxAgeMs: 300 } });
    const reader = res.body!.getReader();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(Date.now() - t0).toBeGreaterThanOrEqual(270);
    expect(text).toMatch(/retry: 250\n\n$/);
    expect(openStreams('k')).toBe(0);
    expect(e.hub.size).toBe(0);
  });
});
