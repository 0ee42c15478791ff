// Colours the wall paints on canvases (fill/stroke, per theme and palette) and their words. A
// tone always comes with an icon, so colour is never the only cue; the `cb` palette swaps the
// red/amber/green for the Okabe–Ito vermillion/orange/blue, told apart under colour-blindness.
import type { Palette, Theme } from '@/lib/client/color';

export type Tone = 'critical' | 'warning' | 'ok' | 'idle';

export const TONE_ICON: Record<Tone, string> = { critical: '✕', warning: '▲', ok: '✓', idle: '…' };

const FILL: Record<Palette, Record<Theme, Record<Tone, string>>> = {
  default: {
    light: { critical: '#dc2626', warning: '#d97706', ok: '#059669', idle: '#94a3b8' },
    dark: { critical: '#f87171', warning: '#fbbf24', ok: '#34d399', idle: '#64748b' },
  },
  cb: {
    light: { critical: '#D55E00', warning: '#E69F00', ok: '#0072B2', idle: '#94a3b8' },
    dark: { critical: '#FF8A3D', warning: '#F0E442', ok: '#56B4E9', idle: '#64748b' },
  },
};

export function toneColor(tone: Tone, theme: Theme, palette: Palette): string {
  return FILL[palette][theme][tone];
}

/** Page text colours for canvas text. */
export const INK: Record<Theme, { text: string; muted: string; faint: string }> = {
  light: { text: '#0f172a', muted: '#475569', faint: '#cbd5e1' },
  dark: { text: '#f1f5f9', muted: '#94a3b8', faint: '#334155' },
};
