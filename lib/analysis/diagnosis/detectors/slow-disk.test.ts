import { describe, expect, it } from 'vitest';
import { emptySignals } from '../../member';
import { input, member, three } from '../testkit';
import { slowDisk } from './slow-disk';

describe('slow-disk', () => {
  it('flags slow fsync/commit and cites log lines', () => {
    const m = three();
    m[0] = member(1, { signals: { ...emptySignals(), walFsyncP99: 0.05, backendCommitP99: 0.01 } });
    const r = slowDisk.run(input({ members: m, logSignals: { [m[0].endpoint]: { 'slow fdatasync': 7 } } }));
    expect(r.candidates[0].members).toEqual([m[0].endpoint]);
    expect(r.candidates[0].evidence.find((e) => e.label.includes('slow fdatasync'))?.value).toBe('7');
  });
});

describe('slow-disk against the probe (a Status RPC touches no disk)', () => {
  const slow = (probe: Partial<ReturnType<typeof emptySignals>>) =>
    member(2, {
      signals: { ...emptySignals(), walFsyncP99: 0.2, backendCommitP99: 0.25, probeSamples: 12, ...probe },
    });
  it('leaves a member whose typical probe is late to member-stall, and says why', () => {
    const m = three();
    m[1] = slow({ probeExcessMs: 40, probeExcessP90Ms: 120 });
    const r = slowDisk.run(input({ members: m }));
    expect(r.candidates).toEqual([]);
    expect(r.check.note).toContain("Fulcrum's probe");
  });
  it('waits twice as long while only the probe tail is late, and as usual when the probe is on time', () => {
    const m = three();
    m[1] = slow({ probeExcessMs: 2, probeExcessP90Ms: 60 });
    const waited = slowDisk.run(input({ members: m })).candidates[0];
    m[1] = slow({ probeExcessMs: 2, probeExcessP90Ms: 3 });
    const usual = slowDisk.run(input({ members: m })).candidates[0];
    expect(waited.members).toEqual([m[1].endpoint]);
    expect(usual.raiseAfter).toBeGreaterThan(0);
    expect(waited.raiseAfter).toBe(2 * (usual.raiseAfter ?? 0));
  });
  it('judges by the disk alone before the probe has enough samples', () => {
    const m = three();
    m[1] = slow({ probeExcessMs: 40, probeExcessP90Ms: 120, probeSamples: 3 });
    expect(slowDisk.run(input({ members: m })).candidates.map((c) => c.members)).toEqual([[m[1].endpoint]]);
  });
});
