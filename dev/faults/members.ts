// Member process checks the faults share: is it runnable, does it answer again after an undo.
import { memberHealthy } from '../lib/etcd';
import { waitFor } from '../lib/procs';
import type { Stack } from '../stack';
import { listAlarms, memberStatus, procState } from './etcd';
import { FaultConflictError, type FaultName } from './fault';

export function assertRunnable(stack: Stack, i: number, name: FaultName): void {
  const m = stack.cluster.members[i];
  if (!stack.cluster.isRunning(i)) throw new FaultConflictError(`${name}: ${m.name} is not running`);
  if (procState(m.pid) === 'T')
    throw new FaultConflictError(`${name}: ${m.name} (pid ${m.pid}) is already stopped (frozen)`);
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
