// Builders of state objects for unit tests of pure logic and views: one place that knows every
// field of a MemberState, so a new field means one edit here, not one per test file.
import { emptySignals } from './analysis/member';
import { type AuthConfig, AuthSchema, resolveAccess, type ServerConfig, ServerSchema } from './config/access';
import { emptyDimRecord } from './dimensions';
import type { BalancerServer, BalancerState, MemberSignals, MemberState } from './types';

/** A healthy 3.5 follower with no load data; override what the test is about. */
export function makeMember(over: Partial<MemberState> = {}): MemberState {
  return {
    endpoint: 'http://10.0.0.1:2379',
    name: 'etcd-1',
    id: '13668033151171901701', // uint64 above 2^53
    isLeader: false,
    isLearner: false,
    healthy: true,
    reachable: true,
    status: 'up',
    source: 'direct',
    error: null,
    version: '3.5.17',
    dbSizeBytes: 20 * 1024 * 1024,
    dbSizeInUseBytes: 10 * 1024 * 1024,
    quotaBackendBytes: 2 * 1024 ** 3,
    leaderId: null,
    raftIndex: '1000',
    raftTerm: '4',
    raftAppliedIndex: '1000',
    errors: [],
    alarms: [],
    weight: 1,
    lastSeen: 1,
    dims: emptyDimRecord(() => ({ value: null, share: null, expectedShare: null })),
    signals: emptySignals(),
    cert: null,
    ...over,
  };
}

/** An HAProxy server, UP and passing an HTTP check, with a little traffic; override what the test is about. */
export function makeServer(over: Partial<BalancerServer> = {}): BalancerServer {
  return {
    name: 'etcd-1',
    member: 'http://10.0.0.1:2379',
    address: '10.0.0.1:2379',
    status: 'UP',
    weight: 1,
    initialWeight: 1,
    checkLayer: 'L7',
    checkMode: 'active',
    passive: null,
    backup: false,
    down: false,
    maxConns: null,
    checkStatus: 'L7OK',
    checkDesc: 'Layer7 check passed',
    scur: 2,
    sessionRate: 5,
    meanTimeMs: null,
    errors: { econ: 0, eresp: 0, wretr: 0, wredis: 0, hrsp5xx: 0, srvAbrt: 0 },
    checkCode: null,
    drained: null,
    timers: null,
    logTimers: null,
    ...over,
  };
}

/** A readable HAProxy backend `etcd` with these servers. */
export function makeBalancer(servers: BalancerServer[], over: Partial<BalancerState> = {}): BalancerState {
  return {
    type: 'haproxy',
    backend: 'etcd',
    ok: true,
    error: null,
    checkedAt: 1,
    servers,
    check: null,
    protocol: null,
    warnings: [],
    nginx: null,
    ...over,
  };
}

/** Signals of a member with a fast disk and network and nothing going wrong. */
export function quietSignals(over: Partial<MemberSignals> = {}): MemberSignals {
  return {
    ...emptySignals(),
    walFsyncP99: 0.002,
    backendCommitP99: 0.004,
    peerRttP99: 0.0005,
    latencyP99: 0.012,
    latencyCount: 5_000,
    leaderChanges: 0,
    heartbeatFailures: 0,
    peerSendFailures: 0,
    slowApplies: 0,
    grpcErrorRate: 0,
    hasLeader: true,
    revision: '123',
    ...over,
  };
}

/**
 * The `auth` and `server` sections of a config, resolved as the loader would: an admin token
 * and viewer tokens (or neither: no access control), anything else from `auth`/`server` fields.
 */
export function accessConfigFor(
  o: { adminToken?: string | null; viewerTokens?: string[]; auth?: object; server?: object } = {},
): { auth: AuthConfig; server: ServerConfig } {
  const env: Record<string, string> = {};
  const auth: Record<string, unknown> = { ...o.auth };
  if (o.adminToken) {
    env.TEST_ADMIN_TOKEN = o.adminToken;
    auth.adminTokenEnv = 'TEST_ADMIN_TOKEN';
  }
  if (o.viewerTokens?.length) {
    env.TEST_VIEWER_TOKENS = o.viewerTokens.join(',');
    auth.viewerTokensEnv = 'TEST_VIEWER_TOKENS';
  }
  return resolveAccess(AuthSchema.parse(auth), ServerSchema.parse(o.server ?? {}), env);
}
