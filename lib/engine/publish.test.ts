import { describe, expect, it } from 'vitest';
import type { ClusterDelta } from '../types';
import type { AdvanceResult } from './advance';
import type { Collected } from './collect';
import { Hub } from './hub';
import { RateLimitedLog } from './log';
import { publish, type StreamMessage } from './publish';
import type { EngineConfig } from './state';

/** A poll's result whose delta counts how often it is made. */
function result() {
  const made = { n: 0 };
  const r = {
    state: { sources: { logs: null }, scores: {}, members: [], findings: [], weights: null },
    overload: { cause: null, cleared: false, stalled: false, intervalMs: 1000 },
    excused: [],
    get delta() {
      made.n++;
      return { seq: 7 } as unknown as ClusterDelta;
    },
  } as unknown as AdvanceResult;
  return { r, made };
}

const collected = { members: [], prometheus: null, balancer: null, logs: null } as unknown as Collected;
const cfg = { name: 'c', endpoints: [] } as unknown as EngineConfig;

describe('publish', () => {
  it('makes no delta for a cluster nobody streams, and sends one to every stream when someone does', () => {
    const hub = new Hub<StreamMessage>(10);
    const log = new RateLimitedLog(60_000, () => undefined);
    const a = result();
    publish({ hub, log }, cfg, collected, a.r, 5, 0);
    expect(a.made.n).toBe(0);

    const got: StreamMessage[][] = [[], []];
    hub.subscribe((m) => got[0].push(m));
    hub.subscribe((m) => got[1].push(m));
    const b = result();
    publish({ hub, log }, cfg, collected, b.r, 5, 0);
    expect(b.made.n).toBe(1);
    expect(got.map((g) => g.map((m) => (m.type === 'delta' ? m.delta.seq : m.type)))).toEqual([[7], [7]]);
  });
});
