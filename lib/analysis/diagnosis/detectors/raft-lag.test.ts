import { describe, expect, it } from 'vitest';
import { emptySignals } from '../../member';
import { input, member } from '../testkit';
import { raftLag } from './raft-lag';

describe('raft-lag', () => {
  it('measures lag with BigInt on uint64 indexes and flags stalled followers', () => {
    const m = [
      member(1, { raftIndex: '18446744073709551000' }),
      member(2, { raftAppliedIndex: '18446744073709540000' }),
      member(3, { raftAppliedIndex: '18446744073709551000' }),
    ];
    const r = raftLag.run(input({ members: m }));
    expect(r.candidates.map((c) => c.members[0])).toEqual([m[1].endpoint]);
    expect(r.candidates[0].evidence.find((e) => e.label === 'lag (entries)')?.value).toBe('11000');
    const stalled = [member(1), member(2, { signals: { ...emptySignals(), appliedStalledPolls: 6 } }), member(3)];
    expect(raftLag.run(input({ members: stalled })).candidates[0].severity).toBe('critical');
  });
});
