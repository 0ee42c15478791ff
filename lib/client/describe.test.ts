import { describe, expect, it } from 'vitest';
import { makeMember } from '../testkit';
import { emptyDimRecord } from '../dimensions';
import type { DimensionScore, MemberState } from '../types';

import { basisText, checkedList, slowestVsMedian } from './describe';

function member(name: string, over: Partial<MemberState> = {}): MemberState {
  return makeMember({
    endpoint: `http://${name}:2379`,
    name,
    id: '1',
    version: '3.5.0',
    dbSizeBytes: 1,
    dbSizeInUseBytes: 1,
    quotaBackendBytes: null,
    raftIndex: '1',
    raftTerm: '2',
    raftAppliedIndex: '1',
    lastSeen: 0,
    ...over,
  });
}

describe('basisText', () => {
  const ms = [member('a', { weight: 30 }), member('b', { weight: 20, isLeader: true }), member('c', { weight: 10 })];
  it('names the configured weights', () => {
    expect(basisText(ms, 'requests', 'weights')).toBe('against configured weights 30/20/10');
  });
  it('says equal shares for data dimensions', () => {
    expect(basisText(ms, 'dbSize', 'equal')).toBe('against equal shares');
  });
  it('leaves the leader out of leader-heavy dimensions', () => {
    expect(basisText(ms, 'cpu', 'weights')).toBe(
      'against configured weights 30/10 (followers only, leader b left out)',
    );
  });
  it('calls equal weights equal shares, and counts down members', () => {
    const eq = [member('a'), member('b', { status: 'down' }), member('c')];
    expect(basisText(eq, 'requests', 'weights')).toBe('against equal shares (equal weights; 1 down member left out)');
  });
  it('latency is compared with peers', () => {
    expect(basisText(ms, 'latencyP99', 'equal')).toMatch(/median/);
  });
});

describe('slowestVsMedian', () => {
  it('finds the member furthest above the median of the up members', () => {
    const lat = (v: number | null, status: MemberState['status'] = 'up') =>
      member(String(v), {
        status,
        dims: {
          ...emptyDimRecord(() => ({ value: null, share: null, expectedShare: null })),
          latencyP99: { value: v, share: null, expectedShare: null },
        },
      });
    const r = slowestVsMedian([lat(0.01), lat(0.01), lat(0.04), lat(9, 'down')], 'latencyP99');
    expect(r?.name).toBe('0.04');
    expect(r?.ratio).toBeCloseTo(4);
    expect(slowestVsMedian([lat(0.01)], 'latencyP99')).toBeNull();
  });
});

describe('checkedList', () => {
  it('says what was looked at', () => {
    const scores = emptyDimRecord<DimensionScore>(() => ({
      score: null,
      scoreEqual: null,
      basis: 'equal',
      total: null,
      hottest: null,
      reason: 'x',
    }));
    scores.requests = { ...scores.requests, score: 0.65 };
    const list = checkedList({
      members: [member('a', { isLeader: true }), member('b', { alarms: ['NOSPACE'] }), member('c', { status: 'down' })],
      scores,
      events: [{ t: 1, kind: 'leader-change', member: null, detail: '' }],
      sources: {
        etcd: { ok: true, error: null, lastOk: 1, latencyMs: 1 },
        prometheus: null,
        balancer: null,
        logs: null,
        engine: { ok: true, error: null, lastOk: 1, latencyMs: 1 },
      },
    });
    expect(list).toEqual([
      'load shares: 1 of 9 dimensions scored across 3 members (highest: requests 0.65)',
      'member health: 2 of 3 answering',
      'alarms: NOSPACE on b',
      'leader: a (term 2), 1 change seen',
      'sources: etcd ok, Prometheus not configured',
    ]);
  });
});
