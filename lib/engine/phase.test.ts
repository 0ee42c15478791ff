import { describe, expect, it } from 'vitest';
import { pollPhaseMs } from './phase';

describe('pollPhaseMs', () => {
  it('is within the interval and the same for the same name', () => {
    for (const name of ['prod', 'a', 'k8s-eu-1', 'ünïcode', ''])
      for (const interval of [1, 1000, 5000, 1500.5]) {
        const p = pollPhaseMs(name, interval);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(Math.max(1, interval));
        expect(Number.isInteger(p)).toBe(true);
        expect(pollPhaseMs(name, interval)).toBe(p);
      }
  });
  it('spreads many clusters over the interval instead of one instant', () => {
    const phases = Array.from({ length: 100 }, (_, i) => pollPhaseMs(`cluster-${i}`, 1000));
    // Ten 100 ms slots: every slot gets some clusters, none gets a third of them.
    const slots = Array.from({ length: 10 }, (_, s) => phases.filter((p) => Math.floor(p / 100) === s).length);
    expect(Math.min(...slots)).toBeGreaterThan(0);
    expect(Math.max(...slots)).toBeLessThan(34);
    expect(new Set(phases).size).toBeGreaterThan(80);
  });
});
