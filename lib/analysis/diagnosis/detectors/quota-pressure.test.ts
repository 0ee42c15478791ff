import { describe, expect, it } from 'vitest';
import { emptySignals } from '../../member';
import { fixText, input, member } from '../testkit';
import { quotaPressure } from './quota-pressure';

describe('quota-pressure', () => {
  it('warns near the quota and is critical with NOSPACE, with the safe recovery order', () => {
    const quota = 16 * 1024 * 1024;
    const near = [member(1), member(2), member(3, { dbSizeBytes: 0.9 * quota, quotaBackendBytes: quota })];
    const w = quotaPressure.run(input({ members: near }));
    expect(w.candidates.map((c) => [c.severity, c.members[0]])).toEqual([['warning', near[2].endpoint]]);
    const full = [
      member(1, { alarms: [] }),
      member(2),
      member(3, {
        alarms: ['NOSPACE'],
        dbSizeBytes: quota,
        quotaBackendBytes: quota,
        signals: { ...emptySignals(), revision: '4242' },
      }),
    ];
    const c = quotaPressure.run(input({ members: full })).candidates[0];
    expect(c.severity).toBe('critical');
    const body = fixText(c);
    expect(body).toContain('compact 4242');
    // followers first, the leader (etcd-1) last, then disarm
    const order = ['etcd-2', 'etcd-3', 'etcd-1 (leader)', 'alarm disarm'].map((s) => body.indexOf(s));
    expect(order.every((x, i) => x > 0 && (i === 0 || x > order[i - 1]))).toBe(true);
  });
});
