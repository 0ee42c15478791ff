// A cluster read from Prometheus only (discovered, or every member `direct: false`): the
// detectors that need what only a direct connection gives say so, instead of a generic reason.
import type { DetectorCheck } from '../../types';

/** What each detector needs that Prometheus metrics alone do not give. */
export const NEEDS_DIRECT: Readonly<Record<string, string>> = {
  'unhealthy-serving': 'the balancer (its runtime API) to see whether a bad member still gets traffic',
  'connection-pinning': 'the balancer (its connection counts)',
  'health-check-gap': "the balancer's health-check config",
  'balancer-errors': "the balancer's error counters",
  'raft-lag': "each member's raft index (the Status RPC)",
  'peer-network': 'the peer round-trip histograms, read by polling the members',
  'member-stall':
    "Fulcrum's own probe of each member and the peers' round trips towards it, read by polling the members",
  'balancer-outage': 'the balancer (which servers are UP)',
  'balancer-drain': 'the balancer (which servers are drained)',
  'member-restarts': "each member's process start time between two polls, read by polling the members",
  'learner-serving': 'the balancer (which servers are UP) and the Status RPC (which member is a learner)',
};

/** The checks with the reason a Prometheus-only cluster can't have them. Pure. */
export function prometheusOnlyChecks(checks: DetectorCheck[]): DetectorCheck[] {
  return checks.map((c) =>
    c.state === 'not-checked' && NEEDS_DIRECT[c.kind]
      ? { ...c, note: `not checked: read from Prometheus only, needs ${NEEDS_DIRECT[c.kind]}` }
      : c,
  );
}
