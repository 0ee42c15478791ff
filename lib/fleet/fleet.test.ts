import { describe, expect, it } from 'vitest';
import type { StreamMessage } from '../engine/cluster';
import { Hub } from '../engine/hub';
import type { LiveCluster } from '../engine/live';
import { sseStream } from '../stream/sse';
import { emptyDimRecord } from '../dimensions';
import { makeMember } from '../testkit';
import type { ClusterState } from '../types';
import { Fleet } from './fleet';
import { fleetFilter } from './filter';
import { fleetFeed } from './stream';
import type { FleetCluster, FleetDelta, FleetState } from './types';

// Stand-in clusters: the fleet only reads name, source, labels and state().
function fakeCluster(name: string, labels: Record<string, string> = {}) {
  let updatedAt = 1;
  const c = {
    name,
    source: 'direct' as const,
    cluster: { labels },
    hub: new Hub<StreamMessage>(1),
    findings: [],
    state: () =>
      ({
        name,
        seq: updatedAt,
        updatedAt,
        pollIntervalMs: 1000,
        status: 'ok',
        members: [makeMember({ name: `${name}-1` })],
        scores: emptyDimRecord(() => ({
          score: 0,
          scoreEqual: 0,
          basis: 'equal',
          total: 1,
          hottest: null,
          reason: null,
        })),
        findings: [],
      }) as unknown as ClusterState,
    poll() {
      updatedAt++;
    },
  };
  return c;
}

function decode(chunks: Uint8Array[]): Array<{ event: string; data: unknown }> {
  const text = new TextDecoder().decode(Buffer.concat(chunks));
  return text
    .split('\n\n')
    .filter((b) => b.includes('data: '))
    .map((b) => ({ event: /^event: (.*)$/m.exec(b)![1], data: JSON.parse(/^data: (.*)$/m.exec(b)![1]) }));
}

async function readN(reader: ReadableStreamDefaultReader<Uint8Array>, n: number) {
  const chunks: Uint8Array[] = [];
  while (decode(chunks).length < n) {
    const r = await reader.read();
    if (r.done) break;
    chunks.push(r.value);
  }
  return { chunks, events: decode(chunks) };
}

describe('Fleet', () => {
  it('streams the whole fleet on connect, then one delta per tick with what changed, the same bytes for every viewer', async () => {
    const a = fakeCluster('a', { env: 'prod' });
    const b = fakeCluster('b');
    const clusters = new Map<string, ReturnType<typeof fakeCluster>>([
      ['a', a],
      ['b', b],
    ]);
    const fleet = new Fleet({
      clusters: () => clusters.values() as unknown as Iterable<LiveCluster>,
      tickMs: 1000,
      build: 'b1',
      maxSubscribers: 5,
      now: () => 42,
    });
    const r1 = sseStream(fleetFeed(fleet), new AbortController().signal).body!.getReader();
    const r2 = sseStream(fleetFeed(fleet), new AbortController().signal).body!.getReader();
    const first = await readN(r1, 1);
    const s = first.events[0].data as FleetState;
    expect(first.events[0].event).toBe('fleet');
    expect(s).toMatchObject({ seq: 1, tickMs: 1000, build: 'b1' });
    expect(s.clusters.map((c) => [c.name, c.labels, c.source])).toEqual([
      ['a', { env: 'prod' }, 'direct'],
      ['b', {}, 'direct'],
    ]);
    a.poll();
    clusters.delete('b');
    await readN(r2, 1);
    fleet.tick();
    const one = await readN(r1, 1);
    const two = await readN(r2, 1);
    const d = one.events[0].data as FleetDelta;
    expect(one.events[0].event).toBe('fleet-delta');
    expect(d).toMatchObject({ seq: 2, updatedAt: 42, removed: ['b'] });
    // a was polled again and nothing else moved: its name and data time, not its summary.
    expect(d.upserts).toEqual([]);
    expect(d.fresh).toEqual({ a: 2 });
    // Encoded once: both viewers got the very same bytes object for the delta.
    expect(one.chunks.at(-1)).toBe(two.chunks.at(-1));
    expect(fleet.hub.size).toBe(2);
    fleet.stop();
    expect((await r1.read()).done).toBe(true);
  });

  it('a viewer that does not read holds a bounded queue: it loses deltas, then gets the whole fleet again', async () => {
    const a = fakeCluster('a');
    const fleet = new Fleet({
      clusters: () => [a] as unknown as Iterable<LiveCluster>,
      tickMs: 1000,
      build: 'b1',
      maxSubscribers: 5,
      now: () => 42,
    });
    let dropped = 0;
    const reader = sseStream(fleetFeed(fleet), new AbortController().signal, {
      queueChunks: 4,
      onDrop: () => dropped++,
    }).body!.getReader();
    for (let i = 0; i < 500; i++) {
      a.poll();
      fleet.tick(); // nobody reads meanwhile
    }
    expect(dropped).toBeGreaterThan(450);
    const events: Array<{ event: string; data: unknown }> = [];
    const chunks: Uint8Array[] = [];
    while (!events.some((e) => e.event === 'fleet' && (e.data as FleetState).seq === fleet.seq)) {
      const r = await reader.read();
      if (r.done) break;
      chunks.push(r.value);
      events.splice(0, events.length, ...decode(chunks));
    }
    // What was queued (at most the queue), then the whole fleet as of now, not 500 deltas.
    expect(events.filter((e) => e.event === 'fleet-delta').length).toBeLessThanOrEqual(4);
    const last = events.at(-1)!;
    expect(last.event).toBe('fleet');
    expect((last.data as FleetState).clusters.map((c) => [c.name, c.updatedAt])).toEqual([['a', 501]]);
    a.poll();
    fleet.tick();
    const next = await readN(reader, 1);
    expect(next.events[0]).toMatchObject({ event: 'fleet-delta', data: { seq: fleet.seq } });
    fleet.stop();
  });

  it('answers 503 past maxSubscribers', () => {
    const fleet = new Fleet({ clusters: () => [], tickMs: 1000, build: 'x', maxSubscribers: 1 });
    sseStream(fleetFeed(fleet), new AbortController().signal);
    expect(sseStream(fleetFeed(fleet), new AbortController().signal).status).toBe(503);
  });
});

describe('fleetFilter', () => {
  const c = (name: string, labels: Record<string, string>, source: 'direct' | 'prometheus') =>
    ({ name, labels, source }) as FleetCluster;
  const all = [c('prod-eu', { env: 'prod', region: 'eu' }, 'direct'), c('stage-us', { env: 'stage' }, 'prometheus')];
  it('filters by name substring, labels and source', () => {
    expect(all.filter(fleetFilter({ name: 'PROD' })).map((x) => x.name)).toEqual(['prod-eu']);
    expect(all.filter(fleetFilter({ label: 'env=prod,region=eu' })).map((x) => x.name)).toEqual(['prod-eu']);
    expect(all.filter(fleetFilter({ label: 'env=prod,region=us' }))).toEqual([]);
    expect(all.filter(fleetFilter({ source: 'prometheus' })).map((x) => x.name)).toEqual(['stage-us']);
  });
});
