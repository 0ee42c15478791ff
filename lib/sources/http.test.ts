import { describe, expect, it } from 'vitest';
import { isTimeout } from './http';

describe('isTimeout', () => {
  it('knows a deadline from a refusal', () => {
    for (const m of [
      '127.0.0.1:2379/metrics: no answer within 800 ms',
      '4 DEADLINE_EXCEEDED: Deadline exceeded after 0.963s,name resolution: 0.437s,Waiting for LB pick',
      'Prometheus /api/v1/query: no answer within 800 ms',
      'HAProxy runtime API /tmp/x.sock: no answer within 800 ms',
      '14 UNAVAILABLE: Waiting for LB pick',
      'connect ETIMEDOUT 10.0.0.1:2379',
    ])
      expect(isTimeout(m), m).toBe(true);
    for (const m of [
      '14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2379',
      '127.0.0.1:2379/health: ECONNREFUSED',
      '/metrics answered HTTP 500',
      null,
      '',
    ])
      expect(isTimeout(m), String(m)).toBe(false);
  });
});
