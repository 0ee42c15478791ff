import { describe, expect, it } from 'vitest';
import { emptyCounters, type MemberCounters } from './counters';
import { diffCounters } from './rates';
import {
  balancerView,
  checkLayers,
  lateSpell,
  lastMinute,
  memberSignals,
  probeSamples,
  pushProbe,
  serverMember,
  withPeerViews,
} from './signals';
import type { HaproxySnapshot } from '../sources/haproxy';

function c(leaderChanges: number, start: number, fsync: Array<[number, number]>): MemberCounters {
  const x = emptyCounters();
  x.counters.leaderChanges = leaderChanges;
  x.gauges.processStartTime = start;
  x.gauges.hasLeader = 1;
  x.histograms.walFsync = { buckets: fsync, count: fsync.at(-1)![1], sum: 0 };
  return x;
}

describe('memberSignals', () => {
  it('sums leader changes over the last minute across a restart without going negative', () => {
    const seq = [
      c(5, 100, [
        [0.008, 10],
        [Infinity, 10],
      ]),
      c(7, 100, [
        [0.008, 20],
        [Infinity, 20],
      ]),
      c(1, 200, [
        [0.008, 1],
        [Infinity, 1],
      ]),
      c(2, 200, [
        [0.008, 2],
        [Infinity, 12],
      ]),
    ];
    const deltas = seq.slice(1).map((cur, i) => diffCounters(seq[i], cur, 1));
    expect(deltas[1].reset).toBe(true);
    const s = memberSignals({
      deltas,
      windowPolls: 30,
      minutePolls: 60,
      scorePolls: 5,
      latest: seq.at(-1)!,
      revision: '9',
      appliedStalled: false,
      prev: null,
    });
    // 7-5 = 2, reset: 1 (counted from zero), then 2-1 = 1
    expect(s.leaderChanges).toBe(4);
    // 10 slow fsyncs in the last delta push p99 into +Inf bucket -> highest finite bound
    expect(s.walFsyncP99).toBe(0.008);
    expect(s.hasLeader).toBe(true);
    expect(s.revision).toBe('9');
    // The process start time changed once (100 -> 200): one restart, started at 200.
    expect(deltas.map((d) => d.restarted)).toEqual([false, true, false]);
    expect(s.restarts).toBe(1);
    expect(s.startedAt).toBe(200);
  });

  it('counts polls with a stalled applied index and resets when it moves', () => {
    const base = { deltas: [], windowPolls: 30, minutePolls: 60, scorePolls: 5, latest: null, revision: null };
    const a = memberSignals({ ...base, appliedStalled: true, prev: null });
    const b = memberSignals({ ...base, appliedStalled: true, prev: a });
    expect(b.appliedStalledPolls).toBe(2);
    expect(memberSignals({ ...base, appliedStalled: false, prev: b }).appliedStalledPolls).toBe(0);
  });
});

describe('balancerView', () => {
  const snap = (t: number, stot: number, econ: number): HaproxySnapshot => ({
    t,
    backend: 'etcd',
    check: null,
    configError: null,
    servers: [
      {
        name: 'etcd-1',
        address: '127.0.0.1:2379',
        status: 'UP',
        weight: 30,
        initialWeight: 30,
        checkLayer: 'L7',
        checkStatus: 'L7OK',
        checkCode: '200',
        checkDesc: null,
        scur: 1,
        stot,
        rate: 0,
        econ,
        eresp: 0,
        wretr: 0,
        wredis: 0,
        hrsp5xx: 0,
        cliAbrt: 0,
        srvAbrt: 0,
        chkfail: 0,
        chkdown: 0,
        lastChange: 5,
      },
    ],
  });
  it('maps servers to members by address and computes rates over the window', () => {
    const v = balancerView(
      'haproxy',
      'etcd',
      [snap(0, 100, 1), snap(10_000, 150, 4)],
      [{ endpoint: 'http://127.0.0.1:2379', name: 'x' }],
      null,
      10_000,
    );
    expect(v.servers[0]).toMatchObject({ member: 'http://127.0.0.1:2379', sessionRate: 5, errors: { econ: 3 } });
    // a reload resets counters: no negative rates
    const r = balancerView('haproxy', 'etcd', [snap(0, 100, 9), snap(10_000, 3, 0)], [], null, 10_000);
    expect(r.servers[0].sessionRate).toBeNull();
    expect(r.servers[0].errors.econ).toBe(0);
  });
  it('falls back to the server name', () => {
    expect(
      serverMember({ name: 'etcd-2', address: '10.1.1.1:2379' }, [{ endpoint: 'http://x:2379', name: 'etcd-2' }]),
    ).toBe('http://x:2379');
  });
});

describe('checkLayers', () => {
  const srv = (name: string, checkStatus: string | null) =>
    ({
      name,
      address: '',
      status: 'UP',
      weight: 1,
      initialWeight: 1,
      checkLayer: 'unknown',
      checkStatus,
      checkCode: null,
      checkDesc: null,
      scur: 0,
      stot: 0,
      rate: 0,
      econ: 0,
      eresp: 0,
      wretr: 0,
      wredis: 0,
      hrsp5xx: 0,
      cliAbrt: 0,
      srvAbrt: 0,
      chkfail: 0,
      chkdown: 0,
      lastChange: null,
    }) as HaproxySnapshot['servers'][number];
  const snap = (servers: HaproxySnapshot['servers'], check: HaproxySnapshot['check'] = null): HaproxySnapshot => ({
    t: 0,
    backend: 'etcd',
    servers,
    check,
    configError: null,
  });
  it('reads a refused HTTP check as an HTTP check, not a TCP-only one', () => {
    const s = snap([srv('a', 'L7OK'), srv('b', 'L4CON'), srv('c', '* L7OK')]);
    expect(s.servers.map(checkLayers(s))).toEqual(['L7', 'L7', 'L7']);
  });
  it('calls a backend TCP-checked only from passing L4 checks, unknown when nothing tells', () => {
    const tcp = snap([srv('a', 'L4OK'), srv('b', 'L4CON')]);
    expect(tcp.servers.map(checkLayers(tcp))).toEqual(['L4', 'unknown']);
    const cfg = snap([srv('a', 'L4CON')], { type: 'http', method: 'GET', path: '/health', interMs: {}, expect: null });
    expect(cfg.servers.map(checkLayers(cfg))).toEqual(['L7']);
  });
});

describe('probe signals', () => {
  it("takes Fulcrum's own lateness and the fastest member's time off each probe", () => {
    const s = probeSamples([{ ms: 52, lagMs: 40 }, { ms: 50, lagMs: 40 }, { ms: 190, lagMs: 40 }, null]);
    expect(s).toEqual([{ ms: 52, excess: 0 }, { ms: 50, excess: 0 }, { ms: 190, excess: 100 }, null]);
    // Late for every member alike: no member is late.
    expect(
      probeSamples([
        { ms: 300, lagMs: 0 },
        { ms: 301, lagMs: 0 },
      ]).map((x) => x?.excess),
    ).toEqual([0, 1]);
    expect(probeSamples([{ ms: null, lagMs: 0 }])).toEqual([null]);
  });

  const probeOnly = (probes: ReturnType<typeof pushProbe>) =>
    memberSignals({
      deltas: [],
      windowPolls: 30,
      minutePolls: 60,
      scorePolls: 5,
      latest: null,
      revision: null,
      appliedStalled: false,
      prev: null,
      probes,
    });
  it('keeps a median of the last 12 excesses per probe, so one hiccup does not make a stall', () => {
    let ring: ReturnType<typeof pushProbe> = [];
    for (let k = 0; k < 12; k++) ring = pushProbe(ring, { ms: 2, excess: k === 5 ? 400 : 0 }, 30);
    expect(ring.at(-1)!.med).toBe(0);
    // Half the probes late for a moment lifts the median for a few polls: not a past stall.
    const quiet12 = Array.from({ length: 12 }, () => ({ ms: 2, excess: 0 }));
    const late6 = Array.from({ length: 6 }, () => ({ ms: 120, excess: 110 }));
    const burst = [...quiet12, ...late6, ...quiet12].reduce((r, p) => pushProbe(r, p, 30), [] as typeof ring);
    expect(Math.max(...burst.map((p) => p.med))).toBe(55);
    expect(probeOnly(burst).probeExcessPeakMs).toBe(0);
    // A stall: the median turns once most of the last 12 are late.
    for (let k = 0; k < 14; k++) ring = pushProbe(ring, { ms: 120, excess: 110 }, 30);
    expect(ring.at(-1)!.med).toBe(110);
    expect(ring).toHaveLength(26);
    for (let k = 0; k < 20; k++) ring = pushProbe(ring, { ms: 2, excess: 0 }, 30);
    expect(ring).toHaveLength(30);
    const s = probeOnly(ring);
    expect(s.probeExcessMs).toBe(0);
    expect(s.probeExcessPeakMs).toBe(110);
    expect(s.probeSamples).toBe(12);
    expect(s.probeMs).toBe(2);
  });
});

describe('late spell (the weights proposal judges the probe over it)', () => {
  const rep = (v: number, n: number) => Array.from({ length: n }, () => v);
  it('begins once the median held 8 polls in a row, and its level is what it held', () => {
    expect(lateSpell(rep(100, 7), rep(100, 7))).toBeNull();
    expect(lateSpell([...rep(0, 20), ...rep(100, 7)], [...rep(0, 20), ...rep(300, 7)])).toBe(0);
    expect(lateSpell([...rep(0, 20), ...rep(100, 8)], [...rep(0, 20), ...rep(300, 8)])).toBe(100);
    // The level is the lowest median within the best run of 8.
    expect(lateSpell([...rep(0, 20), 40, ...rep(100, 7)], [...rep(0, 20), ...rep(300, 8)])).toBe(40);
  });

  it('holds while a paused member answers some probes on time (its median swings, its tail stays late)', () => {
    const meds = [...rep(0, 10), ...rep(100, 10), ...rep(0, 9), ...rep(100, 3), ...rep(2, 9)];
    const tails = [...rep(0, 10), ...rep(300, meds.length - 10)];
    expect(lateSpell(meds, tails)).toBe(100);
  });

  it('ends after 8 polls with nearly every probe on time, or the typical one on time and the tail no later than a busy machine makes anyone', () => {
    const spell = [...rep(100, 10)];
    const tail = rep(300, 10);
    // Every probe on time again: 7 polls are not enough, 8 are (below a 20 ms floor: over).
    expect(lateSpell([...spell, ...rep(0, 7)], [...tail, ...rep(1, 7)])).toBe(100);
    expect(lateSpell([...spell, ...rep(0, 8)], [...tail, ...rep(1, 8)])).toBeLessThan(20);
    // A busy machine: median back near 0, the 90th percentile still 30 ms late (under 2 × 20).
    expect(lateSpell([...spell, ...rep(2, 7)], [...tail, ...rep(30, 7)])).toBe(100);
    expect(lateSpell([...spell, ...rep(2, 8)], [...tail, ...rep(30, 8)])).toBeLessThan(20);
    // A member paused now and then: median near 0, 90th percentile 300 ms: still the same spell.
    expect(lateSpell([...spell, ...rep(2, 8)], [...tail, ...rep(300, 8)])).toBe(100);
  });

  it('an old spell does not come back when the member is a little late again later', () => {
    const meds = [...rep(100, 10), ...rep(0, 20), ...rep(12, 10)];
    const tails = [...rep(300, 10), ...rep(1, 20), ...rep(15, 10)];
    expect(lateSpell(meds, tails)).toBe(12);
  });
});

describe('peer views', () => {
  const hex = (d: string) => BigInt(d).toString(16);
  it("keeps each peer's latest round trip and gives every member what its peers measure towards it", () => {
    const peer = (rtt: Array<[number, number]>) => ({
      ...emptyCounters(),
      peers: { [hex('11')]: { rtt: { buckets: rtt, count: rtt.at(-1)![1], sum: 0 }, sendFailures: 2 } },
    });
    const a = peer([
      [0.001, 1],
      [0.2, 1],
      [Infinity, 1],
    ]);
    const b = peer([
      [0.001, 1],
      [0.2, 2],
      [Infinity, 2],
    ]);
    const c = peer([
      [0.001, 1],
      [0.2, 2],
      [Infinity, 2],
    ]);
    const deltas = [diffCounters(a, b, 1), diffCounters(b, c, 1)];
    const s = memberSignals({
      deltas,
      windowPolls: 30,
      minutePolls: 60,
      scorePolls: 5,
      latest: c,
      revision: null,
      appliedStalled: false,
      prev: null,
    });
    // The second delta saw no new observation: the first delta's (one slow round trip) is the latest.
    expect(s.peerRttTo[hex('11')]).toBeGreaterThan(0.1);
    expect(s.peerSendFailuresTo[hex('11')]).toBe(0);
    const m = (id: string, to: Record<string, number>) => ({ id, signals: { ...s, peerRttTo: to } });
    // Two peers: the lower one (a stalled peer measures everything slow).
    const views = withPeerViews([m('11', {}), m('12', { [hex('11')]: 0.3 }), m('13', { [hex('11')]: 0.001 })]);
    expect(views[0].rttFromPeers).toBe(0.001);
    expect(views[1].rttFromPeers).toBeNull();
  });
});

describe('lastMinute', () => {
  const d = (dt: number) => ({ ...diffCounters(null, emptyCounters(), dt), dt });
  it('is the configured minute of polls at the configured interval', () => {
    const ds = Array.from({ length: 90 }, () => d(1));
    expect(lastMinute(ds, 60)).toHaveLength(60);
  });
  it('is a minute of time while polls are stretched (4 s apart: 15 polls, not 60)', () => {
    const ds = [...Array.from({ length: 40 }, () => d(1)), ...Array.from({ length: 30 }, () => d(4))];
    expect(lastMinute(ds, 60)).toHaveLength(15);
  });
  it('keeps the newest delta even when it alone spans more than a minute (a member back after a gap)', () => {
    expect(lastMinute([d(1), d(1), d(90)], 60)).toHaveLength(1);
    expect(lastMinute([], 60)).toEqual([]);
  });
});
