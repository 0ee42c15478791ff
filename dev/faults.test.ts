// Pure parts of the fault injection: member IDs must survive as exact uint64s; the registry
// refuses what a fault cannot take before it touches a stack.

import { describe, expect, it } from 'vitest';
import { DEMO_FAULTS_WITH_MEMBER } from '../lib/demo/names';
import {
  FAULT_NAMES,
  FAULTS,
  FaultUsageError,
  faultFor,
  injectFault,
  isFaultName,
  memberIdHex,
  parseJsonKeepBigInts,
} from './faults';
import { parseSize } from './lib/cli';
import type { Stack } from './stack';

describe('member IDs from etcdctl -w json', () => {
  // Shape of `etcdctl member list -w json` (3.4); IDs above 2^53 would be rounded by JSON.parse.
  const out =
    '{"header":{"cluster_id":17237436991929493444,"member_id":9372538179322589801,"raft_term":2},' +
    '"members":[{"ID":9372538179322589801,"name":"etcd-1","peerURLs":["http://127.0.0.1:2380"],"clientURLs":["http://127.0.0.1:2379"]},' +
    '{"ID":10501334649042878790,"name":"etcd-2","peerURLs":["http://127.0.0.1:2381"]}]}';

  it('keeps 16+ digit integers exact (as strings) and leaves small numbers alone', () => {
    const parsed = parseJsonKeepBigInts(out) as {
      header: { raft_term: number; cluster_id: string };
      members: Array<{ ID: string; name: string }>;
    };
    expect(parsed.members.map((m) => m.ID)).toEqual(['9372538179322589801', '10501334649042878790']);
    expect(parsed.header.cluster_id).toBe('17237436991929493444');
    expect(parsed.header.raft_term).toBe(2);
    expect(parsed.members[0].name).toBe('etcd-1');
    expect(JSON.parse(out).members[1].ID.toString()).not.toBe('10501334649042878790'); // why it is needed
  });

  it('converts decimal uint64 IDs to the hex etcdctl move-leader takes', () => {
    expect(memberIdHex('10501334649042878790')).toBe('91bc3c398fb3c146');
    expect(memberIdHex('18446744073709551615')).toBe('ffffffffffffffff');
    expect(memberIdHex('1')).toBe('1');
    expect(() => memberIdHex('1.05e19')).toThrow(/decimal/);
  });
});

describe('fault names and sizes', () => {
  it('knows the twelve faults', () => {
    expect(FAULT_NAMES).toHaveLength(12);
    expect(isFaultName('freeze-behind-tcp-check')).toBe(true);
    expect(isFaultName('freeze-all')).toBe(false);
  });

  it('parses --quota sizes', () => {
    expect(parseSize('64MiB')).toBe(64 * 1024 * 1024);
    expect(parseSize('1G')).toBe(1024 ** 3);
    expect(parseSize('33554432')).toBe(33554432);
    expect(parseSize('off')).toBeNull();
    expect(() => parseSize('64 lots')).toThrow(/--quota/);
  });
});

describe('the fault registry', () => {
  const stub = {
    cluster: { members: [{ name: 'etcd-1' }, { name: 'etcd-2' }, { name: 'etcd-3' }] },
  } as unknown as Stack;

  it('has one fault per name, and the faults that take a member are the ones the demo panel offers one for', () => {
    expect(Object.keys(FAULTS)).toEqual([...FAULT_NAMES]);
    for (const name of FAULT_NAMES) expect(FAULTS[name].name).toBe(name);
    expect(FAULT_NAMES.filter((n) => !FAULTS[n].refusesMember)).toEqual([...DEMO_FAULTS_WITH_MEMBER]);
  });

  it('refuses a member for leader-churn, tcp-check and pin-load, saying why, before touching the stack', async () => {
    for (const name of ['leader-churn', 'tcp-check', 'pin-load'] as const) {
      expect(() => faultFor(name, { member: 1 }, 3)).toThrow(FaultUsageError);
      // The stub has no HAProxy and no processes: getting past the check would crash differently.
      await expect(injectFault(stub, name, { member: 0 })).rejects.toThrow(
        new RegExp(`^${name} takes no member \\(.+\\); leave out the member$`),
      );
    }
    expect(faultFor('leader-churn', {}, 3)).toBe(FAULTS['leader-churn']);
  });

  it('refuses the HAProxy-only faults on an NGINX stack, naming the ones that work there', async () => {
    const nginxStub = { ...stub, balancer: 'nginx' } as unknown as Stack;
    for (const name of ['tcp-check', 'freeze-behind-tcp-check', 'check-path', 'drain'] as const)
      await expect(injectFault(nginxStub, name)).rejects.toThrow(
        `${name} needs haproxy; this stack runs nginx (its faults: skew-weights, pin-load, leader-churn, quota, freeze, kill, cpu-throttle, slow-wal)`,
      );
  });

  it('checks member indexes and names', async () => {
    expect(faultFor('kill', { member: 2 }, 3)).toBe(FAULTS.kill);
    await expect(injectFault(stub, 'kill', { member: 3 })).rejects.toThrow(/member must be an index 0\.\.2/);
    await expect(injectFault(stub, 'freeze', { member: 0.5 })).rejects.toThrow(FaultUsageError);
    expect(() => faultFor('toString', {}, 3)).toThrow(/unknown fault "toString"/);
  });
});
