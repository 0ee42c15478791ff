// Member process checks the faults share: is it runnable, does it answer again after an undo;
// and a member confined to a cgroup of its own (cpu-throttle, slow-wal).
import { type Controller, confine } from '../lib/cgroup';
import { memberHealthy } from '../lib/etcd';
import { waitFor } from '../lib/procs';
import type { Stack } from '../stack';
import { listAlarms, memberStatus, procState } from './etcd';
import { FaultConflictError, type FaultName, type FaultRun, makeRun } from './fault';

export function assertRunnable(stack: Stack, i: number, name: FaultName): void {
  const m = stack.cluster.members[i];
  if (!stack.cluster.isRunning(i)) throw new FaultConflictError(`${name}: ${m.name} is not running`);
  if (procState(m.pid) === 'T')
    throw new FaultConflictError(`${name}: ${m.name} (pid ${m.pid}) is already stopped (frozen)`);
}

/**
 * Fault `name` on member i: moves its (running) process into a fresh cgroup with `settings`
 * (by cgroup version). The run's details are the pid, the group and `details`; its undo() moves
 * the process back and removes the group. A host that refuses (no such controller, not root) is
 * a FaultConflictError.
 */
export function confineMember(
  stack: Stack,
  i: number,
  name: FaultName,
  controller: Controller,
  settings: (v: 1 | 2) => Record<string, string>,
  details: FaultRun['details'],
): FaultRun {
  assertRunnable(stack, i, name);
  const m = stack.cluster.members[i];
  let group: ReturnType<typeof confine>;
  try {
    group = confine(m.pid, controller, `fulcrum-${name}-${m.pid}`, settings);
  } catch (err) {
    throw new FaultConflictError(`${name}: ${(err as Error).message}`);
  }
  return makeRun(name, m.name, { pid: m.pid, ...details, cgroup: group.dir }, async () => group.release());
}

/** Resolves once the member answers /health at all (healthy or not, e.g. under an alarm). */
export async function waitAnswers(stack: Stack, i: number, timeoutMs = 30_000): Promise<void> {
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
export async function waitServing(stack: Stack, i: number, timeoutMs = 30_000): Promise<void> {
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
