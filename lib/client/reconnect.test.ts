import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './reconnect';

describe('backoffDelay', () => {
  it('doubles per attempt up to the cap, with jitter between half and all of it', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(3, () => 1)).toBe(8000);
    expect(backoffDelay(10, () => 1)).toBe(30_000);
    expect(backoffDelay(10, () => 0)).toBe(15_000);
    expect(backoffDelay(1e9, () => 0.5)).toBe(22_500);
  });
  it('stays within [cap/2, cap] for any attempt and random value', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 1000 }), fc.double({ min: 0, max: 1, noNaN: true }), (a, r) => {
        const d = backoffDelay(a, () => r, { baseMs: 200, maxMs: 10_000 });
        const cap = Math.min(10_000, 200 * 2 ** Math.max(0, Math.min(30, a)));
        expect(d).toBeGreaterThanOrEqual(Math.floor(cap / 2));
        expect(d).toBeLessThanOrEqual(cap);
      }),
    );
  });
});
