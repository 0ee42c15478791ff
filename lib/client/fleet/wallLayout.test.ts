import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEADLINE_FRACTION, MIN_TEXT_PX, pageSlice, wallLayout } from './wallLayout';

const SCREENS = [
  [1366, 768],
  [1920, 1080],
  [3840, 2160],
] as const;

function fitsScreen(l: ReturnType<typeof wallLayout>) {
  expect(l.mainHeight).toBeGreaterThan(0);
  expect(l.mainTop + l.mainHeight + l.bottomHeight + l.pad).toBeLessThanOrEqual(l.height);
  const f = l.fleet;
  expect(f.rowsPerColumn * f.rowHeight).toBeLessThanOrEqual(l.mainHeight);
  expect(f.columns * f.tileWidth + (f.columns - 1) * f.columnGap).toBeLessThanOrEqual(l.mainWidth);
  const c = l.cluster;
  expect(c.headerHeight + c.findingHeight + c.heatmapHeight + c.timelineHeight + 3 * c.gap).toBeLessThanOrEqual(
    l.mainHeight,
  );
}

describe('wallLayout', () => {
  it.each(SCREENS)('fits %i×%i with headline numbers legible across a room', (width, height) => {
    for (const clusters of [1, 12, 54, 200, 500]) {
      const l = wallLayout({ width, height, clusters, maxMembers: 5, focusMembers: 5, banner: true });
      fitsScreen(l);
      expect(l.headlinePx).toBeGreaterThanOrEqual(HEADLINE_FRACTION * height - 0.5);
      expect(l.cluster.scoreFontPx).toBeGreaterThan(l.headlinePx);
      expect(l.smallPx).toBeGreaterThanOrEqual(MIN_TEXT_PX);
      expect(l.fleet.fontPx).toBeGreaterThanOrEqual(MIN_TEXT_PX - 1);
      expect(l.fleet.pages * l.fleet.perPage).toBeGreaterThanOrEqual(clusters);
    }
  });

  it('shows 54 clusters on one page at 1920×1080, and pages 500 at 1366×768', () => {
    expect(wallLayout({ width: 1920, height: 1080, clusters: 54, maxMembers: 5 }).fleet.pages).toBe(1);
    const small = wallLayout({ width: 1366, height: 768, clusters: 500, maxMembers: 5 });
    expect(small.fleet.pages).toBeGreaterThan(1);
    expect(small.fleet.perPage * (small.fleet.pages - 1)).toBeLessThan(500);
  });

  it('scales with the screen: 4K is twice 1080p', () => {
    const hd = wallLayout({ width: 1920, height: 1080, clusters: 10, maxMembers: 3 });
    const uhd = wallLayout({ width: 3840, height: 2160, clusters: 10, maxMembers: 3 });
    expect(Math.abs(uhd.headlinePx - 2 * hd.headlinePx)).toBeLessThanOrEqual(1);
    expect(Math.abs(uhd.fleet.rowHeight - 2 * hd.fleet.rowHeight)).toBeLessThanOrEqual(1);
  });

  it('fits any viewport, cluster count and member count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 320, max: 7680 }),
        fc.integer({ min: 240, max: 4320 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        (width, height, clusters, members, banner) => {
          fitsScreen(wallLayout({ width, height, clusters, maxMembers: members, focusMembers: members, banner }));
        },
      ),
    );
  });

  it('slices pages', () => {
    expect(pageSlice([1, 2, 3, 4, 5], 1, 2)).toEqual([3, 4]);
    expect(pageSlice([1, 2, 3], 5, 2)).toEqual([]);
  });
});
