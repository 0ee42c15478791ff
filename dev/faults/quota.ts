// quota: fill the cluster until the small-quota member raises NOSPACE; undo reclaims the space
// in the safe order and disarms the alarm.
import crypto from 'node:crypto';
import { waitFor } from '../lib/procs';
import type { Stack } from '../stack';
import { listAlarms, liveUrls, memberStatus, statuses, withClient } from './etcd';
import { type Fault, FaultConflictError, type FaultRun, makeRun } from './fault';
import { assertRunnable } from './members';

/** Key prefix of the filler values. */
export const QUOTA_FILLER_PREFIX = '/fulcrum-fault/quota/';
const FILLER_VALUE_BYTES = 1024 * 1024; // under etcd's default --max-request-bytes (1.5 MiB)
const NOSPACE_RE = /database space exceeded/;

export const quota: Fault = {
  name: 'quota',
  inject: (stack, member) => fill(stack, member),
};

async function fill(stack: Stack, member: number | undefined): Promise<FaultRun> {
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
