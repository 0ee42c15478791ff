import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareFindings, emptyTracker, trackFindings, type TrackerConfig, type TrackerState } from './tracker';
import type { Candidate } from './types';

const cand = (kind: Candidate['kind'], members: string[], over: Partial<Candidate> = {}): Candidate => ({
  kind,
  members,
  severity: 'warning',
  title: kind,
  summary: '',
  evidence: [],
  fixes: [],
  confidence: 0.5,
  ...over,
});

/** Threads the tracker state through successive polls, like the engine does. */
class Tracker {
  state: TrackerState = emptyTracker();
  private readonly cfg: TrackerConfig;
  constructor(cluster: string, raiseAfter: number, clearAfter: number, keepResolvedMs?: number) {
    this.cfg = { cluster, raiseAfter, clearAfter, keepResolvedMs };
  }
  update(candidates: Candidate[], t: number) {
    const r = trackFindings(this.state, candidates, t, this.cfg);
    this.state = r.state;
    return r.active;
  }
  resolved() {
    return this.state.resolved;
  }
}

describe('trackFindings', () => {
  it('raises after N polls with since = first poll of the streak, clears after M polls gone', () => {
    const tr = new Tracker('c', 3, 2);
    const c = cand('request-skew', ['a']);
    expect(tr.update([c], 1)).toEqual([]);
    expect(tr.update([c], 2)).toEqual([]);
    const raised = tr.update([c], 3);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ id: 'request-skew:a', cluster: 'c', since: 1 });
    expect(tr.update([], 4)).toHaveLength(1); // still shown: gone for 1 poll only
    expect(tr.update([c], 5)[0].since).toBe(1); // came back: same finding, same since
    expect(tr.update([], 6)).toHaveLength(1);
    expect(tr.update([], 7)).toEqual([]);
  });

  it('does not flap: an on/off condition below N never raises', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 60 }), (pattern) => {
        const tr = new Tracker('c', 3, 5);
        let raised = false;
        let run = 0;
        pattern.forEach((on, t) => {
          run = on ? run + 1 : 0;
          const out = tr.update(on ? [cand('slow-disk', ['x'])] : [], t);
          if (out.length) raised = true;
          if (run >= 3) expect(out).toHaveLength(1);
        });
        const everThree = pattern.some((_, i) => i >= 2 && pattern[i] && pattern[i - 1] && pattern[i - 2]);
        expect(raised).toBe(everThree);
      }),
    );
  });

  it('honours a candidate’s own raiseAfter, keys cluster-wide kinds without members, orders by severity', () => {
    const tr = new Tracker('c', 5, 5);
    const out = tr.update(
      [
        cand('member-down', ['b'], { raiseAfter: 1, severity: 'critical' }),
        cand('leader-churn', ['a', 'b'], { raiseAfter: 1 }),
        cand('version-skew', ['a'], { raiseAfter: 1, severity: 'info' }),
      ],
      1,
    );
    expect(out.map((f) => f.id)).toEqual(['member-down:b', 'leader-churn', 'version-skew']);
    // members of a cluster-wide finding change without making a new finding
    expect(
      tr.update([cand('leader-churn', ['a'], { raiseAfter: 1 })], 2).find((f) => f.kind === 'leader-churn')?.since,
    ).toBe(1);
  });
});

describe('resolved findings', () => {
  it('keeps a cleared finding with its until time for a while, newest first', () => {
    const tr = new Tracker('c', 1, 2, 100);
    tr.update([cand('member-down', ['a'])], 0);
    tr.update([cand('slow-disk', ['b'])], 1);
    tr.update([], 2); // member-down absent 2 polls -> resolved at 2; slow-disk absent 1
    tr.update([], 3); // slow-disk resolved at 3
    expect(tr.resolved().map((f) => [f.id, f.since, f.until])).toEqual([
      ['slow-disk:b', 1, 3],
      ['member-down:a', 0, 2],
    ]);
    tr.update([], 103);
    expect(tr.resolved().map((f) => f.id)).toEqual(['slow-disk:b']);
  });
});

describe('purity', () => {
  it('never changes the state it is given, and the same inputs give the same output', () => {
    fc.assert(
      fc.property(
        fc.array(fc.subarray(['a', 'b', 'c']), { maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        (polls, n) => {
          let s = emptyTracker();
          const cfg = { cluster: 'c', raiseAfter: n, clearAfter: n };
          polls.forEach((members, t) => {
            const cands = members.map((m) => cand('slow-disk', [m]));
            const before = structuredClone(s);
            const r = trackFindings(s, cands, t, cfg);
            expect(s).toEqual(before);
            expect(trackFindings(s, cands, t, cfg)).toEqual(r);
            s = r.state;
          });
        },
      ),
    );
  });
});

describe('severity and order', () => {
  it('raises a higher severity of an active finding only after it held as long as a raise takes', () => {
    const t = new Tracker('c', 3, 5);
    const info = cand('slow-disk', ['a'], { severity: 'info' });
    const warn = cand('slow-disk', ['a'], { severity: 'warning' });
    for (let k = 0; k < 3; k++) t.update([info], k);
    expect(t.update([info], 3)[0].severity).toBe('info');
    // Two polls of warning: still info (a raise takes 3), then the third makes it a warning.
    expect(t.update([warn], 4)[0].severity).toBe('info');
    expect(t.update([warn], 5)[0].severity).toBe('info');
    expect(t.update([info], 6)[0].severity).toBe('info');
    expect(t.update([warn], 7)[0].severity).toBe('info');
    expect(t.update([warn], 8)[0].severity).toBe('info');
    expect(t.update([warn], 9)[0].severity).toBe('warning');
    // Lowering is at once.
    expect(t.update([info], 10)[0].severity).toBe('info');
    // A candidate that raises at once (raiseAfter 1) escalates at once too.
    const crit = cand('slow-disk', ['a'], { severity: 'critical', raiseAfter: 1 });
    expect(t.update([crit], 11)[0].severity).toBe('critical');
  });

  it('puts an outage before anything else of its severity, whatever came first', () => {
    const f = (kind: string, severity: 'critical' | 'warning', since: number) => ({ kind, severity, since });
    const sorted = [
      f('health-check-gap', 'critical', 1),
      f('request-skew', 'warning', 0),
      f('balancer-outage', 'critical', 5),
      f('member-down', 'critical', 2),
    ].sort(compareFindings);
    expect(sorted.map((x) => x.kind)).toEqual(['balancer-outage', 'health-check-gap', 'member-down', 'request-skew']);
  });
});
