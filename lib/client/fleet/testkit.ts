// FleetCluster builders for the pure fleet tests (fixtures, not mocks of a server).
import type { FleetCluster, FleetMember, FleetState } from '../../fleet/types';
import type { Severity } from '../../types';

export function fleetMember(
  name: string,
  share: number | null,
  expected: number | null,
  over: Partial<FleetMember> = {},
): FleetMember {
  return {
    endpoint: `http://${name}:2379`,
    name,
    status: 'up',
    isLeader: false,
    dims: { requests: { share, expected } },
    ...over,
  };
}

/** A cluster of `shares.length` members with equal expected shares. */
export function fleetCluster(
  name: string,
  over: Partial<FleetCluster> = {},
  shares: number[] = [1 / 3, 1 / 3, 1 / 3],
): FleetCluster {
  const members = shares.map((s, i) => fleetMember(`${name}-m${i + 1}`, s, 1 / shares.length, { isLeader: i === 0 }));
  return {
    name,
    labels: {},
    source: 'direct',
    status: 'ok',
    members,
    leader: members[0]?.name ?? null,
    score: 0,
    scoreEqual: 0,
    findings: { info: 0, warning: 0, critical: 0 },
    worst: null,
    updatedAt: 1_000,
    pollIntervalMs: 1000,
    ...over,
  };
}

export function withFinding(
  c: FleetCluster,
  severity: Severity,
  since = 500,
  title = `${severity} thing`,
): FleetCluster {
  return {
    ...c,
    findings: { ...c.findings, [severity]: c.findings[severity] + 1 },
    worst: { id: `${c.name}-${severity}`, kind: 'member-down', severity, title, since, members: [] },
  };
}

export function fleetState(clusters: FleetCluster[], over: Partial<FleetState> = {}): FleetState {
  return { seq: 1, updatedAt: 1_000, tickMs: 5000, build: 'b1', clusters, ...over };
}
