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
    // heartbeat near the RTT p99 (200 ms), election timeout 10× it
    expect(fixText(r.candidates[0])).toContain('--heartbeat-interval=200');
    expect(fixText(r.candidates[0])).toContain('--election-timeout=2000');
    expect(leaderChurn.run(input({ members: m, leaderChangesLastMinute: 1 })).candidates).toEqual([]);
    expect(leaderChurn.run(input({ members: m, leaderChangesLastMinute: null })).check.state).toBe('not-checked');
  });

  it('when the RTT gives etcd’s defaults, says timeouts are not the problem and points at the driver', () => {
    const m = three();
    m[0] = member(1, { signals: { ...emptySignals(), walFsyncP99: 0.08, peerRttP99: 0.0004 } });
    const f = leaderChurn.run(input({ members: m, leaderChangesLastMinute: 3 })).candidates[0].fixes[0];
    expect(f.title).toBe('Election timeouts are not the problem');
    expect(f.body).toContain('--heartbeat-interval=100 --election-timeout=1000');
    expect(f.body).toContain('etcd-1 WAL fsync p99 80 ms');
    expect(f.format).toBe('text');
  });
});
