import { describe, expect, it } from 'vitest';
import type { Frame } from '../types';
import { HistoryCache, type HistorySource, ladderStep } from './history';

const frame = (t: number) => ({ t, origin: 'prometheus' }) as Frame;
const MIN = 60_000;
const H = 60 * MIN;

function source(now: number, memFrom: number) {
  let t = now;
  const calls: Array<{ from: number; to: number; step: number }> = [];
  let fail: string | null = null;
  const mem = { key: {}, frames: Array.from({ length: 10 }, (_, i) => frame(memFrom + i * 1000)) };
  const src: HistorySource = {
    now: () => t,
    pollIntervalMs: 1000,
    memory: () => mem,
    fetchRange: async (from, to, step) => {
      calls.push({ from, to, step });
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error(fail);
      const out: Frame[] = [];
      for (let x = from; x <= to; x += step * 1000) out.push(frame(x));
      return out;
    },
  };
  return {
    src,
    calls,
    mem,
    advance: (ms: number) => {
      t += ms;
    },
    failWith: (e: string | null) => {
      fail = e;
    },
  };
}

describe('ladderStep', () => {
  it('picks the smallest ladder step that keeps the points asked for, never below the poll interval', () => {
    expect(ladderStep(H, 1200, 1000)).toBe(5);
    expect(ladderStep(6 * H, 1200, 1000)).toBe(30);
    expect(ladderStep(24 * H, 1200, 1000)).toBe(120);
    expect(ladderStep(5 * MIN, 1200, 5000)).toBe(5);
    // Viewers whose ranges differ by seconds agree on the step.
    expect(ladderStep(H - 40_000, 1200, 1000)).toBe(ladderStep(H + 3000, 1200, 1000));
  });
});

describe('HistoryCache', () => {
  const now = 1_800_000_000_000;

  it('asks Prometheus once for many viewers of the same range, and gives them the same answer', async () => {
    const s = source(now, now - 30_000);
    const cache = new HistoryCache(s.src);
    // Browsers that opened the page a few seconds apart: their ranges differ a little.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => cache.get(now - H - i * 100, now - 30_000 - i * 50, 1200)),
    );
    expect(s.calls).toHaveLength(1);
    expect(s.calls[0].step).toBe(5);
    expect(answers.every((a) => a.source === 'prometheus' && a.error === null)).toBe(true);
    expect(new Set(answers.map((a) => a.frames.length)).size).toBeLessThanOrEqual(2);
    // The same range (aligned to the step): the very same answer, encoded once by the route.
    expect(await cache.get(now - H + 10, now - 30_000 + 10, 1200)).toBe(answers[0]);
    // Another range is another step: one more fetch, and only one.
    await Promise.all([cache.get(now - 6 * H, now - 30_000, 1200), cache.get(now - 6 * H + 500, now - 30_000, 1200)]);
    expect(s.calls).toHaveLength(2);
    expect(s.calls[1].step).toBe(30);
  });

  it('keeps an answer until the next step begins', async () => {
    const s = source(now, now - 30_000);
    const cache = new HistoryCache(s.src);
    await cache.get(now - H, now - 30_000, 1200);
    const stepMs = 5000;
    s.advance(stepMs - (now % stepMs) - 1);
    await cache.get(now - H, now - 30_000, 1200);
    expect(s.calls).toHaveLength(1);
    s.advance(2);
    await cache.get(now - H, now - 30_000, 1200);
    expect(s.calls).toHaveLength(2);
  });

  it('serves what memory covers from memory, one answer per poll for every viewer', async () => {
    const s = source(now, now - 9000);
    const cache = new HistoryCache(s.src);
    const a = await cache.get(now - 8000, now - 2000, 1200);
    const b = await cache.get(now - 8000 + 300, now - 2000 + 300, 1200);
    expect(s.calls).toHaveLength(0);
    expect(a.source).toBe('memory');
    expect(a).toBe(b);
    expect(a.frames.map((f) => f.t)).toEqual([
      now - 8000,
      now - 7000,
      now - 6000,
      now - 5000,
      now - 4000,
      now - 3000,
      now - 2000,
    ]);
    // New frames (a new poll): a new answer.
    s.mem.key = {};
    expect(await cache.get(now - 8000, now - 2000, 1200)).not.toBe(a);
  });

  it('says why when Prometheus fails, and does not ask again before the next step', async () => {
    const s = source(now, now - 9000);
    s.failWith('Prometheus /api/v1/query_range: ECONNREFUSED');
    const cache = new HistoryCache(s.src);
    const a = await cache.get(now - H, now - 10_000, 1200);
    expect(a.source).toBe('memory');
    expect(a.error).toMatch(/ECONNREFUSED/);
    await cache.get(now - H, now - 10_000, 1200);
    expect(s.calls).toHaveLength(1);
  });

  it('never answers for the future', async () => {
    const s = source(now, now - 9000);
    const cache = new HistoryCache(s.src);
    const a = await cache.get(now - H, now + H, 1200);
    expect(a.frames.every((f) => f.t <= now)).toBe(true);
    expect(a.to).toBeLessThanOrEqual(now);
  });
});
