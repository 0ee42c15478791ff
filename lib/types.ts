// The shapes that flow from the engine to the browser. Server state, SSE payloads, the JSON
// API and (later) snapshots all use these, so a view never knows where its state came from.
//
// etcd member IDs, raft indexes and terms are uint64: they stay decimal strings end to end.
import type { Patch } from './stream/patch';

export const DIMENSION_IDS = [
  'requests',
  'reads',
  'writes',
  'bytesIn',
  'bytesOut',
  'watchStreams',
  'dbSize',
  'latencyP99',
  'cpu',
  'peerBytesOut',
] as const;
export type DimensionId = (typeof DIMENSION_IDS)[number];

export type Unit = 'req/s' | 'B/s' | 'streams' | 'B' | 's' | 'cores';

export interface DimensionSpec {
  id: DimensionId;
  label: string;
  unit: Unit;
  /** rate: from counter deltas; gauge: a level; latency: a per-member quantile (no shares). */
  kind: 'rate' | 'gauge' | 'latency';
  /** Expected shares follow the endpoint weights (traffic) rather than being equal (data). */
  weighted: boolean;
  /** The leader carries extra of this by design: it is left out of the score. */
  leaderHeavy: boolean;
  /** Has a share/imbalance score (latency has none: it is compared to the peers' median). */
  scored: boolean;
  help: string;
}

export type MemberStatus = 'up' | 'unhealthy' | 'down' | 'unknown';

export interface DimensionValue {
  /** Rate or level for this member (unit of the dimension), null when unknown. */
  value: number | null;
  /** This member's fraction of the cluster total, null when unknown or not scored. */
  share: number | null;
  /** The fraction it should carry (weights or equal), null when not part of the expectation. */
  expectedShare: number | null;
}

export interface MemberState {
  /** Configured client URL: the key of the member everywhere in Fulcrum. */
  endpoint: string;
  name: string;
  /** uint64 member ID as a decimal string. */
  id: string | null;
  isLeader: boolean;
  isLearner: boolean;
  /** `/health` answered health=true; null when not known. */
  healthy: boolean | null;
  reachable: boolean;
  status: MemberStatus;
  /** Where the numbers came from this poll. */
  source: 'direct' | 'prometheus' | 'none';
  error: string | null;
  version: string | null;
  dbSizeBytes: number | null;
  dbSizeInUseBytes: number | null;
  quotaBackendBytes: number | null;
  leaderId: string | null;
  raftIndex: string | null;
  raftTerm: string | null;
  raftAppliedIndex: string | null;
  /** Status RPC `errors` plus alarms raised against this member (e.g. NOSPACE). */
  errors: string[];
  alarms: string[];
  /** Configured weight (1 when not configured). */
  weight: number;
  lastSeen: number | null;
  dims: Record<DimensionId, DimensionValue>;
  /** Health signals over the diagnosis window (disk, network, raft), null when unknown. */
  signals: MemberSignals;
  /** The member's TLS certificate (https endpoints), as last inspected; null when plain HTTP or not seen. */
  cert: MemberCert | null;
}

/** Public facts about a member's certificate (never key material). */
export interface MemberCert {
  /** ms epoch */
  notAfter: number;
  subject: string;
  /** subjectAltName entries ("DNS:etcd-1", "IP Address:10.0.0.1"). */
  altNames: string[];
  /** It covers the host of the endpoint URL. */
  nameMatches: boolean;
  /** The configured CA signs it. */
  trusted: boolean;
}

export interface MemberSignals {
  /** p99 seconds over the diagnosis window. */
  walFsyncP99: number | null;
  backendCommitP99: number | null;
  peerRttP99: number | null;
  /** p99 of unary KV/Lease handling time over the diagnosis window, and how many calls it saw. */
  latencyP99: number | null;
  latencyCount: number | null;
  /** Counter increases over the last minute. */
  leaderChanges: number | null;
  heartbeatFailures: number | null;
  peerSendFailures: number | null;
  slowApplies: number | null;
  /** Server-side gRPC failures (Unavailable, DeadlineExceeded, ...) per second on KV/Watch/Lease. */
  grpcErrorRate: number | null;
  hasLeader: boolean | null;
  /** MVCC revision from the Status response header (uint64, decimal string). */
  revision: string | null;
  /** Raft applied index did not move for this many polls while the leader's did. */
  appliedStalledPolls: number;
  /**
   * Fulcrum's probe: the Status RPC timed on its own each poll (Maintenance, never counted as
   * load). Latest (ms), median over the last 12 probes (ms), and how many that median saw.
   */
  probeMs: number | null;
  probeP50Ms: number | null;
  probeSamples: number;
  /**
   * How much longer this member's probe took than the fastest member's in the same poll, with
   * Fulcrum's own lateness during the probes taken off (ms): median and 90th percentile over the
   * last 12 probes. Fulcrum's slowness delays every member alike and cancels out; a member's own
   * stalls don't.
   */
  probeExcessMs: number | null;
  probeExcessP90Ms: number | null;
  /**
   * The highest that median held for 8 polls in a row over the probes kept (the diagnosis window,
   * at least two minutes; ms): the member stalled lately, and timings taken meanwhile still hold
   * its pauses. Sustained, so a busy machine's hiccup of a poll or two never counts as a stall
   * (which would hide a slow disk behind a stall that never was).
   */
  probeExcessPeakMs: number | null;
  /** Process restarts seen in the last minute (its start time changed between two answered polls). */
  restarts: number | null;
  /** When its process started (unix seconds, etcd's process_start_time_seconds). */
  startedAt: number | null;
  /**
   * The lateness of its current late spell (ms): the highest L its median held for 8 polls in a
   * row, the spell not ended since by 8 polls of probes on time again (0: none; null: too few
   * polls; signals.ts lateSpell). Late by a floor F while this is at least F: the weights
   * proposal's window.
   */
  probeLateSpellMs: number | null;
  /**
   * The round trip this member last measured towards each peer (peer's member ID in hex →
   * seconds): etcd's prober observes each peer about every 30 s, so the latest observation is
   * the current one.
   */
  peerRttTo: Record<string, number>;
  /** Raft messages this member failed to send to each peer over the last polls (hex ID → count). */
  peerSendFailuresTo: Record<string, number>;
  /** Lower median over the peers of the round trip they last measured towards this member (s). */
  rttFromPeers: number | null;
  /** Mean Go GC stop-the-world pause over the window (s); the longest Go remembers (s, sticky). */
  gcPauseMean: number | null;
  gcPauseMax: number | null;
}

export interface BalancerServer {
  name: string;
  /** Endpoint of the member this server points at, null when it matches none. */
  member: string | null;
  address: string;
  status: string;
  weight: number;
  /** Weight the balancer started with (its config file), null when unknown. */
  initialWeight: number | null;
  checkLayer: 'L7' | 'L4' | 'none' | 'unknown';
  checkStatus: string | null;
  checkDesc: string | null;
  /**
   * How the balancer learns a server is bad: active checks (HAProxy, NGINX Plus `health_check`),
   * passive (open-source NGINX: failed real connections, `max_fails` within `fail_timeout`), none.
   */
  checkMode: 'active' | 'passive' | 'none';
  /** NGINX passive checks: `max_fails` failures within `fail_timeout` take it out for `fail_timeout`. */
  passive: { maxFails: number; failTimeoutMs: number } | null;
  /** Gets traffic only when the others are out (NGINX `backup`, HAProxy `backup`). */
  backup: boolean;
  /** Taken out by configuration (NGINX `down`, HAProxy MAINT). */
  down: boolean;
  /** Connection cap (NGINX `max_conns`), null when none. */
  maxConns: number | null;
  /** Current sessions (0 when the balancer doesn't say: open-source NGINX). */
  scur: number;
  /** New sessions per second over the diagnosis window (NGINX: sessions or requests that ended). */
  sessionRate: number | null;
  /** Mean session (stream) or request (http) time over the window, ms; null when not known. */
  meanTimeMs: number | null;
  /** Error counter increases over the last 10 polls. */
  errors: { econ: number; eresp: number; wretr: number; wredis: number; hrsp5xx: number; srvAbrt: number };
  /** HTTP status the last layer-7 check got (HAProxy `check_code`), null when none. */
  checkCode: string | null;
  /** Taken out by the operator (not by a failed check): its expected share is 0. */
  drained: DrainState | null;
  /** Latency as clients see it through the balancer: its own timers (HAProxy `show stat`). */
  timers: ClientTimers | null;
  /** The same from the balancer's log lines over the diagnosis window (when its log is read). */
  logTimers: ClientTimers | null;
}

/** Why a server carries no expected share: the operator's decision at the balancer. */
export interface DrainState {
  reason: 'MAINT' | 'DRAIN' | 'NOLB' | 'weight 0' | 'backup';
  /** When Fulcrum first saw it so (or HAProxy's last state change, when it says). */
  since: number;
  /** It was already so when Fulcrum first looked: `since` is a lower bound. */
  sinceFirstLook: boolean;
}

/** Client-side latency at the balancer, per server. */
export interface ClientTimers {
  /** haproxy-stats: averages over HAProxy's last 1024; logs: the balancer's lines over the window. */
  source: 'haproxy-stats' | 'logs';
  /** What one measurement is: a TCP session (a connection carrying many gRPC calls) or one request. */
  per: 'session' | 'request';
  /** Averages in ms, null when not measured: waiting in the queue, connecting, first response, all. */
  queueMs: number | null;
  connectMs: number | null;
  responseMs: number | null;
  totalMs: number | null;
  /** The high end in ms: HAProxy's maximum since it started (stats), p99 over the window (logs). */
  connectHighMs: number | null;
  responseHighMs: number | null;
  totalHighMs: number | null;
  /** Measurements behind the averages (log lines in the window); null for HAProxy's stats. */
  count: number | null;
}

/** What only NGINX has: where its upstream lives and what its logs could not say. */
export interface NginxBalancerInfo {
  /** file:line of the upstream block Fulcrum read, null with the Plus API alone. */
  upstreamAt: string | null;
  /** The upstream's directives other than `server`, as written (`least_conn`, `keepalive 32`, `zone etcd 64k`). */
  directives: string[];
  /** `no live upstreams` (every server out) over the error window. */
  noLiveUpstreams: number;
  /** Fields the access log format lacks (what the detectors could not see). */
  formatMissing: string[];
  /** Live state comes from the NGINX Plus API. */
  plus: boolean;
}

export interface BalancerState {
  type: 'haproxy' | 'nginx';
  backend: string;
  ok: boolean;
  error: string | null;
  checkedAt: number | null;
  servers: BalancerServer[];
  /** From the balancer's config file when configured. `passive`: NGINX's max_fails/fail_timeout only. */
  check: {
    type: 'http' | 'tcp' | 'passive' | 'none' | 'unknown';
    method: string | null;
    path: string | null;
    interMs: Record<string, number>;
    /** What the check expects (`http-check expect …`), null or absent when the default (2xx/3xx). */
    expect?: string | null;
  } | null;
  /** What it balances: L4 (tcp) or L7 (http, grpc); null when not known (HAProxy without its config). */
  protocol: 'tcp' | 'http' | 'grpc' | null;
  /** Problems short of failing: a config edit that doesn't parse, a log it can't read. */
  warnings: string[];
  nginx: NginxBalancerInfo | null;
}

/** What one detector concluded this poll: the findings panel shows what was checked. */
export interface DetectorCheck {
  kind: string;
  state: 'ok' | 'firing' | 'not-checked';
  note: string;
}

export interface DimensionScore {
  /** Imbalance against the expected shares (configured weights where weighted), in [0,1]. */
  score: number | null;
  /** Imbalance against equal shares, in [0,1]. */
  scoreEqual: number | null;
  basis: 'weights' | 'equal';
  /** Cluster total of the dimension over the score window. */
  total: number | null;
  /** Endpoint of the member furthest above its expected share. */
  hottest: string | null;
  /** Why the score is null (not enough load, fewer than two members with data, ...). */
  reason: string | null;
}

/** One column of history: what one poll (or one Prometheus step) saw. Arrays are indexed like `members`. */
export interface Frame {
  t: number;
  /** Member answered this poll (directly or via Prometheus). */
  up: boolean[];
  /** Index of the leader in `members`, -1 when none known. */
  leader: number;
  values: Record<DimensionId, (number | null)[]>;
  shares: Record<DimensionId, (number | null)[]>;
  expected: Record<DimensionId, (number | null)[]>;
  scores: Record<DimensionId, number | null>;
  /** Where the column came from: a live poll or a Prometheus backfill. */
  origin: 'poll' | 'prometheus';
}

export type EventKind =
  | 'leader-change'
  | 'member-down'
  | 'member-up'
  | 'alarm-raised'
  | 'alarm-cleared'
  | 'source-down'
  | 'source-up'
  | 'member-restart'
  /** The weights at the balancer changed (by anyone but Fulcrum's agent). */
  | 'weights-changed'
  /** A weight change settled: measured shares against the prediction. */
  | 'weights-settled'
  /** Fulcrum's weights agent handed HAProxy a new weight (or drain/ready). */
  | 'agent-weight';

export interface ClusterEvent {
  t: number;
  kind: EventKind;
  member: string | null;
  detail: string;
}

export type Severity = 'info' | 'warning' | 'critical';

export interface Evidence {
  label: string;
  value: string;
  threshold?: string;
  member?: string;
}

export interface Fix {
  title: string;
  /** What kind of text `body` is: how the UI labels it and how a user applies it. */
  format: 'haproxy' | 'nginx' | 'shell' | 'etcd-flags' | 'text' | 'yaml';
  body: string;
  why: string;
  risk: string;
}

export interface Finding {
  id: string;
  kind: string;
  cluster: string;
  members: string[];
  severity: Severity;
  since: number;
  title: string;
  summary: string;
  evidence: Evidence[];
  fixes: Fix[];
  confidence: number;
  /** When it cleared; only on resolved findings. */
  until?: number;
}

export interface SourceStatus {
  ok: boolean;
  error: string | null;
  lastOk: number | null;
  /** Duration of the last call in ms. */
  latencyMs: number | null;
}

/**
 * 'unknown': no member is live and none is known to be down: the sources that would tell (the
 * members themselves, or Prometheus for a cluster read from it) did not answer. Not an outage.
 */
export type ClusterStatus = 'ok' | 'degraded' | 'down' | 'unknown' | 'starting';

/** Where a cluster's numbers come from, and whether each source answered its last call. */
export interface ClusterSources {
  /** null: no member is polled directly (a cluster read from Prometheus only). */
  etcd: SourceStatus | null;
  /** null: not configured. */
  prometheus: SourceStatus | null;
  balancer: SourceStatus | null;
  /** The configured log files / Loki streams (null: none); an unreadable one fails it. */
  logs: SourceStatus | null;
  /**
   * Fulcrum itself: fails when Fulcrum is overloaded (its own polls run late: "Fulcrum is
   * overloaded: …", with the stretched interval) or a poll crashed inside it (a bug); never
   * because of etcd.
   */
  engine: SourceStatus;
}

/** One member of the endpoint group in the weights panel. Arrays of WeightsState are in member order. */
export interface WeightMember {
  endpoint: string;
  name: string;
  /** Configured weight (Fulcrum's expected share; 1 when the cluster configures none). */
  configured: number;
  /** The balancer's server for the member and its weight and status now; null when unknown. */
  server: string | null;
  runtime: number | null;
  /** The balancer's initial (config-file) weight; an agent's percentage is of this. */
  initial: number | null;
  status: string | null;
  /** Fulcrum's proposal (lib/analysis/weights/propose.ts): runtime (else configured) weight × factor, same total. */
  proposed: number;
  /** Capacity against the peers (1: as fast; below: slower), with the one line that explains it. */
  factor: number;
  why: string;
  /** The factor rests on measurements (not "no data"). */
  measured: boolean;
}

/** A change of the weights at the balancer, and how the shares compared with the prediction once settled. */
export interface WeightChange {
  t: number;
  /** Who changed them: Fulcrum's weights agent, or anyone else (an operator, a deploy, a script). */
  by: 'agent' | 'other';
  before: Array<number | null>;
  after: Array<number | null>;
  /** Request shares predicted for the new weights (lib/analysis/weights/predict.ts). */
  predicted: Array<number | null>;
  /** When the shares are measured: t + weights.settleSeconds. */
  settleAt: number;
  /** Request shares measured at settleAt (over the score window); null until then. */
  measured: Array<number | null> | null;
  measuredAt: number | null;
  /** Largest |measured − predicted| over the members, in share (0..1); null until measured. */
  error: number | null;
}

/** A line of the weights agent's audit log: who handed out what, why, before and after. */
export interface AgentAuditEntry {
  t: number;
  cluster: string;
  /** Member name and endpoint. */
  member: string;
  endpoint: string;
  /** The balancer's server name (from the agent-send string or the runtime API), when known. */
  server: string | null;
  /** Who asked: the HAProxy address the check came from. */
  peer: string;
  /** Who answered: Fulcrum's agent, with its listen address. */
  by: string;
  /** Percentages of the configured weight before and after (null: none handed out yet). */
  before: number | null;
  after: number | null;
  /** The reply's words (e.g. "75%", "drain 100%"). */
  reply: string;
  why: string;
}

/** What the weights agent hands out for one member now. */
export interface AgentMemberView {
  endpoint: string;
  percent: number | null;
  /** Fulcrum drained the server (drainDown) and has not undone it yet. */
  drain: boolean;
  /** Last answer to HAProxy (ms), null: never asked. */
  askedAt: number | null;
  why: string;
}

export interface WeightsState {
  /**
   * The endpoint group: the balancer, its backend (HAProxy) or upstream (NGINX), and its runtime API
   * (socket or host:port, as the fixes print it); null without a balancer.
   */
  group: { type: 'haproxy' | 'nginx'; name: string; runtimeApi: string | null } | null;
  members: WeightMember[];
  /** Settling time of a change before its shares are measured (ms). */
  settleMs: number;
  /** The last weight change seen at the balancer. */
  change: WeightChange | null;
  /** The weights agent for this cluster; null when it does not answer for it. */
  agent: {
    listen: string;
    limits: { min: number; max: number; maxStepPercent: number; settleSeconds: number; drainDown: boolean };
    members: AgentMemberView[];
    /** Newest last, at most 50. */
    audit: AgentAuditEntry[];
    /** Weights handed out (changes) since Fulcrum started. */
    changes: number;
  } | null;
  /** Weights edited in the what-if panel and frozen into a snapshot with it; null in the live state. */
  whatIf: number[] | null;
}

export interface ClusterState {
  name: string;
  /** Poll sequence number of the last update; deltas carry the next one. */
  seq: number;
  updatedAt: number | null;
  /** The poll interval in force: the configured one, or longer while Fulcrum is overloaded. */
  pollIntervalMs: number;
  historyMs: number;
  status: ClusterStatus;
  /** Headline: the requests score against the expected shares. */
  score: number | null;
  /** Scores are measured against the members' configured weights (else equal shares). */
  weighted: boolean;
  members: MemberState[];
  scores: Record<DimensionId, DimensionScore>;
  frames: Frame[];
  events: ClusterEvent[];
  findings: Finding[];
  /** Findings that cleared within the history window, newest first, with `until`. */
  resolvedFindings: Finding[];
  checks: DetectorCheck[];
  balancer: BalancerState | null;
  sources: ClusterSources;
  /** Configured, runtime and proposed weights, the last change and the agent (null in snapshots from before). */
  weights: WeightsState | null;
}

/**
 * What the stream sends after the full state: one per poll, only what changed and nothing that
 * follows from it (lib/stream/delta.ts says how it is made and applied).
 */
export interface ClusterDelta {
  seq: number;
  updatedAt: number;
  /** Everything else that changed (members' fields but their dims, findings, checks, balancer, sources, …). */
  patch?: Patch;
  /** This poll's frame values: per dimension (DIMENSION_IDS order), per member. */
  frame: (number | null)[][];
  /** The members' values over the score window (same layout), when any changed. */
  dims?: (number | null)[][];
  /** Events of this poll. */
  events?: ClusterEvent[];
}

export interface ClusterSummary {
  name: string;
  members: number;
  membersUp: number;
  leader: string | null;
  score: number | null;
  status: ClusterStatus;
  updatedAt: number | null;
  findings: number;
}
