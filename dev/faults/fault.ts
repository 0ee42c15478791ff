// What every fault is: a name, whether it takes a member, inject() → a FaultRun whose undo()
// puts the stack back. The faults themselves are one per file, listed in index.ts.
import { DEMO_FAULTS, type DemoFault } from '../../lib/demo/names';
import type { Stack } from '../stack';

/** The fault names: one list, shared with the demo's fault panel (plain constants, browser-safe). */
export const FAULT_NAMES = DEMO_FAULTS;
export type FaultName = DemoFault;

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

export interface Fault {
  name: FaultName;
  /**
   * Why the fault takes no member, for faults that refuse one (asked for a member, they answer
   * with this instead of silently ignoring it); absent when it takes one.
   */
  refusesMember?: string;
  /** The balancers it works with (default: any); asked of another, injectFault says so. */
  balancers?: ReadonlyArray<Stack['balancer']>;
  /** `member` is a valid 0-based index, or undefined (the fault's default); never set when refusesMember is. */
  inject(stack: Stack, member: number | undefined): Promise<FaultRun>;
}

/** The stack is not in a state this fault can be injected into (already active, member down…). */
export class FaultConflictError extends Error {}
/** The request itself is wrong (unknown name, bad member index, a member for a fault that takes none). */
export class FaultUsageError extends Error {}

/** A FaultRun whose undo() runs undoOnce at most once successfully (concurrent calls share it). */
export function makeRun(
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

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Default target of the single-member faults: etcd-2 (index 1), or the only member. */
export const secondMember = (stack: Stack) => Math.min(1, stack.cluster.members.length - 1);
