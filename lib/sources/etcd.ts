// One etcd member, polled directly: Maintenance Status, the alarm list, the member list,
// /health and /metrics. One client per member endpoint (a client with several hosts spreads
// calls across them and hides which member is dead), no retries, deadline per call.
import http from 'node:http';
import https from 'node:https';
import { noop } from 'cockatiel';
import { Etcd3, type IOptions } from 'etcd3';
import { CountersReader, type MemberCounters } from '../analysis/counters';
import type { ClusterConfig, EndpointConfig, TlsConfig } from '../config/load';
import { certProblems } from '../analysis/certs';
import { httpGet, httpGetText } from './http';
import { type CertInfo, inspectCertificate } from './tls-check';

export interface EtcdStatus {
  /** uint64 member ID, decimal string. */
  id: string;
  version: string;
  dbSize: number;
  dbSizeInUse: number | null;
  /** uint64 leader member ID as this member sees it ("0" = none). */
  leader: string;
  raftIndex: string;
  raftTerm: string;
  raftAppliedIndex: string | null;
  errors: string[];
  isLearner: boolean;
  /** MVCC revision from the response header (uint64, decimal string). */
  revision: string | null;
}

export interface EtcdAlarm {
  memberId: string;
  alarm: string;
}

export interface EtcdMemberInfo {
  id: string;
  name: string;
  clientUrls: string[];
  peerUrls: string[];
  isLearner: boolean;
}

/**
 * Fulcrum's probe of a member: the Status RPC (Maintenance, so never counted as load), timed on
 * its own before anything else of the poll is asked, so the member's answer is not queued behind
 * Fulcrum reading another member's /metrics. What a client would wait for a tiny request.
 */
export interface ProbeTiming {
  /** Round trip in ms as Fulcrum timed it; null when the call failed. */
  ms: number | null;
  /**
   * How late Fulcrum's own event loop ran while the probes were out (ms): at most this much of
   * `ms` may be Fulcrum's, not the member's. null when not measured.
   */
  lagMs: number | null;
}

/** A probe in flight (EtcdMemberSource.probe), handed to poll() so Status is asked once. */
export interface StatusProbe {
  status: EtcdStatus | null;
  error: unknown;
  ms: number | null;
}

/** What one poll of one member learned. Every part may fail on its own. */
export interface MemberPoll {
  endpoint: string;
  t: number;
  status: EtcdStatus | null;
  statusError: string | null;
  health: { healthy: boolean; reason: string | null } | null;
  healthError: string | null;
  alarms: EtcdAlarm[] | null;
  counters: MemberCounters | null;
  metricsError: string | null;
  /** Present on polls that refreshed the member list. */
  members: EtcdMemberInfo[] | null;
  /** The member's TLS certificate as last inspected (https endpoints, about once a minute). */
  cert: CertInfo | null;
  certError: string | null;
  /** The Status call timed as a probe (absent in polls recorded before it was). */
  probe?: ProbeTiming | null;
  durationMs: number;
}

/** How often a member's certificate is looked at (it changes on restarts and renewals only). */
export const CERT_CHECK_EVERY_MS = 60_000;

function message(e: unknown): string {
  const err = e as { details?: string; message?: string; code?: unknown };
  const text = err?.details || err?.message || String(e);
  return text
    .replace(/\s*Resolution note:\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** What to do about an auth error, in the error text (never the credentials). */
function authHint(call: string, text: string): string {
  if (/permission denied/i.test(text))
    return `${text} (${call} needs the root role on this etcd version: etcd 3.6.0+ and the CVE-2026-33413 fixes 3.4.42/3.5.28/3.6.9 restrict it; see the README's least-privilege table)`;
  if (/authentication failed|invalid user ID or password/i.test(text))
    return `${text} (check auth.username and the password in auth.passwordEnv)`;
  return text;
}

export class EtcdMemberSource {
  readonly endpoint: string;
  private readonly client: Etcd3;
  private readonly agent: http.Agent;
  /** Base URL of /metrics and /health (the metrics listener, else the client URL) and its agent. */
  private readonly httpBase: string;
  private readonly httpAgent: http.Agent;
  private readonly timeoutMs: number;
  private readonly tls: TlsConfig | null;
  private cert: { info: CertInfo | null; error: string | null; at: number } | null = null;
  private closed = false;

  constructor(endpoint: EndpointConfig, cluster: Pick<ClusterConfig, 'tls' | 'auth'>, timeoutMs: number) {
    this.endpoint = endpoint.url;
    this.timeoutMs = timeoutMs;
    const tls = cluster.tls;
    const isHttps = endpoint.url.startsWith('https:');
    const options: IOptions = {
      hosts: [endpoint.url],
      dialTimeout: timeoutMs,
      faultHandling: { host: () => noop, global: noop },
      defaultCallOptions: () => ({ deadline: Date.now() + timeoutMs }),
      grpcOptions: { 'grpc.use_local_subchannel_pool': 1, 'grpc.max_receive_message_length': 16 * 1024 * 1024 },
    };
    if (isHttps || tls) {
      options.credentials = {
        rootCertificate: tls?.ca ?? (undefined as unknown as Buffer),
        privateKey: tls?.key?.reveal(),
        certChain: tls?.cert,
      };
    }
    if (cluster.auth) {
      options.auth = {
        username: cluster.auth.username,
        password: cluster.auth.password.reveal(),
      };
    }
    this.client = new Etcd3(options);
    const agentFor = (url: string) =>
      url.startsWith('https:')
        ? new https.Agent({ keepAlive: true, maxSockets: 4, ca: tls?.ca, cert: tls?.cert, key: tls?.key?.reveal() })
        : new http.Agent({ keepAlive: true, maxSockets: 4 });
    this.tls = tls;
    this.agent = agentFor(endpoint.url);
    this.httpBase = endpoint.metricsUrl ?? endpoint.url;
    this.httpAgent = endpoint.metricsUrl ? agentFor(endpoint.metricsUrl) : this.agent;
  }

  /** The certificate, re-inspected about once a minute (https endpoints only). */
  private async certificate(now: number): Promise<{ info: CertInfo | null; error: string | null }> {
    if (!this.endpoint.startsWith('https:')) return { info: null, error: null };
    if (this.cert && now - this.cert.at < CERT_CHECK_EVERY_MS) return this.cert;
    try {
      const info = await inspectCertificate(this.endpoint, this.tls, this.timeoutMs);
      this.cert = { info, error: null, at: now };
    } catch (e) {
      // retry next poll: a member that is down has no certificate to show
      this.cert = { info: null, error: (e as Error).message, at: now - CERT_CHECK_EVERY_MS };
    }
    return this.cert;
  }

  private async status(): Promise<EtcdStatus> {
    const s = await this.client.maintenance.status();
    return {
      id: String(s.header.member_id),
      version: s.version,
      dbSize: Number(s.dbSize),
      dbSizeInUse: s.dbSizeInUse !== undefined && s.dbSizeInUse !== null ? Number(s.dbSizeInUse) : null,
      leader: String(s.leader),
      raftIndex: String(s.raftIndex),
      raftTerm: String(s.raftTerm),
      raftAppliedIndex:
        s.raftAppliedIndex !== undefined && s.raftAppliedIndex !== null ? String(s.raftAppliedIndex) : null,
      errors: Array.isArray(s.errors) ? s.errors.map(String) : [],
      isLearner: Boolean(s.isLearner),
      revision: s.header?.revision !== undefined && s.header?.revision !== null ? String(s.header.revision) : null,
    };
  }

  private async alarms(deadline?: number): Promise<EtcdAlarm[]> {
    const r = await this.client.maintenance.alarm(
      { action: 'Get' as never, memberID: '0' },
      deadline === undefined ? undefined : { deadline },
    );
    // etcd3 names alarms by its enum keys (Nospace, Corrupt): show them as etcd does (NOSPACE).
    return (r.alarms ?? []).map((a) => ({ memberId: String(a.memberID), alarm: String(a.alarm).toUpperCase() }));
  }

  private async memberList(deadline?: number): Promise<EtcdMemberInfo[]> {
    const r = await this.client.cluster.memberList({}, deadline === undefined ? undefined : { deadline });
    return (r.members ?? []).map((m) => ({
      id: String(m.ID),
      name: m.name ?? '',
      clientUrls: m.clientURLs ?? [],
      peerUrls: m.peerURLs ?? [],
      isLearner: Boolean(m.isLearner),
    }));
  }

  private async health(timeoutMs = this.timeoutMs): Promise<{ healthy: boolean; reason: string | null }> {
    const r = await httpGet(`${this.httpBase}/health`, {
      agent: this.httpAgent,
      timeoutMs,
      maxBytes: 64 * 1024,
    });
    let body: { health?: unknown; reason?: unknown } = {};
    try {
      body = JSON.parse(r.body);
    } catch {
      return { healthy: false, reason: `/health answered ${r.status} with a body that is not JSON` };
    }
    const healthy = r.status === 200 && (body.health === 'true' || body.health === true);
    const reason = healthy
      ? null
      : typeof body.reason === 'string' && body.reason
        ? body.reason
        : `/health answered ${r.status} ${JSON.stringify(body).slice(0, 120)}`;
    return { healthy, reason };
  }

  private async metrics(timeoutMs = this.timeoutMs): Promise<MemberCounters> {
    // Read as it arrives: the page (~220 kB with --metrics extensive) is never held whole.
    const reader = new CountersReader();
    const r = await httpGetText(`${this.httpBase}/metrics`, { agent: this.httpAgent, timeoutMs }, (t) =>
      reader.feed(t),
    );
    if (r.status !== 200) throw new Error(`/metrics answered HTTP ${r.status}`);
    return reader.end();
  }

  /** The Status RPC, timed: the poll's probe (see ProbeTiming). Never rejects. */
  async probe(): Promise<StatusProbe> {
    const start = performance.now();
    try {
      const status = await this.status();
      return { status, error: null, ms: Math.round((performance.now() - start) * 100) / 100 };
    } catch (error) {
      return { status: null, error, ms: null };
    }
  }

  /**
   * One poll. `alarms` and `memberList` are the same from every member: the engine asks one
   * member per poll. `probe` is this member's probe, already started (collect starts every
   * member's first and measures its own lateness meanwhile: `lagMs`); without it Status is asked
   * here and not timed.
   */
  async poll(opts: {
    memberList: boolean;
    alarms: boolean;
    metrics: boolean;
    probe?: { result: Promise<StatusProbe>; lagMs: number | null };
    /**
     * When the poll's time is up (epoch ms): the HTTP calls get what is left of the deadline, not
     * a whole one, so a poll that waited for the probes first still ends within the deadline (a
     * frozen member cost the probe wait plus a whole deadline, and overran a 1 s interval).
     */
    deadlineAt?: number;
  }): Promise<MemberPoll> {
    const start = Date.now();
    const left =
      opts.deadlineAt === undefined ? this.timeoutMs : Math.max(50, Math.min(this.timeoutMs, opts.deadlineAt - start));
    const [status, alarms, health, counters, members, cert] = await Promise.allSettled([
      opts.probe ? opts.probe.result.then((p) => p.status ?? Promise.reject(p.error)) : this.status(),
      opts.alarms ? this.alarms(start + left) : Promise.resolve(null),
      this.health(left),
      opts.metrics ? this.metrics(left) : Promise.resolve(null),
      opts.memberList ? this.memberList(start + left) : Promise.resolve(null),
      this.certificate(start),
    ]);
    const c = cert.status === 'fulfilled' ? cert.value : { info: null, error: message(cert.reason) };
    // A certificate that doesn't name the host or isn't signed by the CA makes gRPC say only
    // "UNAVAILABLE": put the reason first.
    const certBlocker = c.info
      ? certProblems(this.endpoint, c.info, start).find((p) => !/expires in/.test(p.message))?.message
      : undefined;
    const err = (call: string, r: PromiseSettledResult<unknown>) =>
      r.status === 'rejected' ? `${certBlocker ? `${certBlocker}; ` : ''}${authHint(call, message(r.reason))}` : null;
    return {
      endpoint: this.endpoint,
      t: start,
      status: status.status === 'fulfilled' ? status.value : null,
      statusError: err('Maintenance.Status', status),
      health: health.status === 'fulfilled' ? health.value : null,
      healthError: health.status === 'rejected' ? message(health.reason) : null,
      alarms: alarms.status === 'fulfilled' ? alarms.value : null,
      counters: counters.status === 'fulfilled' ? counters.value : null,
      metricsError: counters.status === 'rejected' ? message(counters.reason) : null,
      members: members.status === 'fulfilled' ? members.value : null,
      cert: c.info,
      certError: c.error,
      probe: opts.probe ? { ms: (await opts.probe.result).ms, lagMs: opts.probe.lagMs } : null,
      durationMs: Date.now() - start,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
    this.agent.destroy();
    this.httpAgent.destroy();
  }
}
