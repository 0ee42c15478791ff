// What several detectors share: the check line, latency lookups and weights, log evidence. Pure.
import type { DetectorCheck, Evidence, MemberState } from '../../../types';
import { memberIdHex } from '../../../format';
import { isLive } from '../../live';
import type { Candidate, DetectorResult, DiagnosisInput, FindingKind } from '../types';
import { serverOf, weightNow } from '../fixes';
import { DEFAULT_CAPACITY, capacityFactors, capacityInputOf, proposeWeights, serverP99 } from '../../weights/propose';

export function result(
  kind: FindingKind,
  candidates: Candidate[],
  okNote: string,
  notChecked?: string,
): DetectorResult {
  const check: DetectorCheck = notChecked
    ? { kind, state: 'not-checked', note: notChecked }
    : candidates.length
      ? { kind, state: 'firing', note: candidates.map((c) => c.title).join('; ') }
      : { kind, state: 'ok', note: okNote };
  return { candidates, check };
}

/** p99 over the diagnosis window, only when the member saw enough calls for it to mean something. */
export function latencyOf(input: DiagnosisInput, m: MemberState): number | null {
  return serverP99(m, input.thresholds.minLatencySamples);
}

/** Weights now and Fulcrum's proposal for them (weights/propose.ts: the one proposal). */
export function latencyWeights(input: DiagnosisInput, members: MemberState[]): { current: number[]; next: number[] } {
  const current = members.map((m) => weightNow(input, m));
  const factors = capacityFactors(
    members.map((m) => capacityInputOf(m, input.thresholds.minLatencySamples)),
    { ...DEFAULT_CAPACITY, probeLateMs: input.thresholds.stallProbeExcessMs },
  );
  return { current, next: proposeWeights(current, factors) };
}

export function logEvidence(input: DiagnosisInput, m: MemberState, signals: string[]): Evidence[] {
  const counts = input.logSignals?.[m.endpoint];
  if (!counts) return [];
  return signals
    .filter((s) => (counts[s] ?? 0) > 0)
    .map((s) => ({ label: `log lines "${s}"`, value: String(counts[s]), member: m.endpoint }));
}

/** A member ID as etcdctl takes it (hex), or a placeholder when unknown. */
export function memberIdText(id: string | null): string {
  return memberIdHex(id) ?? '<member-id>';
}

export function allEndpoints(input: DiagnosisInput): string {
  return input.members.map((m) => m.endpoint).join(',');
}

/** New-connection rate per live member as shares, in member order (null when none). */
export function sessionShares(input: DiagnosisInput): Array<number | null> | null {
  if (!input.balancer?.ok) return null;
  const rs = input.members.map((m) => (isLive(m) ? (serverOf(input, m)?.sessionRate ?? null) : null));
  const sum = rs.reduce<number>((a, r) => a + (r ?? 0), 0);
  return sum > 0 ? rs.map((r) => (r === null ? null : r / sum)) : null;
}
