// The weights agent: one TCP listener answering HAProxy's agent-check for every server of the
// configured clusters (config `weights.agent`, off by default). Each check sends its server's
// `agent-send` line naming the member; the agent answers a percentage of the configured weight
// decided by the pure controller (lib/analysis/weights/agent.ts) from the cluster's latest poll,
// writes every change to the audit log (JSON lines) and reports it to the cluster's next poll
// (timeline event, cluster page) and to /api/metrics.
//
// Bounded and fail-safe: a line of at most 256 bytes within 1 s per connection, at most 256
// connections; garbage, an unknown name or no data get an empty line (HAProxy changes nothing),
// and nothing a client sends can throw past its connection. When Fulcrum is down HAProxy keeps
// the last weights ("Failure to connect to the agent is not considered an error", configuration
// manual); after a restart the agent starts from the weights HAProxy has and from the last
// minute of the audit log (the step limit and its own drains survive the restart).
import { appendFile, mkdir, open, rename, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import {
  type AgentInput,
  type AgentLimits,
  type AgentMemberState,
  decide,
  NEW_MEMBER_STATE,
  STEP_WINDOW_MS,
} from '../analysis/weights/agent';
import type { AgentCollected } from '../analysis/weights/view';
import type { WeightsAgentConfig } from '../config/load';
import { RateLimitedLog } from '../engine/log';
import { staleAfterMs } from '../stream/freshness';
import type { AgentAuditEntry, AgentMemberView, MemberState, WeightsState } from '../types';
import { type AgentCluster, auditLine, parseAudit, readLine, resolveMember } from './protocol';

/** What the agent reads from a cluster at answer time (ClusterEngine.weightsView). */
export interface AgentClusterView {
  updatedAt: number | null;
  pollIntervalMs: number;
  members: readonly MemberState[];
  weights: WeightsState | null;
}

/** What the agent counts in /api/metrics. */
export interface AgentTelemetry {
  agentCheck(cluster: string, member: string, result: AgentCheckResult): void;
  agentWeight(cluster: string, member: string, percent: number | null, changed: boolean): void;
  agentListening(up: boolean): void;
}

export type AgentCheckResult =
  | 'answered'
  | 'no-weight-yet'
  | 'unknown-member'
  | 'ambiguous'
  | 'bad-request'
  | 'timeout';

export const READ_TIMEOUT_MS = 1000;
export const MAX_CONNECTIONS = 256;
/** The audit log is rotated (one old file kept, `.1`) past this size. */
export const MAX_AUDIT_BYTES = 50 * 1024 * 1024;
/** How much of the audit log's tail is read back at start. */
const RESTORE_BYTES = 1024 * 1024;
const RETRY_LISTEN_MS = 10_000;

interface Member {
  state: AgentMemberState;
  askedAt: number | null;
  why: string;
}

export class WeightsAgent {
  private readonly cfg: WeightsAgentConfig;
  private readonly limits: AgentLimits;
  private readonly view: (cluster: string) => AgentClusterView | null;
  private readonly telemetry: AgentTelemetry | undefined;
  private readonly now: () => number;
  private readonly log: RateLimitedLog;
  private readonly members = new Map<string, Member>();
  /** Audit entries not yet handed to their cluster's poll. */
  private readonly pending = new Map<string, AgentAuditEntry[]>();
  private readonly changes = new Map<string, number>();
  private server: net.Server | null = null;
  private retry: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Why it is not listening (null while it is). */
  error: string | null = 'not started';
  readonly by: string;

  constructor(
    cfg: WeightsAgentConfig,
    view: (cluster: string) => AgentClusterView | null,
    opts: { telemetry?: AgentTelemetry; now?: () => number; log?: RateLimitedLog } = {},
  ) {
    this.cfg = cfg;
    this.limits = {
      min: cfg.min,
      max: cfg.max,
      maxStepPercent: cfg.maxStepPercent,
      settleSeconds: cfg.settleSeconds,
      drainDown: cfg.drainDown,
      deadbandPercent: cfg.deadbandPercent,
    };
    this.view = view;
    this.telemetry = opts.telemetry;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? new RateLimitedLog();
    this.by = `fulcrum-agent@${this.listenText}`;
  }

  get listenText(): string {
    return this.cfg.host.includes(':') ? `[${this.cfg.host}]:${this.cfg.port}` : `${this.cfg.host}:${this.cfg.port}`;
  }

  /** Restores the last minute of the audit log, then listens (retrying every 10 s if the port is taken). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.restore();
    await this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
    await this.writing;
  }

  /** The listener's address once listening (tests use port 0). */
  address(): net.AddressInfo | null {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : null;
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    // Half-open: a client that closes its side after sending still gets its answer.
    const server = net.createServer({ allowHalfOpen: true }, (sock) => this.onConnection(sock));
    server.maxConnections = MAX_CONNECTIONS;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: this.cfg.host, port: this.cfg.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      this.error = `cannot listen on ${this.listenText}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      this.telemetry?.agentListening(false);
      this.log.warn('weights-agent\u0000listen', `weights agent: ${this.error}; retrying every 10 s`, this.now());
      this.retry = setTimeout(() => void this.listen(), RETRY_LISTEN_MS);
      this.retry.unref?.();
      return;
    }
    server.on('error', (e) => this.log.warn('weights-agent\u0000server', `weights agent: ${e.message}`, this.now()));
    this.server = server;
    this.error = null;
    this.telemetry?.agentListening(true);
  }

  private onConnection(sock: net.Socket): void {
    const peer = `${sock.remoteAddress ?? '?'}:${sock.remotePort ?? '?'}`;
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (reply: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (reply === null) sock.destroy();
      else sock.end(reply);
    };
    const incomplete = (result: AgentCheckResult) => {
      if (done) return;
      this.count('', '', result);
      if (buf.length > 0)
        this.log.warn(
          'weights-agent\u0000newline',
          `weights agent: a check from ${peer} sent ${JSON.stringify(buf.subarray(0, 80).toString('latin1'))} without a newline: end agent-send with \\n`,
          this.now(),
        );
      finish('\n');
    };
    const timer = setTimeout(() => incomplete('timeout'), READ_TIMEOUT_MS);
    sock.on('error', () => finish(null));
    sock.on('end', () => incomplete('bad-request'));
    sock.on('data', (chunk: Buffer) => {
      if (done) return;
      buf = Buffer.concat([buf, chunk]);
      try {
        const r = readLine(buf);
        if (r.kind === 'more') return;
        if (r.kind === 'bad') {
          this.count('', '', 'bad-request');
          finish('\n');
          return;
        }
        finish(this.answer(r.line, peer));
      } catch (e) {
        // Never let one check take the agent down: answer nothing the balancer acts on.
        this.log.warn(
          'weights-agent\u0000answer',
          `weights agent: answering ${peer} failed: ${(e as Error).message}`,
          this.now(),
        );
        finish('\n');
      }
    });
  }

  private clusters(): AgentCluster[] {
    const out: AgentCluster[] = [];
    for (const name of this.cfg.clusters) {
      const v = this.view(name);
      if (v) out.push({ name, members: v.members.map((m) => ({ name: m.name, endpoint: m.endpoint })) });
    }
    return out;
  }

  /** The reply to one check naming `line`. Public for tests. */
  answer(line: string, peer: string): string {
    const r = resolveMember(line, this.clusters());
    if (!r.ok) {
      this.count('', '', r.reason === 'ambiguous' ? 'ambiguous' : 'unknown-member');
      this.log.warn(
        `weights-agent\u0000${r.reason}`,
        `weights agent: check from ${peer} names ${JSON.stringify(line.slice(0, 80))}: ${r.reason === 'ambiguous' ? 'several members match: prefix it with the cluster (cluster/member)' : 'no member of the agent’s clusters has that name or host:port'}`,
        this.now(),
      );
      return '\n';
    }
    const t = this.now();
    const v = this.view(r.cluster);
    const key = `${r.cluster}\u0000${r.endpoint}`;
    const m = this.members.get(key) ?? { state: NEW_MEMBER_STATE, askedAt: null, why: '' };
    const ms = v?.members.find((x) => x.endpoint === r.endpoint) ?? null;
    const w = v?.weights?.members.find((x) => x.endpoint === r.endpoint) ?? null;
    const stale =
      !v ||
      v.updatedAt === null ||
      t - v.updatedAt > staleAfterMs(v.pollIntervalMs) ||
      // Fulcrum lost sight of the whole cluster (no member answers it): its numbers say nothing.
      v.members.every((x) => x.status === 'down' || x.status === 'unknown');
    const input: AgentInput = {
      t,
      stale,
      memberStatus: ms?.status ?? null,
      server:
        w && w.runtime !== null && w.status !== null
          ? { status: w.status, weight: w.runtime, initialWeight: w.initial }
          : null,
      factor: w ? { factor: w.factor, bound: null, why: w.why, measured: w.measured } : null,
    };
    const d = decide(m.state, input, this.limits);
    this.members.set(key, { state: d.state, askedAt: t, why: d.why });
    this.count(r.cluster, r.member, d.percent === null ? 'no-weight-yet' : 'answered');
    this.telemetry?.agentWeight(r.cluster, r.member, d.percent, d.changed);
    if (d.changed) {
      const entry: AgentAuditEntry = {
        t,
        cluster: r.cluster,
        member: r.member,
        endpoint: r.endpoint,
        server: w?.server ?? null,
        peer,
        by: this.by,
        before: d.before,
        after: d.percent,
        reply: d.reply.trim(),
        why: d.why,
      };
      const list = this.pending.get(r.cluster) ?? [];
      // Bounded: a cluster that is not polled (stopped) must not grow this without end.
      if (list.length < 1000) list.push(entry);
      this.pending.set(r.cluster, list);
      this.changes.set(r.cluster, (this.changes.get(r.cluster) ?? 0) + 1);
      this.writeAudit(entry);
    }
    return d.reply;
  }

  private count(cluster: string, member: string, result: AgentCheckResult): void {
    this.telemetry?.agentCheck(cluster, member, result);
  }

  /** For a cluster's poll: what the agent hands out now and the audit entries since the last poll. */
  collect(cluster: string): AgentCollected | null {
    if (!this.cfg.clusters.includes(cluster)) return null;
    const v = this.view(cluster);
    const members: AgentMemberView[] = (v?.members ?? []).map((m) => {
      const a = this.members.get(`${cluster}\u0000${m.endpoint}`);
      return {
        endpoint: m.endpoint,
        percent: a?.state.percent ?? null,
        drain: a?.state.drain === 'draining',
        askedAt: a?.askedAt ?? null,
        why: this.error ?? a?.why ?? 'not asked yet: no agent-check names this member',
      };
    });
    const audit = this.pending.get(cluster) ?? [];
    this.pending.delete(cluster);
    return {
      listen: this.listenText,
      limits: {
        min: this.cfg.min,
        max: this.cfg.max,
        maxStepPercent: this.cfg.maxStepPercent,
        settleSeconds: this.cfg.settleSeconds,
        drainDown: this.cfg.drainDown,
      },
      members,
      audit,
      changes: this.changes.get(cluster) ?? 0,
    };
  }

  /** Appends one line (in order), rotating past MAX_AUDIT_BYTES; a failure is logged, never thrown. */
  private writeAudit(e: AgentAuditEntry): void {
    const file = this.cfg.auditLog;
    this.writing = this.writing.then(async () => {
      try {
        await mkdir(path.dirname(file), { recursive: true });
        const size = await stat(file).then(
          (s) => s.size,
          () => 0,
        );
        if (size > MAX_AUDIT_BYTES) await rename(file, `${file}.1`);
        await appendFile(file, auditLine(e), { mode: 0o600 });
      } catch (err) {
        this.log.warn(
          'weights-agent\u0000audit',
          `weights agent: audit log ${file}: ${(err as Error).message}`,
          this.now(),
        );
      }
    });
  }

  serves(cluster: string): boolean {
    return this.cfg.clusters.includes(cluster);
  }

  /** The audit log's tail (last MB), parsed; `cut` when the file holds more than was read. */
  private async tail(): Promise<{ entries: AgentAuditEntry[]; cut: boolean }> {
    await this.writing;
    try {
      const fh = await open(this.cfg.auditLog, 'r');
      try {
        const size = (await fh.stat()).size;
        const start = Math.max(0, size - RESTORE_BYTES);
        const buf = Buffer.alloc(size - start);
        await fh.read(buf, 0, buf.length, start);
        let text = buf.toString('utf8');
        if (start > 0) text = text.slice(text.indexOf('\n') + 1);
        return { entries: parseAudit(text), cut: start > 0 };
      } finally {
        await fh.close();
      }
    } catch {
      return { entries: [], cut: false }; // no log yet
    }
  }

  /** One cluster's audit lines, newest last, at most `limit` (GET /api/clusters/{name}/weights/audit). */
  async readAudit(cluster: string, limit: number): Promise<{ entries: AgentAuditEntry[]; truncated: boolean }> {
    const { entries, cut } = await this.tail();
    const mine = entries.filter((e) => e.cluster === cluster);
    return { entries: mine.slice(-limit), truncated: cut || mine.length > limit };
  }

  /** The last minute of answers per member (the step limit) and Fulcrum's own drains, from the audit log's tail. */
  private async restore(): Promise<void> {
    const t = this.now();
    const last = new Map<string, AgentAuditEntry[]>();
    for (const e of (await this.tail()).entries) {
      if (!this.cfg.clusters.includes(e.cluster)) continue;
      const k = `${e.cluster}\u0000${e.endpoint}`;
      last.set(k, [...(last.get(k) ?? []), e]);
    }
    for (const [k, es] of last) {
      const recent = es.filter((e) => e.t >= t - STEP_WINDOW_MS && e.after !== null);
      const final = es[es.length - 1];
      const drained = /\bdrain\b/.test(final.reply) ? 'draining' : /\bready\b/.test(final.reply) ? 'undraining' : null;
      this.members.set(k, {
        state: {
          ...NEW_MEMBER_STATE,
          history: recent.map((e) => ({ t: e.t, percent: e.after! })),
          drain: drained,
        },
        askedAt: null,
        why: `restored from the audit log (last answer ${final.reply} at ${new Date(final.t).toISOString()})`,
      });
    }
  }
}
