// Older history for the wall's cluster slide. The wall's own history starts when it opens (or
// reloads for a new build); for a polled cluster the server keeps more, so the slide asks
// /history once for what it lacks. Bounded: a few clusters' frames, least recently used out.
import type { Frame } from '../../types';

/** Frames asked for per cluster (the slide is at most a few thousand pixels wide). */
export const SEED_POINTS = 300;
/** Clusters whose older frames are kept. */
export const SEED_CLUSTERS = 4;

/** True when the live history leaves more than two ticks of the window [from, to] uncovered on the left. */
export function needsSeed(liveOldest: number | null, from: number, tickMs: number): boolean {
  return liveOldest === null || liveOldest - from > 2 * tickMs;
}

export class SeedCache {
  private readonly m = new Map<string, Frame[]>();
  constructor(readonly max = SEED_CLUSTERS) {}

  get(name: string): Frame[] | undefined {
    const v = this.m.get(name);
    if (v) {
      // most recently used last
      this.m.delete(name);
      this.m.set(name, v);
    }
    return v;
  }

  set(name: string, frames: Frame[]): void {
    this.m.delete(name);
    this.m.set(name, frames);
    while (this.m.size > this.max) this.m.delete(this.m.keys().next().value as string);
  }

  get size(): number {
    return this.m.size;
  }
}
