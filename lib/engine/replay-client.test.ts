// The client-side diagnosis on samples recorded from the real local stack
// (dev/record-client-samples.ts), replayed through `advance`: HAProxy checking a path etcd 3.4
// does not serve (an outage), etcd-2 CPU-throttled by a cgroup quota (a stall), etcd-3's WAL device
// write-throttled (a slow disk), etcd-3 drained at the balancer (the operator's intent).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterState, Finding } from '../types';
import { advanceRecording, decodeSamples } from './recording';

const FIXTURE = path.join(__dirname, '../../test/fixtures/samples/client-side.json.gz');
// The same scenario recorded again at a load average of 25 on 2 cores, with the balancer's config
// file read (the check's path is known). etcd-3's WAL sits on a loop device, which such a machine
// slows for real: slow-disk warnings on it in quiet phases are measurements, not noise to hide.
const BUSY = path.join(__dirname, '../../test/fixtures/samples/client-side-busy.json.gz');

/** A recording replayed, with the helpers the cases below share. */
function replayed(file: string) {
  const rec = decodeSamples(gunzipSync(readFileSync(file)).toString('utf8'));
  const states = advanceRecording(rec);
  const url = (name: string) => rec.members.find((m) => m.name === name)!.url;
  const phase = (...ps: string[]) => states.filter((x) => ps.includes(x.phase));
  /** Distinct "kind/severity member…" of the findings above info over some polls. */
  const raised = (xs: Array<{ s: ClusterState }>, kinds?: string[]) => [
    ...new Set(
      xs.flatMap((x) =>
        x.s.findings
          .filter((f) => f.severity !== 'info' && (!kinds || kinds.includes(f.kind)))
          .map(
            (f) =>
              `${f.kind}/${f.severity} ${f.members.map((u) => rec.members.find((m) => m.url === u)?.name).join('+')}`,
          ),
      ),
    ),
  ];
  return { rec, states, url, phase, raised };
}

describe('replay of the client-side cases recorded from the local stack', () => {
  let r: ReturnType<typeof replayed>;
  const url = (name: string) => r.url(name);
  const phase = (p: string) => r.phase(p);
  const raised: ReturnType<typeof replayed>['raised'] = (xs, kinds) => r.raised(xs, kinds);
  const above = (f: Finding) => f.severity !== 'info';
  /** Index within the phase of the first poll with a finding of `kind` (above info) on `member`. */
  const firstHit = (p: string, kind: string, member: string | null) =>
    phase(p).findIndex((x) =>
      x.s.findings.some((f) => f.kind === kind && above(f) && (member === null || f.members.includes(member))),
    );

  beforeAll(() => {
    // 310 polls through every detector: a few seconds, more on a busy shared machine.
    r = replayed(FIXTURE);
  }, 60_000);

  it('has the scenario it claims, with a probe of every member in every poll', () => {
    for (const p of ['healthy', 'outage', 'stalled', 'slow-wal', 'drained'])
      expect(phase(p).length, p).toBeGreaterThan(5);
    const polls = r.rec.ticks.flatMap((t) => Object.values(t.polls));
    expect(polls.filter((p) => p.probe).length).toBe(polls.length);
  });

  it('healthy load raises nothing above info', () => {
    expect(raised(phase('healthy'))).toEqual([]);
  });

  it('outage: balancer-outage (critical) first, from the first poll, with the HTTP status the check got', () => {
    const out = phase('outage');
    expect(firstHit('outage', 'balancer-outage', null)).toBe(0);
    for (const { s } of out) {
      expect(s.findings[0].kind).toBe('balancer-outage');
      expect(s.findings[0].severity).toBe('critical');
      expect(s.findings[0].title).toMatch(
        /^Outage: the balancer has no member UP .*HTTP 404.*clients get no etcd at all$/,
      );
    }
    // health-check-gap names the same status, and never claims the checks can't catch a bad member.
    const gap = out.flatMap((x) => x.s.findings).filter((f) => f.kind === 'health-check-gap');
    expect(gap.length).toBeGreaterThan(0);
    for (const f of gap) {
      expect(f.title).toContain('HTTP 404');
      expect(f.title).not.toContain('cannot catch');
    }
  });

  it('stall: member-stall on etcd-2 within 60 polls, and no slow-disk or peer-network warning anywhere', () => {
    const i = firstHit('stalled', 'member-stall', url('etcd-2'));
    expect(i).toBeGreaterThanOrEqual(0);
    expect(i).toBeLessThan(60);
    const f = phase('stalled')[i].s.findings.find((x) => x.kind === 'member-stall')!;
    expect(f.members).toEqual([url('etcd-2')]);
    expect(f.evidence.some((e) => e.label.startsWith("Fulcrum's probe"))).toBe(true);
    expect(raised([...phase('stalled'), ...phase('after-stall')], ['slow-disk', 'peer-network'])).toEqual([]);
    expect(raised(phase('stalled'), ['member-stall'])).toEqual(['member-stall/warning etcd-2']);
  });

  it('slow disk: slow-disk on etcd-3 (its WAL device), never member-stall on it', () => {
    const i = firstHit('slow-wal', 'slow-disk', url('etcd-3'));
    expect(i).toBeGreaterThanOrEqual(0);
    expect(i).toBeLessThan(30);
    expect(raised(phase('slow-wal'), ['slow-disk'])).toEqual(
      expect.arrayContaining([expect.stringMatching(/^slow-disk\/(warning|critical) etcd-3$/)]),
    );
    expect(raised([...phase('slow-wal'), ...phase('after-slow-wal')], ['member-stall'])).toEqual([]);
  });

  it('drain: balancer-drain (info) on etcd-3, its expected share 0, nothing above info', () => {
    const d = phase('drained');
    const i = d.findIndex((x) => x.s.findings.some((f) => f.kind === 'balancer-drain'));
    expect(i).toBeGreaterThanOrEqual(0);
    expect(i).toBeLessThan(3);
    const f = d[i].s.findings.find((x) => x.kind === 'balancer-drain')!;
    expect(f.severity).toBe('info');
    expect(f.members).toEqual([url('etcd-3')]);
    expect(f.title).toMatch(/^etcd-3 drained at the balancer \(DRAIN\) since/);
    const last = d.at(-1)!.s;
    const e3 = last.members.find((m) => m.endpoint === url('etcd-3'))!;
    expect(e3.dims.requests.expectedShare).toBe(0);
    // The others' expectations renormalise over the configured weights 30/20.
    expect(last.members[0].dims.requests.expectedShare).toBeCloseTo(0.6, 2);
    expect(last.members[1].dims.requests.expectedShare).toBeCloseTo(0.4, 2);
    expect(raised(d)).toEqual([]);
  });
});

describe('replay of the same cases recorded on a busy machine', () => {
  let r: ReturnType<typeof replayed>;
  beforeAll(() => {
    r = replayed(BUSY);
  }, 60_000);

  it('outage: said first, with the check path and the status it got; health-check-gap names the wrong path', () => {
    const out = r.phase('outage');
    expect(out[0].s.findings[0].title).toBe(
      'Outage: the balancer has no member UP (its health check gets HTTP 404 from GET /livez, expect status 200): clients get no etcd at all',
    );
    const gap = out[0].s.findings.find((f) => f.kind === 'health-check-gap')!;
    expect(gap.title).toBe("The balancer's health check asks for a path etcd does not serve (HTTP 404)");
    expect(gap.summary).toContain('/livez');
  });

  it('stall: etcd-2 named within 60 polls; no peer-network anywhere, no slow-disk on the stalling member', () => {
    const i = r.phase('stalled').findIndex((x) => x.s.findings.some((f) => f.kind === 'member-stall'));
    expect(i).toBeGreaterThanOrEqual(0);
    expect(i).toBeLessThan(60);
    expect(r.raised(r.phase('stalled'), ['member-stall'])).toEqual(['member-stall/warning etcd-2']);
    const during = r.raised(r.phase('stalled', 'after-stall'), ['slow-disk', 'peer-network']);
    expect(during.filter((x) => x.startsWith('peer-network') || x.endsWith('etcd-2'))).toEqual([]);
  });

  it('slow disk: critical slow-disk on etcd-3; never a stall on it, also while it catches up after the undo', () => {
    expect(r.raised(r.phase('slow-wal'), ['slow-disk'])).toContain('slow-disk/critical etcd-3');
    expect(r.raised(r.phase('slow-wal', 'after-slow-wal', 'drained'), ['member-stall'])).toEqual([]);
  });

  it('drain: balancer-drain (info) on etcd-3 and no request-skew', () => {
    const d = r.phase('drained');
    expect(d.some((x) => x.s.findings.some((f) => f.kind === 'balancer-drain' && f.severity === 'info'))).toBe(true);
    expect(r.raised(d, ['request-skew', 'connection-pinning', 'capacity-mismatch'])).toEqual([]);
  });
});
