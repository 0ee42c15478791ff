// Fault injection for the local stack (dev/stack.ts). Every fault changes the real systems —
// HAProxy's runtime state or config, etcd processes, the cluster's data and alarms, extra
// load — and every FaultRun.undo() puts them back. Faults revert only what they changed: e.g.
// freeze-behind-tcp-check on a stack whose HAProxy already uses TCP checks only freezes and
// thaws. One fault per file, listed here:
//
//   skew-weights              target member 80, the others 10 (30/20/10 → 10/10/80): HAProxy's
//                             runtime API, or NGINX's upstream rewritten and reloaded
//   pin-load                  a second load generator on one never-reconnecting gRPC connection
//   leader-churn              `etcdctl move-leader` to the next member every ~2 s
//   quota                     fill the cluster until the small-quota member raises NOSPACE
//   freeze                    SIGSTOP a member
//   kill                      kill -9 a member
//   tcp-check                 HAProxy config reloaded with plain TCP (L4) checks (HAProxy only)
//   freeze-behind-tcp-check   both: the frozen member's kernel still completes handshakes (HAProxy only)
//   cpu-throttle              cgroup CFS quota 4 ms / 200 ms on a member: it stalls, disk and network fine
//   check-path                HAProxy reloaded checking /livez (3.5.11+): 404 on 3.4, every server DOWN
//                             (HAProxy only)
//   drain                     runtime API: `state drain` on a member's server (the operator's intent;
//                             HAProxy only)
//   slow-wal                  cgroup write-IOPS limit on the loop device holding a member's WAL
//
// pin-load, leader-churn, tcp-check, check-path and slow-wal take no member and refuse one
// (FaultUsageError). On an NGINX stack freeze is already "behind a passive check": open-source
// NGINX never checks actively.

import type { Stack } from '../stack';
import { type Fault, type FaultName, type FaultOptions, type FaultRun, FaultUsageError, FAULT_NAMES } from './fault';
import { checkPath } from './check-path';
import { cpuThrottle } from './cpu-throttle';
import { drain } from './drain';
import { freeze } from './freeze';
import { freezeBehindTcpCheck } from './freeze-behind-tcp-check';
import { kill } from './kill';
import { leaderChurn } from './leader-churn';
import { pinLoad } from './pin-load';
import { quota } from './quota';
import { skewWeights } from './skew-weights';
import { slowWal } from './slow-wal';
import { tcpCheck } from './tcp-check';

export {
  FAULT_NAMES,
  FaultConflictError,
  FaultUsageError,
  isFaultName,
  type Fault,
  type FaultName,
  type FaultOptions,
  type FaultRun,
} from './fault';
export { listAlarms, memberIdHex, memberStatus, parseJsonKeepBigInts } from './etcd';
export { kvRates } from './pin-load';

/** Every fault by name (the type makes the list complete). */
export const FAULTS: Readonly<Record<FaultName, Fault>> = {
  'skew-weights': skewWeights,
  'pin-load': pinLoad,
  'leader-churn': leaderChurn,
  quota,
  freeze,
  kill,
  'tcp-check': tcpCheck,
  'freeze-behind-tcp-check': freezeBehindTcpCheck,
  'cpu-throttle': cpuThrottle,
  'check-path': checkPath,
  drain,
  'slow-wal': slowWal,
};

/**
 * Checks the request against the fault (a known name; a member only where it takes one, as a
 * valid 0-based index) and throws FaultUsageError with the reason, before touching the stack.
 */
export function faultFor(name: string, opts: FaultOptions, members: number): Fault {
  const fault = (FAULTS as Record<string, Fault | undefined>)[name];
  if (!fault || !Object.hasOwn(FAULTS, name))
    throw new FaultUsageError(`unknown fault ${JSON.stringify(name)}; one of ${FAULT_NAMES.join(', ')}`);
  if (opts.member === undefined) return fault;
  if (fault.refusesMember)
    throw new FaultUsageError(`${name} takes no member (${fault.refusesMember}); leave out the member`);
  if (!(Number.isInteger(opts.member) && opts.member >= 0 && opts.member < members)) {
    throw new FaultUsageError(`${name}: member must be an index 0..${members - 1} (0-based), got ${opts.member}`);
  }
  return fault;
}

/** The faults that work on a stack with this balancer, in FAULTS order. */
export function faultNamesFor(balancer: Stack['balancer']): FaultName[] {
  return Object.values(FAULTS)
    .filter((f) => !f.balancers || f.balancers.includes(balancer))
    .map((f) => f.name);
}

export async function injectFault(stack: Stack, name: FaultName, opts: FaultOptions = {}): Promise<FaultRun> {
  const fault = faultFor(name, opts, stack.cluster.members.length);
  if (fault.balancers && !fault.balancers.includes(stack.balancer)) {
    throw new FaultUsageError(
      `${name} needs ${fault.balancers.join(' or ')}; this stack runs ${stack.balancer} (its faults: ${faultNamesFor(stack.balancer).join(', ')})`,
    );
  }
  return fault.inject(stack, opts.member);
}
