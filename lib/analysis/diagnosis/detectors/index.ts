// The detectors, one finding kind per file, and diagnose(): run them all over one cluster view.
// To add a detector: add its kind to FINDING_KINDS (../types.ts), write <kind>.ts exporting a
// Detector, list it here, and give it a <kind>.test.ts.
import type { DetectorCheck } from '../../../types';
import { emptySignals } from '../../member';
import type { Candidate, Detector, DiagnosisInput } from '../types';
import { balancerDrain } from './balancer-drain';
import { balancerErrors } from './balancer-errors';
import { balancerOutage } from './balancer-outage';
import { capacityMismatch } from './capacity-mismatch';
import { connectionPinning } from './connection-pinning';
import { healthCheckGap } from './health-check-gap';
import { leaderChurn } from './leader-churn';
import { learnerServing } from './learner-serving';
import { memberDown } from './member-down';
import { memberRestarts } from './member-restarts';
import { memberStall } from './member-stall';
import { peerNetwork } from './peer-network';
import { quotaPressure } from './quota-pressure';
import { raftLag } from './raft-lag';
import { requestSkew } from './request-skew';
import { slowDisk } from './slow-disk';
import { slowMember } from './slow-member';
import { unhealthyServing } from './unhealthy-serving';
import { tlsCertificate } from './tls-certificate';
import { versionSkew } from './version-skew';

/** In the order their checks are listed. */
export const DETECTORS: readonly Detector[] = [
  balancerOutage,
  memberDown,
  memberRestarts,
  unhealthyServing,
  learnerServing,
  quotaPressure,
  requestSkew,
  connectionPinning,
  capacityMismatch,
  healthCheckGap,
  leaderChurn,
  memberStall,
  slowMember,
  slowDisk,
  raftLag,
  peerNetwork,
  balancerErrors,
  versionSkew,
  balancerDrain,
  tlsCertificate,
];

/**
 * The view the detectors read. The engine keeps a member's last signals while it does not answer
 * (the member page shows them as last known), but once it is down they describe the past: a down
 * member must not raise slow-disk, slow-member, peer-network or feed leader-churn's drivers from
 * them. member-down covers it. A member that missed one poll ('unknown') keeps its signals, like
 * it keeps its role, so one missed poll does not clear and re-raise its findings.
 */
export function currentView(input: DiagnosisInput): DiagnosisInput {
  if (!input.members.some((m) => m.status === 'down')) return input;
  return {
    ...input,
    members: input.members.map((m) => (m.status === 'down' ? { ...m, signals: emptySignals() } : m)),
  };
}

export function diagnose(input: DiagnosisInput): { candidates: Candidate[]; checks: DetectorCheck[] } {
  const view = currentView(input);
  const candidates: Candidate[] = [];
  const checks: DetectorCheck[] = [];
  for (const d of DETECTORS) {
    const r = d.run(view);
    candidates.push(...r.candidates);
    checks.push(r.check);
  }
  return { candidates, checks };
}
