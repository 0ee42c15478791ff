import { describe, expect, it } from 'vitest';
import { frame } from '../testFrames';
import { SeedCache, needsSeed } from './seed';

describe('needsSeed', () => {
  it('asks only when the live history leaves the window uncovered', () => {
    expect(needsSeed(null, 0, 1000)).toBe(true);
    expect(needsSeed(60_000, 0, 1000)).toBe(true);
    expect(needsSeed(2000, 0, 1000)).toBe(false);
    expect(needsSeed(0, 1000, 1000)).toBe(false);
  });
});

describe('SeedCache', () => {
  it('keeps the most recently used clusters only', () => {
    const c = new SeedCache(2);
    c.set('a', [frame(1)]);
    c.set('b', [frame(2)]);
    expect(c.get('a')?.[0].t).toBe(1);
    c.set('c', [frame(3)]);
    expect(c.size).toBe(2);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
    expect(c.get('c')).toBeDefined();
  });
});
