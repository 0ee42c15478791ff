import { z } from 'zod';

// Detector thresholds. Defaults from DOMAIN.md and the etcd docs; every one is configurable
// (config `diagnosis:` globally, or per cluster).
export const ThresholdsSchema = z
  .object({
    /** Polls a condition must hold before its finding is raised, and be gone before it clears. */
    raiseAfterPolls: z.number().int().min(1).max(120).default(3),
    clearAfterPolls: z.number().int().min(1).max(600).default(5),
    /** Polls of disk/network/balancer counters the detectors look at. */
    windowPolls: z.number().int().min(2).max(600).default(30),
    /** request-skew: imbalance score (vs expected shares) at or above this. */
    skewScore: z.number().min(0.01).max(1).default(0.2),
    /** request-skew is critical at or above this score. */
    skewScoreCritical: z.number().min(0.01).max(1).default(0.5),
    /** slow-member: absolute p99 latency (seconds). */
    latencyP99Seconds: z.number().positive().max(600).default(1),
    /** slow-member: p99 above this many times the peers' median... */
    slowMemberRatio: z.number().min(1.1).max(1000).default(3),
    /** ...and above this floor (seconds), so 2 ms vs 0.5 ms is not "slow". */
    slowMemberFloorSeconds: z.number().min(0).max(60).default(0.1),
    /** Latency detectors need this many calls per member in the window (p99 of fewer is noise). */
    minLatencySamples: z.number().int().min(1).max(1e9).default(200),
    /** Latency detectors raise only after this many polls (latency is noisier than counts). */
    latencyRaiseAfterPolls: z.number().int().min(1).max(600).default(10),
    /** Alerting rules: member latency p99 above this (seconds). */
    alertLatencySeconds: z.number().positive().max(600).default(0.5),
    leaderChangesPerMinute: z.number().min(0).max(1000).default(1),
    walFsyncP99Seconds: z.number().positive().max(60).default(0.01),
    backendCommitP99Seconds: z.number().positive().max(60).default(0.025),
    /** quota-pressure warning at db size / quota at or above this. */
    quotaWarnRatio: z.number().min(0.1).max(1).default(0.8),
    /** raft-lag: applied index this far behind the leader's commit index. */
    raftLagEntries: z.number().int().min(1).max(1e9).default(1000),
    /** raft-lag: or the applied index stalled this many polls while the leader moved. */
    raftStalledPolls: z.number().int().min(1).max(600).default(5),
    peerRttP99Seconds: z.number().positive().max(60).default(0.05),
    /** balancer-errors: error counter increases per minute on one server. */
    balancerErrorsPerMinute: z.number().min(0).max(1e6).default(5),
    /** health-check-gap: check interval above this (ms). */
    maxCheckIntervalMs: z.number().int().min(100).max(3_600_000).default(10_000),
    /** capacity-mismatch: hottest-per-capacity member's p99 this many times the others'. */
    capacityLatencyRatio: z.number().min(1.1).max(1000).default(2),
    /** connection-pinning: request share above expected by this many points (0..1). */
    pinningShareExcess: z.number().min(0.01).max(1).default(0.15),
    /**
     * member-stall: Fulcrum's probe of the member takes this much longer than the fastest
     * member's, as a median over the probe window (ms, Fulcrum's own lateness taken off).
     */
    stallProbeExcessMs: z.number().min(1).max(60_000).default(20),
    /**
     * member-stall: a member's own timings (commit, fsync, slow applies) this many times its
     * peers' median, and the peers' round trip towards it this many times theirs among themselves.
     */
    stallRatio: z.number().min(1.1).max(1000).default(3),
  })
  .strict();

export type Thresholds = z.infer<typeof ThresholdsSchema>;
export const DEFAULT_THRESHOLDS: Thresholds = ThresholdsSchema.parse({});
