import { describe, expect, it } from 'vitest';
import { emptyDimRecord } from '../dimensions';
import { makeMember } from '../testkit';
import type { DimensionScore, Finding } from '../types';
import { fleetCluster, worstFinding } from './summary';

const score = (s: number | null): DimensionScore => ({
  score: s,
  scoreEqual: s,
  basis: 'equal',
  total: 10,
  hottest: null,
  reason: null,
});

function finding(over: Partial<Finding>): Finding {
  return {
    id: 'f',
    kind: 'request-skew',
    cluster: 'c',
    members: [],
    severity: 'warning',
    since: 100,
    title: 't',
    summary: '',
    evidence: [],
    fixes: [],
    confidence: 0.5,
    ...over,
  };
}

describe('fleetCluster', () => {
  it('summarises members, leader, headline score and findings', () => {
    const a = makeMember({ endpoint: 'http://a:2379', name: 'a', isLeader: true });
    a.dims.requests = { value: 60, share: 0.60004, expectedShare: 1 / 3 };
    a.dims.latencyP99 = { value: 0.01, share: null, expectedShare: null };
    const b = makeMember({ endpoint: 'http://b:2379', name: 'b', status: 'down' });
    const c = fleetCluster({
      name: 'prod',
      labels: { env: 'prod' },
      source: 'direct',
      pollIntervalMs: 1000,
      state: {
        status: 'degraded',
        members: [a, b],
        scores: emptyDimRecord(() => score(0.4)),
        findings: [
          finding({ id: 'w', severity: 'warning', title: 'skew' }),
          finding({ id: 'c', severity: 'critical', title: 'b is down', members: ['http://b:2379'] }),
          finding({ id: 'i', severity: 'info' }),
        ],
        updatedAt: 5,
      },
    });
    expect(c.members[0]).toEqual({
      endpoint: 'http://a:2379',
      name: 'a',
      status: 'up',
      isLeader: true,
      dims: { requests: { share: 0.6, expected: 0.333 } },
    });
    expect(c.members[1].dims).toEqual({});
    expect(c.leader).toBe('a');
    expect(c.score).toBe(0.4);
    expect(c.findings).toEqual({ critical: 1, warning: 1, info: 1 });
    expect(c.worst).toMatchObject({ id: 'c', severity: 'critical', title: 'b is down', members: ['http://b:2379'] });
    expect(c).toMatchObject({ name: 'prod', labels: { env: 'prod' }, source: 'direct', updatedAt: 5 });
  });

  it('names no leader when the leader is down', () => {
    const a = makeMember({ name: 'a', isLeader: true, status: 'down' });
    const c = fleetCluster({
      name: 'x',
      labels: {},
      source: 'prometheus',
      pollIntervalMs: 5000,
      state: { status: 'down', members: [a], scores: emptyDimRecord(() => score(null)), findings: [], updatedAt: null },
    });
    expect(c.leader).toBeNull();
    expect(c.worst).toBeNull();
    expect(c.score).toBeNull();
  });
});

describe('worstFinding', () => {
  it('orders by severity, then confidence, then age', () => {
    expect(
      worstFinding([finding({ id: 'a', confidence: 0.9 }), finding({ id: 'b', severity: 'critical', confidence: 0.1 })])
        ?.id,
    ).toBe('b');
    expect(worstFinding([finding({ id: 'a', confidence: 0.5 }), finding({ id: 'b', confidence: 0.9 })])?.id).toBe('b');
    expect(worstFinding([finding({ id: 'a', since: 9 }), finding({ id: 'b', since: 3 })])?.id).toBe('b');
    expect(worstFinding([])).toBeNull();
  });
});
