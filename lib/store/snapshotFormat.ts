// The snapshot file format, version 1, as a zod schema: every imported file is checked against
// it (with bounds), and the errors name the field. Fields added to the state after version 1
// was first written have defaults, so older files still read.
import { z } from 'zod';
import { NAME_RE } from '../config/schema';
import { ValidationError } from '../errors';
import { emptySignals } from '../analysis/member';
import { DIMENSION_IDS, type ClusterState } from '../types';
import { SNAPSHOT_FILE_KIND, SNAPSHOT_SCHEMA_VERSION, type SnapshotRecord } from './types';

const MAX_MEMBERS = 15;
const MAX_FRAMES = 200_000;
const str = (max = 1000) => z.string().max(max);
const nstr = (max = 1000) => z.string().max(max).nullable();
const num = z.number();
const nnum = z.number().nullable();
const time = z.number().int().min(0).max(8.64e15);
const ntime = time.nullable();
const uint64 = z.string().regex(/^[0-9]{1,20}$/, 'a decimal uint64');
const dimRecord = <T extends z.ZodType>(t: T) => z.record(z.enum(DIMENSION_IDS), t);
const memberArray = <T extends z.ZodType>(t: T) => z.array(t).max(MAX_MEMBERS);

/** Per peer (hex member ID) values: one per peer at most. */
const peerRecord = z
  .record(z.string().regex(/^[0-9a-f]{1,16}$/), num)
  .refine((r) => Object.keys(r).length <= MAX_MEMBERS, `at most ${MAX_MEMBERS} peers`);

const DimensionValueSchema = z.object({ value: nnum, share: nnum, expectedShare: nnum });

const MemberSignalsSchema = z.object({
  walFsyncP99: nnum,
  backendCommitP99: nnum,
  peerRttP99: nnum,
  latencyP99: nnum.default(null),
  latencyCount: nnum.default(null),
  leaderChanges: nnum,
  heartbeatFailures: nnum,
  peerSendFailures: nnum,
  slowApplies: nnum,
  grpcErrorRate: nnum,
  hasLeader: z.boolean().nullable(),
  revision: uint64.nullable(),
  appliedStalledPolls: z.number().int().min(0),
  // Added after version 1 was first written: older files read with these empty.
  probeMs: nnum.default(null),
  probeP50Ms: nnum.default(null),
  probeSamples: z.number().int().min(0).max(1e6).default(0),
  probeExcessMs: nnum.default(null),
  probeExcessP90Ms: nnum.default(null),
  probeExcessPeakMs: nnum.default(null),
  restarts: nnum.default(null),
  startedAt: nnum.default(null),
  probeLateSpellMs: nnum.default(null),
  peerRttTo: peerRecord.default({}),
  peerSendFailuresTo: peerRecord.default({}),
  rttFromPeers: nnum.default(null),
  gcPauseMean: nnum.default(null),
  gcPauseMax: nnum.default(null),
});

const MemberStateSchema = z.object({
  endpoint: str(2048),
  name: str(255),
  id: uint64.nullable(),
  isLeader: z.boolean(),
  isLearner: z.boolean(),
  healthy: z.boolean().nullable(),
  reachable: z.boolean(),
  status: z.enum(['up', 'unhealthy', 'down', 'unknown']),
  source: z.enum(['direct', 'prometheus', 'none']),
  error: nstr(10_000),
  version: nstr(100),
  dbSizeBytes: nnum,
  dbSizeInUseBytes: nnum,
  quotaBackendBytes: nnum,
  leaderId: uint64.nullable(),
  raftIndex: uint64.nullable(),
  raftTerm: uint64.nullable(),
  raftAppliedIndex: uint64.nullable(),
  errors: z.array(str(10_000)).max(100),
  alarms: z.array(str(100)).max(100),
  weight: num,
  lastSeen: ntime,
  dims: dimRecord(DimensionValueSchema),
  signals: MemberSignalsSchema.default(emptySignals),
  cert: z
    .object({
      notAfter: time,
      subject: str(1000),
      altNames: z.array(str(1000)).max(50),
      nameMatches: z.boolean(),
      trusted: z.boolean(),
    })
    .nullable()
    .default(null),
});

const DimensionScoreSchema = z.object({
  score: nnum,
  scoreEqual: nnum,
  basis: z.enum(['weights', 'equal']),
  total: nnum,
  hottest: nstr(2048),
  reason: nstr(1000),
});

const FrameSchema = z.object({
  t: time,
  up: memberArray(z.boolean()),
  leader: z.number().int().min(-1).max(MAX_MEMBERS),
  values: dimRecord(memberArray(nnum)),
  shares: dimRecord(memberArray(nnum)),
  expected: dimRecord(memberArray(nnum)),
  scores: dimRecord(nnum),
  origin: z.enum(['poll', 'prometheus']),
});

const EventSchema = z.object({
  t: time,
  kind: z.enum([
    'leader-change',
    'member-down',
    'member-up',
    'alarm-raised',
    'alarm-cleared',
    'source-down',
    'source-up',
    'member-restart',
    'weights-changed',
    'weights-settled',
    'agent-weight',
  ]),
  member: nstr(2048),
  detail: str(10_000),
});

const FindingSchema = z.object({
  id: str(500),
  kind: str(200),
  cluster: str(255),
  members: z.array(str(2048)).max(MAX_MEMBERS * 2),
  severity: z.enum(['info', 'warning', 'critical']),
  since: time,
  until: time.optional(),
  title: str(1000),
  summary: str(20_000),
  evidence: z
    .array(
      z.object({ label: str(1000), value: str(10_000), threshold: str(1000).optional(), member: str(2048).optional() }),
    )
    .max(200),
  fixes: z
    .array(
      z.object({
        title: str(1000),
        format: z.enum(['haproxy', 'nginx', 'shell', 'etcd-flags', 'text', 'yaml']),
        body: str(100_000),
        why: str(20_000),
        risk: str(20_000),
      }),
    )
    .max(50),
  confidence: z.number().min(0).max(1),
});

const SourceStatusSchema = z.object({ ok: z.boolean(), error: nstr(10_000), lastOk: ntime, latencyMs: nnum });
/** Fulcrum's own status in snapshots written before it was recorded. */
export const ENGINE_OK = { ok: true, error: null, lastOk: null, latencyMs: null };

const ClientTimersSchema = z.object({
  source: z.enum(['haproxy-stats', 'logs']),
  per: z.enum(['session', 'request']),
  queueMs: nnum,
  connectMs: nnum,
  responseMs: nnum,
  totalMs: nnum,
  connectHighMs: nnum,
  responseHighMs: nnum,
  totalHighMs: nnum,
  count: nnum,
});

const BalancerServerSchema = z.object({
  name: str(255),
  member: nstr(2048),
  address: str(1000),
  status: str(100),
  weight: num,
  initialWeight: nnum,
  checkLayer: z.enum(['L7', 'L4', 'none', 'unknown']),
  checkMode: z.enum(['active', 'passive', 'none']).default('active'),
  passive: z.object({ maxFails: num, failTimeoutMs: num }).nullable().default(null),
  backup: z.boolean().default(false),
  down: z.boolean().default(false),
  maxConns: nnum.default(null),
  checkStatus: nstr(200),
  checkDesc: nstr(1000),
  scur: num,
  sessionRate: nnum,
  meanTimeMs: nnum.default(null),
  errors: z.object({ econ: num, eresp: num, wretr: num, wredis: num, hrsp5xx: num, srvAbrt: num }),
  // Added after version 1 was first written.
  checkCode: nstr(20).default(null),
  drained: z
    .object({
      reason: z.enum(['MAINT', 'DRAIN', 'NOLB', 'weight 0', 'backup']),
      since: time,
      sinceFirstLook: z.boolean(),
    })
    .nullable()
    .default(null),
  timers: ClientTimersSchema.nullable().default(null),
  logTimers: ClientTimersSchema.nullable().default(null),
});

const weightArray = memberArray(z.number().min(0).max(1_000_000).nullable());
const shareArray = memberArray(z.number().min(0).max(1).nullable());

const WeightsStateSchema = z.object({
  group: z
    .object({ type: z.enum(['haproxy', 'nginx']), name: str(255), runtimeApi: nstr(1024).default(null) })
    .nullable(),
  members: memberArray(
    z.object({
      endpoint: str(2048),
      name: str(255),
      configured: z.number().min(0).max(1_000_000),
      server: nstr(255),
      runtime: z.number().min(0).max(1_000_000).nullable(),
      initial: z.number().min(0).max(1_000_000).nullable(),
      status: nstr(100),
      proposed: z.number().min(0).max(1_000_000),
      factor: z.number().min(0).max(100),
      why: str(1000),
      measured: z.boolean(),
    }),
  ),
  settleMs: z.number().int().min(0).max(86_400_000),
  change: z
    .object({
      t: time,
      by: z.enum(['agent', 'other']),
      before: weightArray,
      after: weightArray,
      predicted: shareArray,
      settleAt: time,
      measured: shareArray.nullable(),
      measuredAt: ntime,
      error: z.number().min(0).max(1).nullable(),
    })
    .nullable(),
  agent: z
    .object({
      listen: str(300),
      limits: z.object({
        min: num,
        max: num,
        maxStepPercent: num,
        settleSeconds: num,
        drainDown: z.boolean(),
      }),
      members: memberArray(
        z.object({
          endpoint: str(2048),
          percent: z.number().min(0).max(100_000).nullable(),
          drain: z.boolean(),
          askedAt: ntime,
          why: str(1000),
        }),
      ),
      audit: z
        .array(
          z.object({
            t: time,
            cluster: str(63),
            member: str(255),
            endpoint: str(2048),
            server: nstr(255),
            peer: str(300),
            by: str(300),
            before: z.number().min(0).max(100_000).nullable(),
            after: z.number().min(0).max(100_000).nullable(),
            reply: str(200),
            why: str(1000),
          }),
        )
        .max(1000),
      changes: z.number().int().min(0),
    })
    .nullable(),
  whatIf: memberArray(z.number().min(0).max(1_000_000)).nullable().default(null),
});

const BalancerStateSchema = z.object({
  type: z.enum(['haproxy', 'nginx']),
  backend: str(255),
  ok: z.boolean(),
  error: nstr(10_000),
  checkedAt: ntime,
  servers: z.array(BalancerServerSchema).max(100),
  check: z
    .object({
      type: z.enum(['http', 'tcp', 'passive', 'none', 'unknown']),
      method: nstr(20),
      path: nstr(2048),
      interMs: z.record(str(255), num),
      expect: nstr(1000).default(null),
    })
    .nullable(),
  protocol: z.enum(['tcp', 'http', 'grpc']).nullable().default(null),
  warnings: z.array(str(2000)).max(50).default([]),
  nginx: z
    .object({
      upstreamAt: nstr(4200),
      directives: z.array(str(1000)).max(100),
      noLiveUpstreams: num,
      formatMissing: z.array(str(100)).max(20),
      plus: z.boolean(),
    })
    .nullable()
    .default(null),
});

/** A cluster's name follows the config's rule wherever it comes from (it ends up in URLs and file names). */
const clusterName = z
  .string()
  .regex(NAME_RE, 'letters, digits, "_", "." or "-", starting with a letter or digit, at most 63');

export const ClusterStateSchema = z
  .object({
    name: clusterName,
    seq: z.number().int().min(0),
    updatedAt: ntime,
    pollIntervalMs: z.number().int().min(1).max(3_600_000),
    historyMs: z.number().int().min(0),
    status: z.enum(['ok', 'degraded', 'down', 'unknown', 'starting']),
    score: nnum,
    /** Not in snapshots taken before it was added: their scores are stored, nothing recomputes them. */
    weighted: z.boolean().default(false),
    members: z.array(MemberStateSchema).min(1).max(MAX_MEMBERS),
    scores: dimRecord(DimensionScoreSchema),
    frames: z.array(FrameSchema).max(MAX_FRAMES),
    events: z.array(EventSchema).max(10_000),
    findings: z.array(FindingSchema).max(500),
    resolvedFindings: z.array(FindingSchema).max(500).default([]),
    checks: z
      .array(z.object({ kind: str(200), state: z.enum(['ok', 'firing', 'not-checked']), note: str(10_000) }))
      .max(200)
      .default([]),
    balancer: BalancerStateSchema.nullable().default(null),
    weights: WeightsStateSchema.nullable().default(null),
    sources: z.object({
      etcd: SourceStatusSchema.nullable(),
      prometheus: SourceStatusSchema.nullable(),
      balancer: SourceStatusSchema.nullable().default(null),
      logs: SourceStatusSchema.nullable().default(null),
      engine: SourceStatusSchema.default(ENGINE_OK),
    }),
  })
  .superRefine((s, ctx) => {
    const n = s.members.length;
    s.frames.forEach((f, i) => {
      if (f.up.length !== n) {
        ctx.addIssue({
          code: 'custom',
          path: ['frames', i, 'up'],
          message: `has ${f.up.length} entries for ${n} members`,
        });
        return;
      }
      for (const key of ['values', 'shares', 'expected'] as const) {
        for (const id of DIMENSION_IDS) {
          if (f[key][id].length !== n) {
            ctx.addIssue({
              code: 'custom',
              path: ['frames', i, key, id],
              message: `has ${f[key][id].length} entries for ${n} members`,
            });
            return;
          }
        }
      }
      if (i > 0 && f.t < s.frames[i - 1].t)
        ctx.addIssue({ code: 'custom', path: ['frames', i, 't'], message: 'frames are not in time order' });
    });
  });

const ExcerptLineSchema = z.object({
  t: ntime,
  source: z.enum(['member', 'balancer']),
  level: nstr(20),
  msg: str(4000),
  raw: str(8000),
  signals: z.array(str(100)).max(50),
  reason: z.enum(['finding', 'signal', 'context']),
});

const SnapshotLogsSchema = z.object({
  status: z.enum(['ok', 'no-log-sources', 'unavailable']),
  note: nstr(2000),
  members: z
    .array(
      z.object({
        member: str(255),
        endpoint: str(2048),
        lines: z.array(ExcerptLineSchema).max(5000),
        truncated: z.boolean(),
        errors: z.array(str(2000)).max(50),
      }),
    )
    .max(MAX_MEMBERS),
  lineCount: z.number().int().min(0),
});

const PublicClusterConfigSchema = z.object({
  name: clusterName,
  endpoints: z
    .array(z.object({ url: str(2048), name: nstr(63), weight: num }))
    .min(1)
    .max(MAX_MEMBERS),
  weighted: z.boolean(),
  tls: z.boolean(),
  clientCert: z.boolean(),
  auth: z.boolean(),
  balancer: z.object({ type: z.enum(['haproxy', 'nginx']), backend: nstr(255) }).nullable(),
  logs: z.boolean(),
});

export const SnapshotRecordSchema = z
  .object({
    schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
    id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'a URL-safe id'),
    createdAt: time,
    createdBy: nstr(100),
    title: nstr(200),
    note: nstr(4000),
    window: z.object({ from: time, to: time }).refine((w) => w.from < w.to, { message: 'from must be before to' }),
    expiresAt: ntime,
    importedAt: ntime.default(null),
    cluster: PublicClusterConfigSchema,
    state: ClusterStateSchema,
    logs: SnapshotLogsSchema,
  })
  .superRefine((r, ctx) => {
    if (r.cluster.name !== r.state.name)
      ctx.addIssue({
        code: 'custom',
        path: ['cluster', 'name'],
        message: `is "${r.cluster.name}" but state.name is "${r.state.name}"`,
      });
  });

// Compile-time: what the schema accepts is a ClusterState / SnapshotRecord. A field added to
// the state without a schema (and a thought about old files) fails the type check here.
type Parsed = z.infer<typeof SnapshotRecordSchema>;
export const _stateCheck: (p: z.infer<typeof ClusterStateSchema>) => ClusterState = (p) => p;
export const _recordCheck: (p: Parsed) => SnapshotRecord = (p) => p;

/** An import file that is not a valid snapshot file (the message names the field). */
export class SnapshotFileError extends ValidationError {}

function formatPath(p: PropertyKey[]): string {
  return p.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
    '',
  );
}

/** Parses an export file's text: a SnapshotRecord, or a SnapshotFileError saying what is wrong. */
export function parseSnapshotFile(text: string): SnapshotRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SnapshotFileError(
      `not a Fulcrum snapshot file: the file is not valid JSON (${(e as Error).message.slice(0, 200)})`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SnapshotFileError('not a Fulcrum snapshot file: expected a JSON object');
  }
  const o = raw as Record<string, unknown>;
  if (o.kind !== SNAPSHOT_FILE_KIND) {
    throw new SnapshotFileError(`not a Fulcrum snapshot file: "kind" must be "${SNAPSHOT_FILE_KIND}"`);
  }
  if (o.schemaVersion !== SNAPSHOT_SCHEMA_VERSION) {
    const v = typeof o.schemaVersion === 'number' ? o.schemaVersion : JSON.stringify(o.schemaVersion ?? null);
    throw new SnapshotFileError(
      typeof o.schemaVersion === 'number' && o.schemaVersion > SNAPSHOT_SCHEMA_VERSION
        ? `snapshot schemaVersion ${v} is newer than this Fulcrum reads (${SNAPSHOT_SCHEMA_VERSION}): upgrade Fulcrum to import it`
        : `unsupported snapshot schemaVersion ${v}: this Fulcrum reads version ${SNAPSHOT_SCHEMA_VERSION}`,
    );
  }
  const { kind: _k, exportedAt: _e, ...rest } = o;
  void _k;
  void _e;
  const r = SnapshotRecordSchema.safeParse(rest);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 5).map((i) => `${formatPath(i.path) || '(top level)'}: ${i.message}`);
    const more = r.error.issues.length > 5 ? ` (and ${r.error.issues.length - 5} more)` : '';
    throw new SnapshotFileError(`invalid snapshot file: ${issues.join('; ')}${more}`);
  }
  return r.data;
}
