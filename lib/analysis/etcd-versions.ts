// What each etcd release serves over HTTP for health checks, and the check a balancer should use
// against it. Pure. Versions come from etcd's changelogs and source, not from memory:
//
// - `/health` on every release. On 3.4 it fails while any alarm is raised (NOSPACE is
//   cluster-wide), when the member has no leader, or when a v2 QGET times out.
// - `?exclude=<ALARM>`: CHANGELOG-3.4, "## v3.4.16 (2021-05-11)": "Add [exclude alarms from health
//   check conditionally](https://github.com/etcd-io/etcd/pull/12880)"; CHANGELOG-3.5, "## v3.5.0":
//   the same line (PR 12880). Older releases ignore the parameter (still 200/503, never 404).
// - `reason` in the /health JSON: CHANGELOG-3.5 v3.5.0, "Add [reason field for /health
//   response](https://github.com/etcd-io/etcd/pull/11983)".
// - `?serializable=true`: CHANGELOG-3.5, "## v3.5.3 (2022-04-13)": "Fix [Provide a better liveness
//   probe for when etcd runs as a Kubernetes pod](https://github.com/etcd-io/etcd/pull/13706)" (the
//   3.5 backport of PR 13399, "[3.5] enhance health check endpoint to support serializable
//   request"); CHANGELOG-3.6 v3.6.0 lists PR 13399. Not in 3.4.
// - `/livez` and `/readyz`: CHANGELOG-3.5, "## v3.5.11 (2023-12-07)": "Add [livez/readyz HTTP
//   endpoints](https://github.com/etcd-io/etcd/pull/17039)"; in every 3.6 release
//   (server/etcdserver/api/etcdhttp/health.go: `PathLivez = "/livez"`, `PathReadyz = "/readyz"`;
//   /livez always excludes NOSPACE: `HandleLivez(...)` passes `etcdserverpb.AlarmType_NOSPACE`
//   to `alwaysExclude`). Earlier releases answer 404 on both.
// - `/healthz` does not exist in any release (a Kubernetes API server path): 404.
//
// A balancer marks a server down when its check answers 404, so a path the running version does
// not serve takes every member out of rotation at once.

export interface EtcdVersion {
  major: number;
  minor: number;
  patch: number;
}

export function parseEtcdVersion(v: string | null | undefined): EtcdVersion | null {
  const m = /^v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})(?:[-+].*)?$/.exec((v ?? '').trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : null;
}

function atLeast(v: EtcdVersion, major: number, minor: number, patch: number): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export function compareEtcdVersions(a: string, b: string): number {
  const x = parseEtcdVersion(a) ?? { major: 0, minor: 0, patch: 0 };
  const y = parseEtcdVersion(b) ?? { major: 0, minor: 0, patch: 0 };
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

export interface HealthEndpoints {
  /** The version this describes, as given; null when unknown. */
  version: string | null;
  /** `/health` (every release). */
  health: true;
  /** `/health?exclude=NOSPACE` and other alarms: 3.4.16+ and 3.5.0+. */
  healthExclude: boolean;
  /** `/health?serializable=true` (local check, no quorum read): 3.5.3+. */
  healthSerializable: boolean;
  /** `reason` in the /health answer: 3.5.0+. */
  healthReason: boolean;
  /** `/livez` and `/readyz`: 3.5.11+ and 3.6.0+. */
  livezReadyz: boolean;
}

/** What a release serves. An unknown version is treated as the oldest (only /health). */
export function healthEndpoints(version: string | null | undefined): HealthEndpoints {
  const v = parseEtcdVersion(version);
  const none: HealthEndpoints = {
    version: version ?? null,
    health: true,
    healthExclude: false,
    healthSerializable: false,
    healthReason: false,
    livezReadyz: false,
  };
  if (!v) return none;
  const is34 = v.major === 3 && v.minor === 4;
  return {
    version: version ?? null,
    health: true,
    healthExclude: atLeast(v, 3, 5, 0) || (is34 && v.patch >= 16),
    healthSerializable: atLeast(v, 3, 5, 3),
    healthReason: atLeast(v, 3, 5, 0),
    livezReadyz: (v.major === 3 && v.minor === 5 && v.patch >= 11) || atLeast(v, 3, 6, 0),
  };
}

/** The oldest of the members' versions: a check must work on every member behind the balancer. */
export function oldestVersion(versions: Array<string | null | undefined>): string | null {
  const known = versions.filter((v): v is string => parseEtcdVersion(v) !== null);
  if (known.length === 0) return null;
  return known.sort(compareEtcdVersions)[0];
}

export interface RecommendedCheck {
  /** Path and query for the balancer's HTTP check. */
  path: string;
  /** It keeps passing while NOSPACE is raised (reads still work, so members should stay in). */
  noSpaceSafe: boolean;
  /** Why this path, for the fix text. */
  why: string;
}

/** The HTTP check a balancer should run against this version. */
export function recommendedCheck(version: string | null | undefined): RecommendedCheck {
  const e = healthEndpoints(version);
  const v = version ?? 'an unknown version';
  if (e.livezReadyz)
    return {
      path: '/readyz',
      noSpaceSafe: true,
      why: `etcd ${v} serves /readyz (from 3.5.11): it fails when the member can't serve (no leader, corrupt data), not on NOSPACE`,
    };
  if (e.healthExclude)
    return {
      path: '/health?exclude=NOSPACE',
      noSpaceSafe: true,
      why: `etcd ${v} has no /readyz (it comes in 3.5.11) but accepts /health?exclude=NOSPACE, so a full quota does not eject every member`,
    };
  return {
    path: '/health',
    noSpaceSafe: false,
    why: `etcd ${v} serves only /health (no /readyz before 3.5.11, no ?exclude= before 3.4.16)`,
  };
}

export interface PathVerdict {
  /** The release answers this path with a health result (not 404). */
  served: boolean;
  /** Query parameters the release ignores (the check then means less than it says). */
  ignored: string[];
  /** What happens, in a sentence naming the version. */
  note: string;
}

/** Whether a check path (with its query) is served by this version. */
export function checkPathVerdict(pathWithQuery: string, version: string | null | undefined): PathVerdict {
  const e = healthEndpoints(version);
  // "etcd 3.5.10", or "etcd" when no member said its version
  const etcd = version ? `etcd ${version}` : 'etcd';
  let url: URL;
  try {
    url = new URL(pathWithQuery, 'http://x');
  } catch {
    return { served: false, ignored: [], note: `"${pathWithQuery}" is not a path` };
  }
  const p = url.pathname.replace(/\/+$/, '') || '/';
  const params = [...url.searchParams.keys()];
  if (p === '/health') {
    const ignored = params.filter(
      (k) => !((k === 'exclude' && e.healthExclude) || (k === 'serializable' && e.healthSerializable)),
    );
    return {
      served: true,
      ignored,
      note:
        ignored.length === 0
          ? `${etcd} serves ${pathWithQuery}`
          : `${etcd} serves /health but ignores ${ignored.map((k) => `?${k}=`).join(', ')}`,
    };
  }
  if (p === '/livez' || p === '/readyz') {
    return e.livezReadyz
      ? { served: true, ignored: [], note: `${etcd} serves ${p}` }
      : {
          served: false,
          ignored: [],
          note: `${etcd} answers 404 on ${p} (it exists from 3.5.11): the check fails on every member`,
        };
  }
  if (p === '/healthz')
    return {
      served: false,
      ignored: [],
      note: 'etcd has no /healthz (a Kubernetes API server path): it answers 404 on every member',
    };
  return {
    served: false,
    ignored: [],
    note: `${p} is not an etcd health endpoint: a check on it says nothing about the member's health`,
  };
}

/** etcd's defaults (ms): `--heartbeat-interval` 100, `--election-timeout` 1000. */
export const ETCD_DEFAULT_HEARTBEAT_MS = 100;
export const ETCD_DEFAULT_ELECTION_MS = 1000;
/** etcd refuses an election timeout above 50 s. */
export const ETCD_MAX_ELECTION_MS = 50_000;

export interface ElectionFlags {
  heartbeatMs: number;
  electionMs: number;
  /** The computed flags equal etcd's defaults: changing the timeouts would change nothing. */
  areDefaults: boolean;
  /** The RTT (ms) they were computed from, null when not measured. */
  fromRttMs: number | null;
}

/**
 * `--heartbeat-interval` and `--election-timeout` from the measured peer RTT p99, following
 * etcd's tuning guide: the heartbeat near the round-trip time (never below etcd's 100 ms
 * default), the election timeout about 10× the heartbeat (at most 50 s). Without a measured
 * RTT there is no basis for other values: the defaults are kept and `areDefaults` says so.
 */
export function electionFlagsFor(peerRttP99Seconds: number | null): ElectionFlags {
  if (peerRttP99Seconds === null || !(peerRttP99Seconds > 0) || !Number.isFinite(peerRttP99Seconds))
    return {
      heartbeatMs: ETCD_DEFAULT_HEARTBEAT_MS,
      electionMs: ETCD_DEFAULT_ELECTION_MS,
      areDefaults: true,
      fromRttMs: null,
    };
  const rttMs = peerRttP99Seconds * 1000;
  const heartbeatMs = Math.min(5000, Math.max(ETCD_DEFAULT_HEARTBEAT_MS, Math.ceil(rttMs / 10) * 10));
  const electionMs = Math.min(ETCD_MAX_ELECTION_MS, heartbeatMs * 10);
  return {
    heartbeatMs,
    electionMs,
    areDefaults: heartbeatMs === ETCD_DEFAULT_HEARTBEAT_MS && electionMs === ETCD_DEFAULT_ELECTION_MS,
    fromRttMs: Math.round(rttMs * 10) / 10,
  };
}

/** Who may call an RPC when etcd auth is on: anyone (no user), any authenticated user, root only. */
export type AuthNeed = 'anyone' | 'user' | 'root';

export interface AuthNeeds {
  status: AuthNeed;
  alarmList: AuthNeed;
  memberList: AuthNeed;
  /** /health and /metrics are plain HTTP handlers: no etcd user is ever checked. */
  http: 'anyone';
}

/**
 * Which role the RPCs Fulcrum makes need, by version, with auth enabled. 3.4.23 is measured by
 * test/integration/tls-auth.integration.test.ts (all three: anyone). The rest from etcd's source
 * and advisories:
 * - PR 14663 "auth: check permission when performing maintainenence operations if auth is
 *   enabled" (merged 2022-10-31, first in 3.6.0): every Maintenance RPC, Status included, needs root
 *   (server/etcdserver/api/v3rpc/maintenance.go: `authMaintenanceServer.Status` calls `isPermitted`).
 * - GHSA-q8m4-xhhv-38mg / CVE-2026-33413, fixed in 3.4.42, 3.5.28, 3.6.9: unauthenticated callers
 *   could call MemberList and Alarm; the fix puts every Maintenance RPC (Status, Alarm) and
 *   MemberList behind root (etcd issue 21663: "Starting with etcd 3.5.28 … all RPCs on the
 *   Maintenance service require the caller to have the root role").
 * - PRs 21549/21550/21551 "allow non-admin to fetch member list and alarms" (merged 2026-03-31 on
 *   release-3.6/3.5/3.4): any authenticated user again, from the next patch of each line: 3.5.29
 *   (issue 21663 names it), 3.6.10 and 3.4.43.
 * - PRs 21666/21811 "allow non-admin maintenance status" (main, release-3.6, merged 2026-05):
 *   not in any release this table knows of, so Status stays root on 3.6.x and 3.5.28+.
 */
export function authNeeds(version: string | null | undefined): AuthNeeds | null {
  const v = parseEtcdVersion(version);
  if (v === null || v.major !== 3) return null;
  const line = v.minor;
  const cveFix = line === 4 ? 42 : line === 5 ? 28 : line === 6 ? 9 : null;
  const carveOut = line === 4 ? 43 : line === 5 ? 29 : line === 6 ? 10 : null;
  const fixed = line > 6 || (cveFix !== null && v.patch >= cveFix);
  const relaxed = line > 6 || (carveOut !== null && v.patch >= carveOut);
  const lists: AuthNeed = !fixed ? 'anyone' : relaxed ? 'user' : 'root';
  const status: AuthNeed = line >= 6 || fixed ? 'root' : 'anyone';
  return { status, alarmList: lists, memberList: lists, http: 'anyone' };
}
