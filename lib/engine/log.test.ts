import { describe, expect, it } from 'vitest';
import { RateLimitedLog } from './log';

describe('RateLimitedLog', () => {
  it('writes one line per key per interval and counts what it held back', () => {
    const lines: string[] = [];
    const log = new RateLimitedLog(1000, (l) => lines.push(l));
    expect(log.warn('a', 'first', 0)).toBe(true);
    expect(log.warn('a', 'again', 500)).toBe(false);
    expect(log.warn('a', 'again', 999)).toBe(false);
    expect(log.warn('b', 'other cause', 999)).toBe(true);
    expect(log.warn('a', 'later', 1000)).toBe(true);
    expect(log.warn('a', 'quiet', 5000)).toBe(true);
    expect(lines).toEqual([
      'fulcrum: first',
      'fulcrum: other cause',
      'fulcrum: later (2 more since the last line)',
      'fulcrum: quiet',
    ]);
  });
});
