import type {
  BalancerState,
  DetectorCheck,
  DimensionId,
  DimensionScore,
  Evidence,
  Finding,
  Fix,
  MemberState,
} from '../../types';
import type { Thresholds } from './thresholds';

export const FINDING_KINDS = [
  'balancer-outage',
  'member-down',
  'member-restarts',
  'unhealthy-serving',
  'learner-serving',
  'quota-pressure',
  'request-skew',
  'connection-pinning',
  'capacity-mismatch',
  'health-check-gap',
  'leader-churn',
  'member-stall',
  'slow-member',
  'slow-disk',
  'raft-lag',
  'peer-network',
  'balancer-errors',
  'version-skew',
  'balancer-drain',
  'tls-certificate',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** A finding as a detector sees it this poll, before hysteresis gives it an id and a since. */
export interface Candidate {
  kind: FindingKind;
  members: string[];
  severity: Finding['severity'];
  title: string;
  summary: string;
  evidence: Evidence[];
  fixes: Fix[];
  confidence: number;
  /** Polls before raising, overriding the threshold (e.g. 1 when the signal is already debounced). */
  raiseAfter?: number;
}

export interface BalancerRef {
  type: 'haproxy' | 'nginx';
  backend: string;
  /** Runtime API socket/address (not a secret): fix text shows how to send a command. */
  runtimeApi: string | null;
  /** NGINX Plus API base URL: fix text PATCHes weights and `down` through it (absent: none). */
  plusApi?: string | null;
  /** haproxy.cfg / nginx.conf as configured (a path, not a secret; absent: not known). */
  configFile?: string | null;
}

export interface DiagnosisInput {
  cluster: string;
  t: number;
  pollIntervalMs: number;
  members: MemberState[];
  scores: Record<DimensionId, DimensionScore>;
  /** Expected shares follow configured weights (vs equal shares). */
  weighted: boolean;
  balancer: BalancerState | null;
  balancerRef: BalancerRef | null;
  /** Leader changes seen in the last minute (max over members' counters and observed events). */
  leaderChangesLastMinute: number | null;
  /** Per member endpoint: log signal id → matching lines in the window (null: no logs configured). */
  logSignals: Record<string, Record<string, number>> | null;
  thresholds: Thresholds;
}

export interface DetectorResult {
  candidates: Candidate[];
  check: DetectorCheck;
}

/**
 * One detector: one finding kind, a pure function of the cluster view. Registered in
 * detectors/index.ts; diagnose() hands it members whose signals are current (a member that is
 * down carries no disk, latency or network signals: its last ones are history, not evidence).
 */
export interface Detector {
  kind: FindingKind;
  run(input: DiagnosisInput): DetectorResult;
}
