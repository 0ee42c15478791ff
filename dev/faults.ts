// Fault injection for the local stack (dev/stack.ts). Every fault changes the real systems —
// HAProxy's runtime state or config, etcd processes, the cluster's data and alarms, extra
// load — and every FaultRun.undo() puts them back. Faults revert only what they changed: e.g.
// freeze-behind-tcp-check on a stack whose HAProxy already uses TCP checks only freezes and
// thaws.
//
//   skew-weights              runtime API: target member 80, the others 10 (30/20/10 → 10/10/80)
//   pin-load                  a second load generator on one never-reconnecting gRPC connection
//   leader-churn              `etcdctl move-leader` to the next member every ~2 s
//   quota                     fill the cluster until the small-quota member raises NOSPACE
//   freeze                    SIGSTOP a member
//   kill                      kill -9 a member
//   tcp-check                 HAProxy config reloaded with plain TCP (L4) checks
//   freeze-behind-tcp-check   both: the frozen member's kernel still completes handshakes

import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { noop } from 'cockatiel';
import { Etcd3, type IOptions } from 'etcd3';
import { memberHealthy } from './lib/etcd';
import { startLoad } from './lib/load';
import { isRunning, waitFor } from './lib/procs';
import type { Stack } from './stack';

export const FAULT_NAMES = [
  'skew-weights',
  'pin-load',
  'leader-churn',
  'quota',
  'freeze',
  'kill',
  'tcp-check',
  'freeze-behind-tcp-check',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export function isFaultName(s: string): s is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(s);
}

export interface FaultRun {
  name: FaultName;
  /** Member the fault targets (etcd member name, e.g. 'etcd-3'), or null for cluster-wide faults. */
  member: string | null;
  /** ms epoch, set when the fault took effect. */
  injectedAt: number;
  /** e.g. new weights, pinned member, quota bytes. Long-running faults update theirs (leader-churn: moves). */
  details: Record<string, string | number>;
  /** Idempotent; restores the stack. A failed undo may be retried. */
  undo(): Promise<void>;
}

export interface FaultOptions {
  /** Member index (0-based) to target, where the fault takes one. */
  member?: number;
}

/** The stack is not in a state this fault can be injected into (already active, member down…). */
export class FaultConflictError extends Error {}
/** The request itself is wrong (unknown name, bad member index). */
export class FaultUsageError extends Error {}

export const ETCDCTL_BIN = process.env.FULCRUM_ETCDCTL_BIN ?? '/usr/bin/etcdctl';
/** Key prefixes the faults write under (the quota filler, the pinned load). */
export const QUOTA_FILLER_PREFIX = '/fulcrum-fault/quota/';
const PINNED_KEY_PREFIX = '/fulcrum-fault/pinned/';
const CHURN_INTERVAL_MS = 2_000;
const SKEW_HOT = 80;
const SKEW_COLD = 10;
const FILLER_VALUE_BYTES = 1024 * 1024; // under etcd's default --max-request-bytes (1.5 MiB)
const NOSPACE_RE = /database space exceeded/;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function injectFault(stack: Stack, name: FaultName, opts: FaultOptions = {}): Promise<FaultRun> {
  const n = stack.cluster.members.length;
  if (opts.member !== undefined && !(Number.isInteger(opts.member) && opts.member >= 0 && opts.member < n)) {
    throw new FaultUsageError(`${name}: member must be an index 0..${n - 1} (0-based), got ${opts.member}`);
  }
  switch (name) {
    case 'skew-weights':
      return skewWeights(stack, opts.member ?? n - 1);
    case 'pin-load':
      if (opts.member !== undefined)
        throw new FaultUsageError(
          'pin-load: the member is wherever the pinned connection lands; --member is not supported',
        );
      return pinLoad(stack);
    case 'leader-churn':
      return leaderChurn(stack);
    case 'quota':
      return quota(stack, opts.member);
    case 'freeze':
      return freeze(stack, opts.member ?? Math.min(1, n - 1));
    case 'kill':
      return kill(stack, opts.member ?? Math.min(1, n - 1));
    case 'tcp-check':
      return tcpCheck(stack);
    case 'freeze-behind-tcp-check':
      return freezeBehindTcpCheck(stack, opts.member ?? Math.min(1, n - 1));
    default:
      throw new FaultUsageError(`unknown fault ${JSON.stringify(name)}; one of ${FAULT_NAMES.join(', ')}`);
  }
}

function makeRun(
  name: FaultName,
  member: string | null,
  details: FaultRun['details'],
  undoOnce: () => Promise<void>,
  injectedAt = Date.now(),
): FaultRun {
  let done = false;
  let pending: Promise<void> | null = null;
  return {
    name,
    member,
    injectedAt,
    details,
    undo() {
      if (done) return Promise.resolve();
      pending ??= undoOnce().then(
        () => {
          done = true;
        },
        (err) => {
          pending = null; // let a later call retry
          throw err;
        },
      );
      return pending;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// skew-weights

async function skewWeights(stack: Stack, target: number): Promise<FaultRun> {
  const { haproxy } = stack;
  const before = await Promise.all(haproxy.servers.map((s) => currentWeight(stack, s)));
  const skewed = haproxy.servers.map((_, i) => (i === target ? SKEW_HOT : SKEW_COLD));
  const restore = async () => {
    for (const [i, s] of haproxy.servers.entries()) await haproxy.setWeight(s, before[i]);
  };
  try {
    for (const [i, s] of haproxy.servers.entries()) await haproxy.setWeight(s, skewed[i]);
  } catch (err) {
    await restore().catch(() => {});
    throw err;
  }
  return makeRun(
    'skew-weights',
    stack.cluster.members[target].name,
    { weights: skewed.join('/'), before: before.join('/') },
    restore,
  );
}

/** The server's current weight from `get weight` ("80 (initial 10)"). */
export async function currentWeight(stack: Stack, server: string): Promise<number> {
  const answer = (await stack.haproxy.runtime(`get weight ${stack.haproxy.backend}/${server}`)).trim();
  const m = /^(\d+) \(initial (\d+)\)$/.exec(answer);
  if (!m) throw new Error(`haproxy: unexpected answer to get weight ${server}: ${answer}`);
  return Number(m[1]);
}

// ---------------------------------------------------------------------------------------------
// pin-load

/** Sum of grpc_server_started_total{grpc_service="etcdserverpb.KV"} over methods. */
export async function kvRequestsStarted(clientUrl: string, timeoutMs = 2_000): Promise<number> {
  const text = await (await fetch(`${clientUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('grpc_server_started_total{') && line.includes('grpc_service="etcdserverpb.KV"')) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

/** KV requests per second each member started over windowMs (from their /metrics). */
export async function kvRates(stack: Stack, windowMs: number): Promise<number[]> {
  const read = () => Promise.all(stack.cluster.members.map((m) => kvRequestsStarted(m.clientUrl).catch(() => NaN)));
  const t0 = Date.now();
  const before = await read();
  await sleep(windowMs);
  const after = await read();
  const s = (Date.now() - t0) / 1000;
  return after.map((a, i) => (Number.isFinite(a) && Number.isFinite(before[i]) ? Math.max(0, a - before[i]) / s : 0));
}

async function pinLoad(stack: Stack): Promise<FaultRun> {
  const rate = 3 * (stack.loadRate ?? 100);
  const baseline = await kvRates(stack, 2_000);
  const load = startLoad({
    name: 'load-pinned',
    target: stack.haproxy.url,
    pinned: true,
    rate,
    readRatio: 0.9,
    keyPrefix: PINNED_KEY_PREFIX,
    summaryEveryS: 5,
    logFile: path.join(stack.dir, 'load', 'pinned.log'),
  });
  try {
    // Measure 2 s windows until one member carries (most of) the extra rate.
    // The fault took effect no later than the start of the first window that shows it.
    const { target, rates, since } = await waitFor(
      async () => {
        const since = Date.now();
        const rates = await kvRates(stack, 2_000);
        const extra = rates.map((r, i) => r - baseline[i]);
        const target = extra.indexOf(Math.max(...extra));
        return extra[target] > 0.5 * rate ? { target, rates, since } : null;
      },
      {
        what: `the pinned load (${rate} req/s through ${stack.haproxy.url}) to show up on one member's /metrics (see ${load.logFile})`,
        timeoutMs: 30_000,
        intervalMs: 0,
        abortIf: () => (isRunning(load.proc) ? null : `the pinned load generator exited; see ${load.logFile}`),
      },
    );
    const total = rates.reduce((a, b) => a + b, 0);
    return makeRun(
      'pin-load',
      stack.cluster.members[target].name,
      {
        rate,
        pid: load.pid,
        log: load.logFile,
        share: round2(rates[target] / Math.max(total, 1)),
        memberRate: Math.round(rates[target]),
        baselineRate: Math.round(baseline[target]),
      },
      () => load.stop(),
      since,
    );
  } catch (err) {
    await load.stop();
    throw err;
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

// ---------------------------------------------------------------------------------------------
// etcd helpers: per-member clients, status, member IDs

const QUIET: Pick<IOptions, 'faultHandling' | 'grpcOptions'> = {
  // Own connection per client, no retries, no circuit breaker: a failure is reported at once.
  grpcOptions: { 'grpc.use_local_subchannel_pool': 1 },
  faultHandling: { host: () => noop, global: noop },
};

/** Runs fn with an etcd3 client talking to exactly these client URLs (never through HAProxy). */
async function withClient<T>(hosts: string | string[], deadlineMs: number, fn: (c: Etcd3) => Promise<T>): Promise<T> {
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
async function statuses(stack: Stack, timeoutMs = 1_500): Promise<Array<MemberStatus | null>> {
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
  if (!/^\d+$/.test(decimal)) throw new Error(`not a decimal member ID: ${decimal}`);
  return BigInt(decimal).toString(16);
}

export function etcdctl(args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      ETCDCTL_BIN,
      ['--dial-timeout=2s', '--command-timeout=5s', ...args],
      { env: { ...process.env, ETCDCTL_API: '3' }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`etcdctl ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
        else resolve(String(stdout));
      },
    );
  });
}

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
async function leaderIndex(stack: Stack, ids: MemberId[]): Promise<number> {
  const leaders = (await statuses(stack)).flatMap((s) => (s && s.leader !== '0' ? [s.leader] : []));
  if (leaders.length === 0) return -1;
  return ids.findIndex((x) => x.decimal === leaders[0]);
}

// ---------------------------------------------------------------------------------------------
// leader-churn

async function leaderChurn(stack: Stack): Promise<FaultRun> {
  const ids = await memberIds(stack);
  const n = ids.length;
  const details: FaultRun['details'] = { intervalMs: CHURN_INTERVAL_MS, moves: 0, failures: 0 };
  let stopped = false;
  let wake: () => void = () => {};

  const moveOnce = async (): Promise<void> => {
    const leader = await leaderIndex(stack, ids);
    if (leader < 0) throw new Error('no leader right now');
    // The next member after the leader that answers: leadership rotates etcd-1 → 2 → 3 → 1.
    const st = await statuses(stack);
    let target = -1;
    for (let j = 1; j < n && target < 0; j++) if (st[(leader + j) % n]) target = (leader + j) % n;
    if (target < 0) throw new Error('no follower answers');
    await etcdctl(['--endpoints', stack.cluster.members[leader].clientUrl, 'move-leader', ids[target].hex]);
    details.moves = Number(details.moves) + 1;
    details.leader = ids[target].name;
  };

  // The first move must work: that is when the fault took effect.
  await moveOnce();
  const loop = (async () => {
    while (!stopped) {
      const t0 = Date.now();
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, Math.max(0, CHURN_INTERVAL_MS - (Date.now() - t0)));
      });
      if (stopped) break;
      try {
        await moveOnce();
      } catch (err) {
        details.failures = Number(details.failures) + 1;
        details.lastError = (err as Error).message.slice(0, 200);
      }
    }
  })();
  return makeRun('leader-churn', null, details, async () => {
    stopped = true;
    wake();
    await loop;
  });
}

// ---------------------------------------------------------------------------------------------
// quota

async function quota(stack: Stack, member: number | undefined): Promise<FaultRun> {
  const quotas = stack.quotaBackendBytes;
  const withQuota = Object.keys(quotas).map(Number);
  if (withQuota.length === 0) {
    throw new FaultConflictError(
      'quota: no member has a small backend quota; start the stack with one, e.g. ' +
        "startStack({ quotaBackendBytes: { 2: 32 * 1024 * 1024 } }) or the CLIs' --quota 32MiB",
    );
  }
  const i = member ?? withQuota[withQuota.length - 1];
  if (quotas[i] === undefined) {
    throw new FaultConflictError(
      `quota: member ${i} (${stack.cluster.members[i].name}) has no small quota; members with one: ${withQuota.join(', ')}`,
    );
  }
  assertRunnable(stack, i, 'quota');
  const target = stack.cluster.members[i];
  const quotaBytes = quotas[i];
  const t0 = Date.now();
  const value = crypto.randomBytes(FILLER_VALUE_BYTES);
  const maxPuts = Math.ceil((2 * quotaBytes) / FILLER_VALUE_BYTES) + 20;
  let puts = 0;
  let nospace: Error | null = null;

  await withClient(target.clientUrl, 20_000, async (c) => {
    const worker = async () => {
      while (!nospace && puts < maxPuts) {
        const key = `${QUOTA_FILLER_PREFIX}${String(puts++).padStart(5, '0')}`;
        try {
          await c.put(key).value(value);
        } catch (err) {
          if (NOSPACE_RE.test((err as Error).message)) nospace = err as Error;
          else throw new Error(`quota: put ${key} to ${target.name} failed: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all([worker(), worker()]);
  });
  if (!nospace)
    throw new Error(
      `quota: ${puts} puts of ${FILLER_VALUE_BYTES} bytes did not raise NOSPACE on ${target.name} (quota ${quotaBytes} bytes)`,
    );
  const fillMs = Date.now() - t0;
  const alarms = await waitFor(
    async () => ((await listAlarms(stack)).some((a) => a.alarm === 'Nospace') ? listAlarms(stack) : null),
    {
      what: 'the NOSPACE alarm in the alarm list',
      timeoutMs: 10_000,
    },
  );

  const details: FaultRun['details'] = {
    quotaBytes,
    fillerPuts: puts,
    fillerValueBytes: FILLER_VALUE_BYTES,
    msToNospace: fillMs,
    error: (nospace as Error).message.split('\n')[0].slice(0, 200),
    alarms: alarms.map((a) => `${a.alarm}@${a.member}`).join(','),
  };
  return makeRun('quota', target.name, details, async () => {
    const u0 = Date.now();
    await recoverFromNospace(stack, details);
    details.undoMs = Date.now() - u0;
  });
}

interface Alarm {
  alarm: string;
  /** member ID, decimal */
  memberId: string;
  /** member name if known */
  member: string;
}

/** Client URLs of the members that are running and not frozen. */
function liveUrls(stack: Stack): string[] {
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

/**
 * The safe order (DOMAIN.md): delete the filler, compact to the current revision, defragment
 * the followers one at a time and then the leader, disarm, check the alarm list is empty and a
 * write works.
 */
async function recoverFromNospace(stack: Stack, details: FaultRun['details']): Promise<void> {
  const urls = liveUrls(stack);
  // DeleteRange is allowed under NOSPACE; it returns the revision to compact to.
  const del = await withClient(urls, 10_000, async (c) => await c.delete().prefix(QUOTA_FILLER_PREFIX).exec());
  const revision = (await memberStatus(urls[0]).catch(() => null))?.revision ?? del.header.revision;
  await withClient(urls, 60_000, async (c) => {
    try {
      await c.kv.compact({ revision, physical: true });
    } catch (err) {
      if (!/required revision has been compacted/.test((err as Error).message)) throw err;
    }
  });
  details.compactedTo = revision;

  const st = await statuses(stack);
  const leaderId = st.find((s) => s && s.leader !== '0')?.leader;
  const order = stack.cluster.members
    .map((m, i) => ({ m, s: st[i] }))
    .filter((x) => x.s !== null)
    .sort((a, b) => Number(a.s!.id === leaderId) - Number(b.s!.id === leaderId));
  const sizes: string[] = [];
  for (const { m, s } of order) {
    await withClient(m.clientUrl, 60_000, (c) => c.maintenance.defragment());
    const after = await memberStatus(m.clientUrl, 3_000);
    sizes.push(`${m.name}${s!.id === leaderId ? '(leader)' : ''} ${s!.dbSize}→${after.dbSize}`);
  }
  details.defragmented = sizes.join(', ');

  for (const a of await listAlarms(stack)) {
    await withClient(urls, 5_000, (c) =>
      c.maintenance.alarm({ action: 'Deactivate', memberID: a.memberId, alarm: a.alarm as 'Nospace' }),
    );
  }
  await waitFor(async () => (await listAlarms(stack)).length === 0, {
    what: 'an empty alarm list after disarm',
    timeoutMs: 10_000,
  });
  const probe = `/fulcrum-fault/quota-probe-${Date.now()}`;
  await withClient(urls, 5_000, async (c) => {
    await c.put(probe).value('ok');
    await c.delete().key(probe);
  });
}

// ---------------------------------------------------------------------------------------------
// freeze, kill

/** Linux process state letter from /proc/<pid>/stat ('T' = stopped), or null if gone. */
function procState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

function assertRunnable(stack: Stack, i: number, name: FaultName): void {
  const m = stack.cluster.members[i];
  if (!stack.cluster.isRunning(i)) throw new FaultConflictError(`${name}: ${m.name} is not running`);
  if (procState(m.pid) === 'T')
    throw new FaultConflictError(`${name}: ${m.name} (pid ${m.pid}) is already stopped (frozen)`);
}

/** Resolves once the member answers /health at all (healthy or not, e.g. under an alarm). */
async function waitAnswers(stack: Stack, i: number, timeoutMs = 30_000): Promise<void> {
  const m = stack.cluster.members[i];
  await waitFor(
    async () => {
      await memberHealthy(m.clientUrl, 1_000);
      return true;
    },
    { what: `${m.name} to answer /health again`, timeoutMs, intervalMs: 200 },
  );
}

/**
 * Resolves once the member reports healthy, or — while an alarm (e.g. NOSPACE from the quota
 * fault) makes every member's /health false on 3.4 — once it answers Status with a leader.
 */
async function waitServing(stack: Stack, i: number, timeoutMs = 30_000): Promise<void> {
  const m = stack.cluster.members[i];
  await waitFor(
    async () => {
      if (await memberHealthy(m.clientUrl, 1_000)) return true;
      const st = await memberStatus(m.clientUrl, 1_000);
      return st.leader !== '0' && (await listAlarms(stack)).length > 0;
    },
    {
      what: `${m.name} to be healthy again (or serving, with an alarm raised)`,
      timeoutMs,
      intervalMs: 200,
      abortIf: () => (stack.cluster.isRunning(i) ? null : `${m.name} exited; see ${m.logFile}`),
    },
  );
}

async function freeze(stack: Stack, i: number): Promise<FaultRun> {
  assertRunnable(stack, i, 'freeze');
  const m = stack.cluster.members[i];
  const pid = m.pid;
  stack.cluster.freeze(i);
  return makeRun('freeze', m.name, { pid, signal: 'SIGSTOP' }, async () => {
    if (stack.cluster.isRunning(i) && m.pid === pid) stack.cluster.thaw(i);
    if (stack.cluster.isRunning(i)) await waitAnswers(stack, i);
  });
}

async function kill(stack: Stack, i: number): Promise<FaultRun> {
  assertRunnable(stack, i, 'kill');
  const m = stack.cluster.members[i];
  const pid = m.pid;
  await stack.cluster.kill9(i);
  return makeRun('kill', m.name, { pid, signal: 'SIGKILL' }, async () => {
    if (!stack.cluster.isRunning(i)) await stack.cluster.restart(i);
    await waitServing(stack, i);
  });
}

// ---------------------------------------------------------------------------------------------
// tcp-check, freeze-behind-tcp-check

/** Waits until every server's check_status starts with prefix ('L4' / 'L7'); returns them. */
async function waitCheckStatus(stack: Stack, prefix: 'L4' | 'L7', skip: string[] = []): Promise<string> {
  return waitFor(
    async () => {
      const rows = await stack.haproxy.serverStats();
      const servers = stack.haproxy.servers.filter((s) => !skip.includes(s));
      const all = servers.map((s) => `${s}=${rows[s]?.check_status ?? '?'}`);
      return servers.every((s) => rows[s]?.check_status?.startsWith(prefix)) ? all.join(' ') : null;
    },
    { what: `HAProxy check_status ${prefix}* on every server`, timeoutMs: 15_000, intervalMs: 200 },
  );
}

async function switchChecks(stack: Stack, check: 'http' | 'tcp'): Promise<string> {
  await stack.haproxy.reload({ check });
  // A killed member fails both kinds at L4 (L4CON); a frozen one passes L4 and times out at L7.
  const dead = stack.cluster.members.filter((_, i) => !stack.cluster.isRunning(i)).map((m) => m.name);
  return waitCheckStatus(stack, check === 'tcp' ? 'L4' : 'L7', dead);
}

async function tcpCheck(stack: Stack): Promise<FaultRun> {
  if (stack.haproxy.check === 'tcp')
    throw new FaultConflictError('tcp-check: HAProxy already uses TCP checks (is freeze-behind-tcp-check active?)');
  const oldPid = stack.haproxy.pid;
  // The new checks may be in place before switchChecks() has confirmed them: count from the start.
  const startedAt = Date.now();
  const status = await switchChecks(stack, 'tcp');
  return makeRun(
    'tcp-check',
    null,
    { check: 'tcp', checkStatus: status, haproxyPid: stack.haproxy.pid, replacedPid: oldPid },
    async () => {
      if (stack.haproxy.check !== 'http') await switchChecks(stack, 'http');
    },
    startedAt,
  );
}

async function freezeBehindTcpCheck(stack: Stack, i: number): Promise<FaultRun> {
  assertRunnable(stack, i, 'freeze-behind-tcp-check');
  const m = stack.cluster.members[i];
  const switched = stack.haproxy.check !== 'tcp';
  if (switched) await switchChecks(stack, 'tcp');
  const pid = m.pid;
  try {
    stack.cluster.freeze(i);
  } catch (err) {
    if (switched) await switchChecks(stack, 'http').catch(() => {});
    throw err;
  }
  return makeRun(
    'freeze-behind-tcp-check',
    m.name,
    { pid, signal: 'SIGSTOP', check: 'tcp', switchedChecks: switched ? 1 : 0 },
    async () => {
      if (stack.cluster.isRunning(i) && m.pid === pid) stack.cluster.thaw(i);
      if (stack.cluster.isRunning(i)) await waitAnswers(stack, i);
      if (switched && stack.haproxy.check !== 'http') await switchChecks(stack, 'http');
    },
  );
}
