import { describe, expect, it } from 'vitest';
import { LoopLag, stallWithin } from './lag';

describe('stallWithin', () => {
  it('counts the part of each stall inside the window', () => {
    const samples = [
      { t: 100, lagMs: 0 },
      { t: 400, lagMs: 250 }, // stuck 150..400
      { t: 1000, lagMs: 100 }, // stuck 900..1000
    ];
    expect(stallWithin(samples, 0, 2000)).toBe(350);
    expect(stallWithin(samples, 300, 950)).toBe(100 + 50);
    expect(stallWithin(samples, 400, 900)).toBe(0);
    expect(stallWithin(samples, 500, 500)).toBe(0);
  });
});

describe('LoopLag', () => {
  it('sees a blocked loop and nothing while the loop is free', async () => {
    const lag = new LoopLag(10);
    lag.acquire();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 100));
    const t1 = Date.now();
    const blockedFrom = Date.now();
    while (Date.now() - blockedFrom < 300) {
      // busy: the sampler's timer can't fire
    }
    await new Promise((r) => setTimeout(r, 50));
    const t2 = Date.now();
    lag.release();
    // On a busy machine the free part may see a little lag; a 300 ms block is far more.
    expect(lag.stalledMs(t1, t2)).toBeGreaterThanOrEqual(250);
    expect(lag.stalledMs(t0, t1)).toBeLessThan(lag.stalledMs(t1, t2));
  });
});
