import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Hub } from './hub';
import { pushAllCapped, pushCapped } from './ring';

describe('pushCapped', () => {
  it('keeps the newest `capacity` items in order and never changes its input', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer(), { maxLength: 100 }), (cap, items) => {
        let r: readonly number[] = Object.freeze([]);
        for (const x of items) r = Object.freeze(pushCapped(r, x, cap));
        expect(r).toEqual(items.slice(-cap));
        const half = Math.floor(items.length / 2);
        expect(pushAllCapped(Object.freeze(items.slice(0, half)), items.slice(half), cap)).toEqual(items.slice(-cap));
      }),
    );
  });
  it('refuses a capacity below 1', () => {
    expect(() => pushCapped([], 1, 0)).toThrow(/capacity/);
    expect(() => pushAllCapped([], [1], 0)).toThrow(/capacity/);
  });
});

describe('Hub', () => {
  it('caps subscribers and survives a throwing listener', () => {
    const hub = new Hub<number>(2);
    const got: number[] = [];
    const un = hub.subscribe((m) => got.push(m));
    hub.subscribe(() => {
      throw new Error('bad client');
    });
    expect(hub.subscribe(() => undefined)).toBeNull();
    hub.publish(1);
    hub.publish(2);
    expect(got).toEqual([1, 2]);
    expect(hub.removedOnError).toBe(1);
    expect(hub.size).toBe(1);
    un!();
    expect(hub.size).toBe(0);
  });
});
