import { describe, expect, it } from 'vitest';
import { fixText, input, member, withLoad } from '../testkit';
import { capacityMismatch } from './capacity-mismatch';

describe('capacity-mismatch', () => {
  it('proposes weights from latency headroom when shares are right but one member is slow', () => {
    const m = [member(1, { weight: 10 }), member(2, { weight: 10 }), member(3, { weight: 10 })];
    const { members, scores } = withLoad(m, [100, 100, 100], [0.02, 0.02, 0.16], true);
    const r = capacityMismatch.run(input({ members, scores, weighted: true }));
    expect(r.candidates).toHaveLength(1);
    expect(r.candidates[0].members).toEqual([members[2].endpoint]);
    // 0.02 / 0.16 -> clamped to a 4x change: 10 -> 2.5; renormalised to the old total 30
    expect(fixText(r.candidates[0])).toMatch(/set server etcd\/etcd-3 weight [1-5]\b/);
    expect(fixText(r.candidates[0])).toMatch(/set server etcd\/etcd-1 weight 1[0-3]\b/);
  });
});
