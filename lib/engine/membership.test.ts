import { describe, expect, it } from 'vitest';
import type { EndpointConfig } from '../config/load';
import type { EtcdMemberInfo } from '../sources/etcd';
import { endpointsFromMembers, sameEndpoints } from './membership';

const ep = (url: string): EndpointConfig => ({
  url,
  name: null,
  weight: 1,
  instance: new URL(url).host,
  direct: true,
  metricsUrl: null,
});
const member = (id: string, ...clientUrls: string[]): EtcdMemberInfo => ({
  id,
  name: `m${id}`,
  clientUrls,
  peerUrls: [],
  isLearner: false,
});

describe('endpointsFromMembers', () => {
  const seed = ep('http://lb.example:2379');

  it('replaces the seed with every member that has a client URL', () => {
    const r = endpointsFromMembers({ endpoints: [seed] }, seed, [
      member('1', 'http://10.0.0.1:2379/'),
      member('2', 'https://10.0.0.2:2379', 'http://10.0.0.2:2379'),
      member('3'), // added, not started yet: no client URL
    ]);
    expect(r!.map((e) => e.url)).toEqual(['http://10.0.0.1:2379', 'http://10.0.0.2:2379']);
    expect(r![0]).toMatchObject({ direct: true, weight: 1, instance: '10.0.0.1:2379', name: null });
  });

  it('keeps the order of members already polled, appends new ones, drops removed ones', () => {
    const now = [ep('http://10.0.0.2:2379'), ep('http://10.0.0.1:2379')];
    const r = endpointsFromMembers({ endpoints: now }, seed, [
      member('1', 'http://10.0.0.1:2379'),
      member('4', 'http://10.0.0.4:2379'),
    ]);
    expect(r!.map((e) => e.url)).toEqual(['http://10.0.0.1:2379', 'http://10.0.0.4:2379']);
    expect(r![0]).toBe(now[1]); // the same endpoint object: its state and source carry over
    expect(sameEndpoints(now, now.slice())).toBe(true);
    expect(sameEndpoints(now, r!)).toBe(false);
  });

  it('ignores what is not an http(s) URL and keeps what is polled when nothing usable is listed', () => {
    const bad = [
      member('1', 'unix:///run/etcd.sock'),
      member('2', 'http://user:pw@10.0.0.2:2379'),
      member('3', `http://${'a'.repeat(600)}:2379`),
      member('4', 'not a url'),
    ];
    expect(endpointsFromMembers({ endpoints: [seed] }, seed, bad)).toBeNull();
    expect(endpointsFromMembers({ endpoints: [seed] }, seed, [])).toBeNull();
  });

  it('polls at most 15 members', () => {
    const many = Array.from({ length: 20 }, (_, i) => member(String(i), `http://10.0.0.${i}:2379`));
    expect(endpointsFromMembers({ endpoints: [seed] }, seed, many)).toHaveLength(15);
  });
});
