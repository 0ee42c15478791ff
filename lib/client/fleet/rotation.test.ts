import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FleetCluster } from '../../fleet/types';
import {
  FRESH_CRITICAL_MS,
  MAX_CLUSTER_SLIDES,
  initialRotation,
  planSlides,
  slideKey,
  stepRotation,
  type RotationState,
} from './rotation';
import { fleetCluster, withFinding } from './testkit';

const ROT = 20_000;

function run(s: RotationState, clusters: FleetCluster[], now: number, fleetPages = 1) {
  return stepRotation(s, { clusters, fleetPages, rotateMs: ROT, now, serverNow: now });
}

describe('planSlides', () => {
  it('fleet pages, then clusters with problems worst first, at most MAX_CLUSTER_SLIDES', () => {
    const cs = [
      fleetCluster('ok'),
      withFinding(fleetCluster('w', { score: 0.3 }), 'warning'),
      withFinding(fleetCluster('c'), 'critical'),
      fleetCluster('info', { findings: { info: 2, warning: 0, critical: 0 } }),
      fleetCluster('deg', { status: 'degraded', score: 0.9 }),
    ];
    expect(planSlides(cs, 2).map(slideKey)).toEqual(['fleet:0', 'fleet:1', 'cluster:c', 'cluster:deg', 'cluster:w']);
    const many = Array.from({ length: 40 }, (_, i) => withFinding(fleetCluster(`x${i}`), 'warning'));
    expect(planSlides(many, 1)).toHaveLength(1 + MAX_CLUSTER_SLIDES);
  });
});

describe('stepRotation', () => {
  const w1 = withFinding(fleetCluster('w1', { score: 0.5 }), 'warning');
  const w2 = withFinding(fleetCluster('w2', { score: 0.3 }), 'warning');
  const ok = fleetCluster('ok');

  it('advances one slide per period and wraps around', () => {
    let s = run(initialRotation(0), [ok, w1, w2], 0);
    expect(slideKey(s.slide)).toBe('fleet:0');
    const seen: string[] = [];
    for (let t = 1; t <= 4; t++) {
      s = run(s, [ok, w1, w2], t * ROT);
      seen.push(slideKey(s.slide));
    }
    expect(seen).toEqual(['cluster:w1', 'cluster:w2', 'fleet:0', 'cluster:w1']);
  });

  it('starts the round on the first step, whatever the clock said at creation', () => {
    const s = run(initialRotation(0), [ok, w1, w2], 5 * ROT);
    expect(slideKey(s.slide)).toBe('fleet:0');
    expect(s.shownAt).toBe(5 * ROT);
    expect(slideKey(run(s, [ok, w1, w2], 6 * ROT - 1).slide)).toBe('fleet:0');
  });

  it('stays put between periods and returns the same object when nothing changed', () => {
    const s = run(initialRotation(0), [ok, w1], 0);
    const s2 = run(s, [ok, w1], ROT - 1);
    expect(s2).toBe(s);
  });

  it('does not rotate with rotate=0 (fleet page stays)', () => {
    let s = stepRotation(initialRotation(0), { clusters: [w1], fleetPages: 2, rotateMs: 0, now: 0, serverNow: 0 });
    for (let t = 1; t < 10; t++)
      s = stepRotation(s, { clusters: [w1], fleetPages: 2, rotateMs: 0, now: t * 60_000, serverNow: 0 });
    expect(slideKey(s.slide)).toBe('fleet:0');
  });

  it('a new critical finding takes the screen at once and holds while it stays critical', () => {
    let s = run(initialRotation(0), [ok, w1, w2], 0);
    s = run(s, [ok, w1, w2], ROT); // on w1
    const crit = withFinding(fleetCluster('ok'), 'critical', 21_000, 'Member m2 is down');
    s = run(s, [crit, w1, w2], ROT + 1000);
    expect(slideKey(s.slide)).toBe('cluster:ok');
    expect(s.shownAt).toBe(ROT + 1000);
    expect(s.holds).toEqual([{ cluster: 'ok', findingId: 'ok-critical', title: 'Member m2 is down', since: 21_000 }]);
    for (let t = 2; t < 20; t++) {
      s = run(s, [crit, w1, w2], ROT * t);
      expect(slideKey(s.slide)).toBe('cluster:ok');
    }
    // cleared: the round resumes
    s = run(s, [ok, w1, w2], ROT * 21);
    expect(s.holds).toEqual([]);
    expect(slideKey(s.slide)).toBe('fleet:0');
  });

  it('rotates among several held clusters, newest first', () => {
    let s = run(initialRotation(0), [ok, w1, w2], 0);
    const c1 = withFinding(fleetCluster('w1'), 'critical', 1000);
    s = run(s, [ok, c1, w2], 1000);
    const c2 = withFinding(fleetCluster('w2'), 'critical', 2000);
    s = run(s, [ok, c1, c2], 2000);
    expect(slideKey(s.slide)).toBe('cluster:w2');
    expect(s.holds.map((h) => h.cluster)).toEqual(['w2', 'w1']);
    s = run(s, [ok, c1, c2], 2000 + ROT);
    expect(slideKey(s.slide)).toBe('cluster:w1');
    s = run(s, [ok, c1, c2], 2000 + 2 * ROT);
    expect(slideKey(s.slide)).toBe('cluster:w2');
  });

  it('on (re)load, only young critical findings interrupt', () => {
    const now = 100 * 60_000;
    const old = withFinding(fleetCluster('old'), 'critical', now - FRESH_CRITICAL_MS - 1);
    const young = withFinding(fleetCluster('young'), 'critical', now - 60_000);
    const s = run(initialRotation(now), [old, young], now);
    expect(s.holds.map((h) => h.cluster)).toEqual(['young']);
    const s2 = run(initialRotation(now), [old], now);
    expect(s2.holds).toEqual([]);
    expect(slideKey(s2.slide)).toBe('fleet:0');
  });

  it('carries on from its place when the shown cluster leaves the round', () => {
    let s = run(initialRotation(0), [ok, w1, w2], 0);
    s = run(s, [ok, w1, w2], ROT);
    expect(slideKey(s.slide)).toBe('cluster:w1');
    s = run(s, [ok, fleetCluster('w1'), w2], ROT + 10);
    expect(slideKey(s.slide)).toBe('cluster:w2');
  });

  it('always shows a slide of the current round or a held cluster, and keeps bounded state', () => {
    const arb = fc.array(
      fc.record({
        dt: fc.integer({ min: 0, max: 3 * ROT }),
        sev: fc.array(fc.constantFrom('none', 'warning', 'critical' as const), { minLength: 6, maxLength: 6 }),
        pages: fc.integer({ min: 1, max: 3 }),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(arb, (steps) => {
        let s = initialRotation(0);
        let now = 0;
        for (const st of steps) {
          now += st.dt;
          const cs = st.sev.map((v, i) =>
            v === 'none' ? fleetCluster(`c${i}`) : withFinding(fleetCluster(`c${i}`), v, now),
          );
          s = run(s, cs, now, st.pages);
          const round = planSlides(cs, st.pages).map(slideKey);
          const held = s.holds.map((h) => `cluster:${h.cluster}`);
          if (held.length) expect(held).toContain(slideKey(s.slide));
          else expect(round).toContain(slideKey(s.slide));
          expect(s.holds.length).toBeLessThanOrEqual(6);
          expect(s.criticalIds.length).toBeLessThanOrEqual(6);
          for (const h of s.holds) expect(st.sev[Number(h.cluster.slice(1))]).toBe('critical');
        }
      }),
    );
  });
});
