import { describe, expect, it } from 'vitest';
import { emptySignals } from '../../member';
import { fixText, input, member, three } from '../testkit';
import { leaderChurn } from './leader-churn';

describe('leader-churn', () => {
  it('fires above 1/min, names a slow-disk driver and derives election flags from RTT', () => {
    const m = three();
    m[1] = member(2, { signals: { ...emptySignals(), walFsyncP99: 0.2, peerRttP99: 0.2 } });
    const r = leaderChurn.run(input({ members: m, leaderChangesLastMinute: 4 }));
    expect(r.candidates).toHaveLength(1);
    expect(r.candidates[0].summary).toContain('etcd-2 WAL fsync p99 200 ms');
    expect(fixText(r.candidates[0])).toContain('--heartbeat-interval=300');
    expect(fixText(r.candidates[0])).toContain('--election-timeout=3000');
    expect(leaderChurn.run(input({ members: m, leaderChangesLastMinute: 1 })).candidates).toEqual([]);
    expect(leaderChurn.run(input({ members: m, leaderChangesLastMinute: null })).check.state).toBe('not-checked');
  });
});
