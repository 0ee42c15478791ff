import { describe, expect, it } from 'vitest';
import { input, three, withLoad } from '../testkit';
import { slowMember } from './slow-member';

describe('slow-member', () => {
  it('flags a member far slower than its peers, and one above the absolute limit', () => {
    const rel = withLoad(three(), [10, 10, 10], [0.002, 0.003, 0.2]);
    expect(slowMember.run(input(rel)).candidates.map((c) => [c.members[0], c.severity])).toEqual([
      [rel.members[2].endpoint, 'warning'],
    ]);
    const abs = withLoad(three(), [10, 10, 10], [1.5, 1.4, 1.6]);
    expect(slowMember.run(input(abs)).candidates.every((c) => c.severity === 'critical')).toBe(true);
    // 2 ms vs 0.5 ms is "4x" but far below the floor
    expect(slowMember.run(input(withLoad(three(), [10, 10, 10], [0.0005, 0.0005, 0.002]))).candidates).toEqual([]);
  });
});
