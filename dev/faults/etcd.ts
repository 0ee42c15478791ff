// The faults' etcd helpers: one-member clients that fail fast, Status, member IDs (exact uint64s),
// etcdctl, the alarm list, and which members are running and not frozen.
import { noop } from 'cockatiel';
import { Etcd3, type IOptions } from 'etcd3';
import { memberIdHex as idHex } from '../../lib/format';
import { etcdctl } from '../lib/etcd';
import { procStatFields } from '../lib/procs';
import type { Stack } from '../stack';

export const QUIET: Pick<IOptions, 'faultHandling' | 'grpcOptions'> = {
  // Own connection per client, no retries, no circuit breaker: a failure is reported at once.
  grpcOptions: { 'grpc.use_local_subchannel_pool': 1 },
  faultHandling: { host: () => noop, global: noop },
};

/** Runs fn with an etcd3 client talking to exactly these client URLs (never through HAProxy). */
export async function withClient<T>(
  hosts: string | string[],
  deadlineMs: number,
  fn: (c: Etcd3) => Promise<T>,
): Promise<T> {
  const client = new Etcd3({
    ...QUIET,
    hosts,
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + deadlineMs }),
  });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

export interface MemberStatus {
  /** Member ID, decimal uint64 as a string. */
  id: string;
  /** Leader's member ID (decimal string), '0' if none. */
  leader: string;
  raftTerm: string;
  revision: string;
  dbSize: number;
}

/** The Maintenance Status RPC of one member. */
export function memberStatus(clientUrl: string, timeoutMs = 1_500): Promise<MemberStatus> {
  return withClient(clientUrl, timeoutMs, async (c) => {
    const s = await c.maintenance.status();
    return {
      id: s.header.member_id,
      leader: s.leader,
      raftTerm: s.header.raft_term,
      revision: s.header.revision,
      dbSize: Number(s.dbSize),
    };
  });
}

/** Statuses of the members that answer (null for those that don't). */
export async function statuses(stack: Stack, timeoutMs = 1_500): Promise<Array<MemberStatus | null>> {
  return Promise.all(
    stack.cluster.members.map((m, i) =>
      stack.cluster.isRunning(i) ? memberStatus(m.clientUrl, timeoutMs).catch(() => null) : null,
    ),
  );
}

/**
 * JSON.parse, but integers of 16+ digits (uint64 member IDs, which JS numbers would round)
 * become strings. etcdctl -w json prints them as bare numbers.
 */
export function parseJsonKeepBigInts(text: string): unknown {
  return JSON.parse(text.replace(/([:,[]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2"'));
}

/** "12345678901234567890" (decimal uint64) → "ab54a98ceb1f0ad2". BigInt: never through a JS number. */
export function memberIdHex(decimal: string): string {
  const hex = /^\d+$/.test(decimal) ? idHex(decimal) : null;
  if (hex === null) throw new Error(`not a decimal member ID: ${decimal}`);
  return hex;
}

export { ETCDCTL_BIN, etcdctl } from '../lib/etcd';

export interface MemberId {
  name: string;
  decimal: string;
  hex: string;
}

/** Member IDs by member index, from `etcdctl member list -w json`. */
export async function memberIds(stack: Stack): Promise<MemberId[]> {
  const endpoints = stack.cluster.members.filter((_, i) => stack.cluster.isRunning(i)).map((m) => m.clientUrl);
  const out = await etcdctl(['--endpoints', endpoints.join(','), 'member', 'list', '-w', 'json']);
  const list = (parseJsonKeepBigInts(out) as { members?: Array<{ ID: string | number; name: string }> }).members ?? [];
  return stack.cluster.members.map((m) => {
    const found = list.find((x) => x.name === m.name);
    if (!found) throw new Error(`etcdctl member list has no member named ${m.name}: ${out.trim()}`);
    if (typeof found.ID !== 'string')
      throw new Error(`member ID of ${m.name} came through as a JS number (${found.ID}); it may be rounded`);
    return { name: m.name, decimal: found.ID, hex: memberIdHex(found.ID) };
  });
}

/** Index of the current leader (agreed by the members that answer), or -1. */
export async function currentLeaderIndex(stack: Stack, ids: MemberId[]): Promise<number> {
  const leaders = (await statuses(stack)).flatMap((s) => (s && s.leader !== '0' ? [s.leader] : []));
  if (leaders.length === 0) return -1;
  return ids.findIndex((x) => x.decimal === leaders[0]);
}

export interface Alarm {
  alarm: string;
  /** member ID, decimal */
  memberId: string;
  /** member name if known */
  member: string;
}

/** Client URLs of the members that are running and not frozen. */
export function liveUrls(stack: Stack): string[] {
  return stack.cluster.members
    .filter((m, i) => stack.cluster.isRunning(i) && procState(m.pid) !== 'T')
    .map((m) => m.clientUrl);
}

export async function listAlarms(stack: Stack): Promise<Alarm[]> {
  const ids = await Promise.all(
    stack.cluster.members.map((m) =>
      memberStatus(m.clientUrl)
        .then((s) => s.id)
        .catch(() => ''),
    ),
  );
  const res = await withClient(liveUrls(stack), 3_000, (c) =>
    c.maintenance.alarm({ action: 'Get', memberID: 0, alarm: 'None' }),
  );
  return (res.alarms ?? []).map((a) => {
    const memberId = String(a.memberID);
    const idx = ids.indexOf(memberId);
    return { alarm: String(a.alarm), memberId, member: idx >= 0 ? stack.cluster.members[idx].name : memberId };
  });
}

/** Linux process state letter from /proc/<pid>/stat ('T' = stopped), or null if gone. */
export function procState(pid: number): string | null {
  return procStatFields(pid)?.[0] ?? null;
}
