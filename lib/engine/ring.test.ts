import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Hub } from './hub';
import { Ring } from './ring';

describe('Ring', () => {
  it('keeps the newest `capacity` items in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer(), { maxLength: 100 }), (cap, items) => {
        const r = new Ring<number>(cap);
        for (const x of items) r.push(x);
        expect(r.toArray()).toEqual(items.slice(-cap));
        expect(r.last()).toBe(items.at(-1));
        expect(r.tail(3)).toEqual(items.slice(-cap).slice(-3));
      }),
    );
  });
  it('refuses a capacity below 1', () => {
    expect(() => new Ring(0)).toThrow(/capacity/);
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
