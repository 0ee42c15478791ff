// The themes and the relative palettes' names, without their colours (./palettes, through
// ./color): what a page needs to parse and offer the choice before it draws anything.
export type Theme = 'light' | 'dark';

/**
 * The relative scale's hues. `default` is RdBu (red = above expected, blue = below); `cb` is
 * PuOr (orange = above, purple = below), which stays apart under all three kinds of colour-blindness
 * and does not reuse the red and green that mean "critical" and "OK" elsewhere on the page.
 */
export const PALETTES = ['default', 'cb'] as const;
export type Palette = (typeof PALETTES)[number];

/** The words for the two ends of a palette, for legends. */
export const PALETTE_WORDS: Record<Palette, { above: string; below: string }> = {
  default: { above: 'red', below: 'blue' },
  cb: { above: 'orange', below: 'purple' },
};
