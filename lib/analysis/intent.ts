// The operator's intent at the balancer: a server taken out on purpose (maintenance, drain, weight
// 0, a backup kept in reserve) is a decision, not a skew. Its expected share is 0 and the others'
// expectations renormalise over what is left: the balancer's own model (weights/shares.ts, whose
// serverRole this builds on), so the score and the what-if prediction agree. Pure; shared by the
// balancer view, the scores and the detectors (and by dynamic weights, which must not undo a drain).
import type { BalancerServer, BalancerState, DrainState } from '../types';
import { serverRole } from './weights/shares';

/** What a server's state says about the operator's intent, before knowing since when. */
export interface ServerIntentInput {
  status: string;
  weight: number;
  backup: boolean;
}

/**
 * Why a server carries no expected share, or null when it is meant to serve. `activeUp`: some
 * non-backup server of the backend is UP (a backup serves only when none is). A server a failed
 * check took out (DOWN) is not the operator's doing, nor is MAINT from a DNS resolution failure.
 */
export function drainReason(s: ServerIntentInput, activeUp: boolean): DrainState['reason'] | null {
  const status = s.status.trim().toUpperCase();
  const role = serverRole(s.backup ? 'BACKUP' : status);
  if (role === 'backup') return activeUp ? 'backup' : null;
  if (role === 'out') {
    // Out of rotation: by the operator (MAINT, DRAIN, NOLB), or by a check or DNS (not a decision).
    if (status.startsWith('MAINT')) return status.includes('(RESOLUTION)') ? null : 'MAINT';
    if (status.startsWith('DRAIN')) return 'DRAIN';
    if (status.startsWith('NOLB')) return 'NOLB';
    return null;
  }
  return s.weight <= 0 ? 'weight 0' : null;
}

/** Whether a server takes new traffic now (UP, not drained). */
export function servesNow(s: Pick<BalancerServer, 'status' | 'drained'>): boolean {
  return s.status.trim().toUpperCase().startsWith('UP') && s.drained === null;
}

/**
 * The drain state of a server this poll. It keeps the `since` of the previous poll's state when
 * the reason is the same; else HAProxy's seconds since its last state change date a status change
 * (MAINT, DRAIN), and Fulcrum's own first look dates the rest.
 */
export function drainState(
  reason: DrainState['reason'] | null,
  prev: DrainState | null,
  t: number,
  lastChangeS: number | null,
  firstLook: boolean,
): DrainState | null {
  if (reason === null) return null;
  if (prev && prev.reason === reason) return prev;
  const byStatus = reason === 'MAINT' || reason === 'DRAIN' || reason === 'NOLB';
  if (byStatus && lastChangeS !== null && lastChangeS >= 0)
    return { reason, since: t - lastChangeS * 1000, sinceFirstLook: false };
  return { reason, since: t, sinceFirstLook: firstLook };
}

/** Per member (in order): whether the balancer has it drained. Members with no server: false. */
export function drainedMembers(
  members: ReadonlyArray<{ endpoint: string }>,
  servers: ReadonlyArray<Pick<BalancerServer, 'member' | 'drained'>> | null | undefined,
): boolean[] {
  return members.map((m) => Boolean(servers?.find((s) => s.member === m.endpoint)?.drained));
}

/**
 * Per member: drained at the balancer this poll. A failed balancer read keeps the last known
 * intent (the previous poll's servers) rather than flipping every expectation. The engine and
 * the browser's store (applying a stream delta) both call this, with the balancer before and after.
 */
export function drainedNow(
  members: ReadonlyArray<{ endpoint: string }>,
  balancer: Pick<BalancerState, 'ok' | 'servers'> | null | undefined,
  prevBalancer: Pick<BalancerState, 'servers'> | null | undefined,
): boolean[] {
  return drainedMembers(members, balancer?.ok ? balancer.servers : (prevBalancer?.servers ?? null));
}
