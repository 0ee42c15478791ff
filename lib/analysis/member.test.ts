import { describe, expect, it } from 'vitest';
import type { EndpointConfig } from '../config/load';
import type { MemberPoll } from '../sources/etcd';
import { deriveMember, type MemberInput } from './member';

const ep: EndpointConfig = {
  url: 'http://127.0.0.1:2379',
  name: null,
  weight: 30,
  instance: '127.0.0.1:2379',
  direct: true,
  metricsUrl: null,
};
const ID = '13668033151171901709'; // > 2^53: must survive as a string

function poll(over: Partial<MemberPoll> = {}): MemberPoll {
  return {
    endpoint: ep.url,
    t: 1,
    status: {
      id: ID,
      version: '3.4.23',
      dbSize: 20480,
      dbSizeInUse: 16384,
      leader: ID,
      raftIndex: '9007199254740993',
      raftTerm: '2',
      raftAppliedIndex: '9007199254740993',
      errors: [],
      isLearner: false,
      revision: '42',
    },
    statusError: null,
    health: { healthy: true, reason: null },
    healthError: null,
    alarms: [],
    counters: null,
    metricsError: null,
    cert: null,
    certError: null,
    members: null,
    durationMs: 3,
    ...over,
  };
}

const base = (over: Partial<MemberInput> = {}): MemberInput => ({
  endpoint: ep,
  prev: null,
  poll: poll(),
  failures: 0,
  downAfter: 2,
  knownMembers: [{ id: ID, name: 'etcd-1', clientUrls: ['http://127.0.0.1:2379/'], peerUrls: [], isLearner: false }],
  clusterAlarms: [],
  prom: null,
  t: 100,
  ...over,
});

describe('deriveMember', () => {
  it('keeps uint64 ids and raft indexes exact, names the member from the member list', () => {
    const s = deriveMember(base());
    expect(s).toMatchObject({
      id: ID,
      name: 'etcd-1',
      isLeader: true,
      status: 'up',
      healthy: true,
      raftIndex: '9007199254740993',
      weight: 30,
    });
  });

  it('is unhealthy with an alarm on it, and says so', () => {
    const s = deriveMember(base({ clusterAlarms: [{ memberId: ID, alarm: 'NOSPACE' }] }));
    expect(s.status).toBe('unhealthy');
    expect(s.alarms).toEqual(['NOSPACE']);
    expect(s.error).toContain('NOSPACE');
  });

  it('is unknown after one missed poll and down after `downAfter`, keeping last-known facts', () => {
    const prev = deriveMember(base());
    const failed = poll({ status: null, statusError: 'DEADLINE_EXCEEDED', health: null, healthError: 'timeout' });
    const once = deriveMember(base({ prev, poll: failed, failures: 1 }));
    expect(once.status).toBe('unknown');
    const twice = deriveMember(base({ prev: once, poll: failed, failures: 2 }));
    expect(twice).toMatchObject({
      status: 'down',
      reachable: false,
      version: '3.4.23',
      id: ID,
      isLeader: false,
      lastSeen: 100,
    });
    expect(twice.error).toContain('DEADLINE_EXCEEDED');
  });

  it('falls back to Prometheus for a member Fulcrum cannot reach', () => {
    const s = deriveMember(
      base({
        poll: null,
        failures: 3,
        prom: { up: true, isLeader: false, hasLeader: true, version: null, dbSizeBytes: 5 },
      }),
    );
    expect(s).toMatchObject({ status: 'up', source: 'prometheus', dbSizeBytes: 5 });
  });
});
