// balancer-outage: the balancer has no member UP (clients get no etcd at all), or fewer than a
// quorum. Said first, with why each server is out: the check's HTTP status on members etcd calls
// healthy (a wrong path or expectation), members really down, or the operator's own drain.
import type { BalancerServer, Evidence, Fix, MemberState } from '../../../types';
import { servesNow } from '../../intent';
import type { Detector, DiagnosisInput } from '../types';
import { backendName, checkFor, etcdName, haproxyBackend, haproxyRuntime, serverLines } from '../fixes';
import { result } from './common';

/** Why one server takes no traffic, in a few words, and what kind of cause it is. */
export function whyOut(
  s: BalancerServer,
  m: MemberState | undefined,
): { text: string; cause: 'check' | 'member' | 'operator' | 'other' } {
  const check = `${s.checkStatus ?? 'no check result'}${s.checkCode ? ` HTTP ${s.checkCode}` : ''}${s.checkDesc ? ` (${s.checkDesc})` : ''}`;
  if (s.drained) return { text: `${s.name}: ${s.drained.reason} (the operator's)`, cause: 'operator' };
  const etcdUp = m?.status === 'up';
  const status = (s.checkStatus ?? '').replace(/^\*\s*/, '');
  if (etcdUp && status.startsWith('L7'))
    return { text: `${s.name}: ${s.status}, check ${check}, while etcd answers and is healthy`, cause: 'check' };
  if (m?.status === 'down')
    return { text: `${s.name}: ${s.status}, check ${check}; etcd: member down`, cause: 'member' };
  if (m?.status === 'unhealthy')
    return {
      text: `${s.name}: ${s.status}, check ${check}; etcd: unhealthy (${m.error ?? 'no leader or an alarm'})`,
      cause: 'member',
    };
  return { text: `${s.name}: ${s.status}, check ${check}`, cause: 'other' };
}

/** The check as configured, e.g. "GET /livez, expect status 200". */
export function checkText(input: DiagnosisInput): string | null {
  const c = input.balancer?.check;
  if (c?.type !== 'http' || !c.path) return null;
  return `${c.method ?? 'GET'} ${c.path}${c.expect ? `, expect ${c.expect}` : ''}`;
}

/** HTTP statuses the failing checks got, e.g. "HTTP 404". */
export function checkCodes(servers: BalancerServer[]): string[] {
  return [...new Set(servers.map((s) => s.checkCode).filter((c): c is string => Boolean(c)))].map((c) => `HTTP ${c}`);
}

export const balancerOutage: Detector = {
  kind: 'balancer-outage',
  run(input) {
    const b = input.balancer;
    if (!b) return result('balancer-outage', [], '', 'no balancer configured: what clients reach is not checked');
    if (!b.ok) return result('balancer-outage', [], '', `balancer unreadable: ${b.error}`);
    const servers = b.servers.filter((s) => s.member);
    if (servers.length === 0)
      return result('balancer-outage', [], '', 'no balancer server points at a configured member');
    const n = input.members.length;
    const quorum = Math.floor(n / 2) + 1;
    const up = servers.filter(servesNow);
    if (up.length >= Math.min(quorum, servers.length) && up.length > 0)
      return result('balancer-outage', [], `${up.length} of ${servers.length} servers UP at the balancer`);

    const out = servers.filter((s) => !servesNow(s));
    const memberOf = (s: BalancerServer) => input.members.find((m) => m.endpoint === s.member);
    const why = out.map((s) => ({ s, ...whyOut(s, memberOf(s)) }));
    const failingChecks = why.filter((w) => w.cause === 'check').map((w) => w.s);
    const codes = checkCodes(failingChecks.length ? failingChecks : out);
    const check = checkText(input);
    // The check every member serves: the oldest version's (the version table decides).
    const serves = checkFor(input.members);
    const { version, path } = serves;
    const etcd = etcdName(version);
    const backend = backendName(input);
    const etcdLive = input.members.filter((m) => m.status === 'up').length;

    let cause: string;
    if (failingChecks.length)
      cause = `the health check fails on members etcd calls healthy${codes.length ? `: it gets ${codes.join(', ')}` : ''}${check ? ` from ${check}` : ''}, so the check is wrong, not the members`;
    else if (why.every((w) => w.cause === 'operator'))
      cause = 'every server was taken out by an operator (MAINT/DRAIN/weight 0)';
    else if (why.some((w) => w.cause === 'member'))
      cause = 'the members themselves are down or unhealthy (see member-down)';
    else cause = `the balancer's checks fail${codes.length ? ` (${codes.join(', ')})` : ''}`;

    const none = up.length === 0;
    const title = none
      ? `Outage: the balancer has no member UP${codes.length && failingChecks.length ? ` (its health check gets ${codes.join(', ')}${check ? ` from ${check}` : ''})` : ''}: clients get no etcd at all`
      : `Outage risk: the balancer has only ${up.length} of ${n} members UP, fewer than a quorum (${quorum})${codes.length && failingChecks.length ? `; its check gets ${codes.join(', ')}` : ''}`;

    const evidence: Evidence[] = [
      {
        label: 'servers UP at the balancer',
        value: `${up.length} of ${servers.length}`,
        threshold: `≥ ${quorum} (quorum of ${n})`,
      },
      ...why.map((w) => ({ label: `${w.s.name}`, value: w.text, member: w.s.member ?? undefined })),
      ...(check
        ? [
            {
              label: 'configured check',
              value: check,
              threshold: `${etcd} serves ${path}`,
            },
          ]
        : []),
      { label: 'members etcd calls up', value: `${etcdLive} of ${n}` },
    ];

    const fixes: Fix[] = [];
    const ref = input.balancerRef;
    if (failingChecks.length && (!ref || ref.type === 'haproxy')) {
      fixes.push({
        title: 'Now: stop the failing check, so HAProxy sends traffic again',
        format: 'shell',
        body: haproxyRuntime(
          ref,
          failingChecks.map((s) => `disable health ${backend}/${s.name}`),
        ),
        why: 'a server whose health check is disabled counts as UP: clients reach the members that etcd says are healthy',
        risk: 'while disabled, the balancer ejects nobody: re-enable (enable health …) once the check below is deployed',
      });
      fixes.push({
        title: `Then: check ${path}, which ${etcd} serves`,
        format: 'haproxy',
        body: haproxyBackend(backend, serverLines(input, input.members), serves),
        why: `the check must ask for a path this etcd serves and expect what it answers (200 from ${path})`,
        risk: !serves.noSpaceSafe
          ? '/health also fails while any alarm is raised, and NOSPACE is cluster-wide: a full quota would eject every member again'
          : path === '/readyz'
            ? '/readyz fails while a member catches up: it stays out until ready'
            : `${path} still fails on a member without a leader or with another alarm (CORRUPT)`,
      });
    }
    if (failingChecks.length && ref?.type === 'nginx')
      fixes.push({
        title: `Check ${path} (NGINX Plus health_check)`,
        format: 'nginx',
        body: `location @etcd_health {\n    health_check uri=${path} interval=5s fails=2 passes=2 match=etcd_ok;\n}\nmatch etcd_ok { status 200; }`,
        why: `the check must ask for a path ${etcd} serves`,
        risk: 'reload NGINX to apply',
      });
    const operatorOut = why.filter((w) => w.cause === 'operator').map((w) => w.s);
    if (operatorOut.length && (!ref || ref.type === 'haproxy'))
      fixes.push({
        title: 'Put drained servers back (if the drain was not meant to take the cluster out)',
        format: 'shell',
        body: haproxyRuntime(
          ref,
          operatorOut.flatMap((s) =>
            s.drained?.reason === 'weight 0'
              ? [`set server ${backend}/${s.name} weight ${Math.max(1, s.initialWeight ?? 1)}`]
              : [`set server ${backend}/${s.name} state ready`],
          ),
        ),
        why: 'an operator took these servers out; with too few left the cluster is out for clients',
        risk: 'only if the members are healthy (etcdctl endpoint health)',
      });
    if (why.some((w) => w.cause === 'member' || w.cause === 'other'))
      fixes.push({
        title: 'Find out why the members fail',
        format: 'shell',
        body: `etcdctl --endpoints=${input.members.map((m) => m.endpoint).join(',')} endpoint health --command-timeout=3s\netcdctl --endpoints=${input.members.map((m) => m.endpoint).join(',')} endpoint status -w table`,
        why: 'a down or leaderless member fails any correct check: the balancer is right to eject it',
        risk: 'none (read-only)',
      });

    return result(
      'balancer-outage',
      [
        {
          kind: 'balancer-outage',
          members: out.map((s) => s.member!).filter(Boolean),
          severity: 'critical',
          title,
          summary: `${none ? 'Every member is out of the balancer' : `Only ${up.map((s) => s.name).join(', ')} ${up.length === 1 ? 'is' : 'are'} in rotation`}: ${cause}.`,
          evidence,
          fixes,
          confidence: failingChecks.length ? 0.95 : 0.85,
          raiseAfter: 1,
        },
      ],
      '',
    );
  },
};
