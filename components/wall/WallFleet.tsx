'use client';
// The wall's fleet slide: one canvas of tiles, a tile per cluster (worst first, in columns):
// a status stripe and icon, the name, one cell per member (share vs expected, the cluster page's
// colours), and the imbalance score. Text and cells are drawn, not laid out: a few DOM nodes
// whatever the size of the fleet.
import { useEffect, useMemo, useRef } from 'react';
import { type Palette, type Theme, scoreLevel } from '@/lib/client/color';
import { layoutFleetCells } from '@/lib/client/fleet/grid';
import { severityOf } from '@/lib/client/fleet/order';
import type { FleetTiles } from '@/lib/client/fleet/wallLayout';
import { formatScore } from '@/lib/format';
import type { DimensionId } from '@/lib/types';
import type { FleetCluster } from '@/lib/fleet/types';
import { drawFleetCells, prepareCanvas } from '../fleet/drawCells';
import { INK, TONE_ICON, type Tone, toneColor } from './tones';

export function clusterTone(c: FleetCluster): Tone {
  const s = severityOf(c);
  // Starting, or nobody can see it (its sources did not answer): grey, unless a finding says worse.
  if ((c.status === 'starting' || c.status === 'unknown') && s < 2) return 'idle';
  return s >= 3 ? 'critical' : s >= 2 ? 'warning' : 'ok';
}

const SCORE_TONE = { none: 'idle', good: 'ok', warn: 'warning', bad: 'critical' } as const;

export function WallFleet({
  clusters,
  tiles,
  width,
  height,
  dim,
  theme,
  palette,
  cols,
}: {
  clusters: readonly FleetCluster[];
  tiles: FleetTiles;
  width: number;
  height: number;
  dim: DimensionId;
  theme: Theme;
  palette: Palette;
  cols: number;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const layout = useMemo(
    () => layoutFleetCells({ clusters, first: 0, last: clusters.length, cols, dim }),
    [clusters, cols, dim],
  );

  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const id = requestAnimationFrame(() => {
      const dpr = window.devicePixelRatio || 1;
      const ctx = prepareCanvas(canvas, width, height, dpr);
      if (!ctx) return;
      const t = tiles;
      const d = (x: number) => Math.round(x * dpr);
      const inner = Math.max(2, Math.round(t.rowHeight * 0.25));
      const origin = (i: number) => {
        const col = Math.floor(i / t.rowsPerColumn);
        const row = i % t.rowsPerColumn;
        return { x: col * (t.tileWidth + t.columnGap), y: row * t.rowHeight };
      };
      const cellsX = t.stripeWidth + inner + t.nameWidth;
      const padY = Math.max(2, Math.round(t.rowHeight * 0.14));
      drawFleetCells(
        ctx,
        layout,
        (r, c) => {
          const o = origin(r);
          return {
            x: d(o.x + cellsX + c * (t.cellWidth + t.cellGap)),
            y: d(o.y + padY),
            w: d(t.cellWidth),
            h: d(t.rowHeight - 2 * padY),
          };
        },
        { theme, palette, dpr, outline: INK[theme].faint },
      );
      const ink = INK[theme];
      ctx.textBaseline = 'middle';
      const font = `600 ${d(t.fontPx)}px ui-sans-serif, system-ui, sans-serif`;
      const bold = `700 ${d(t.fontPx)}px ui-sans-serif, system-ui, sans-serif`;
      for (let i = 0; i < clusters.length; i++) {
        const c = clusters[i];
        const o = origin(i);
        const tone = clusterTone(c);
        const cy = d(o.y + t.rowHeight / 2);
        // status stripe
        ctx.fillStyle = toneColor(tone, theme, palette);
        ctx.fillRect(d(o.x), d(o.y + padY), d(t.stripeWidth), d(t.rowHeight - 2 * padY));
        // name, with the status icon for anything not OK
        ctx.font = font;
        ctx.fillStyle = tone === 'idle' ? ink.muted : ink.text;
        const label = tone === 'ok' || tone === 'idle' ? c.name : `${TONE_ICON[tone]} ${c.name}`;
        ctx.fillText(fitText(ctx, label, d(t.nameWidth - inner)), d(o.x + t.stripeWidth + inner), cy);
        // score
        ctx.font = bold;
        const lv = scoreLevel(c.score);
        ctx.fillStyle = lv === 'good' || lv === 'none' ? ink.muted : toneColor(SCORE_TONE[lv], theme, palette);
        ctx.textAlign = 'right';
        ctx.fillText(formatScore(c.score), d(o.x + t.tileWidth), cy);
        ctx.textAlign = 'left';
      }
    });
    return () => cancelAnimationFrame(id);
  }, [layout, clusters, tiles, width, height, theme, palette]);

  return (
    <canvas
      ref={ref}
      data-testid="wall-fleet-canvas"
      data-tiles={clusters.length}
      data-value-cells={layout.counts.value}
      role="img"
      aria-label={`Fleet heatmap: ${clusters.length} clusters, worst first`}
      style={{ width, height, display: 'block' }}
    />
  );
}

/** `text`, shortened with "…" to fit `max` px in the context's current font. */
export function fitText(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (max <= 0) return '';
  if (ctx.measureText(text).width <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= max) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? `${text.slice(0, lo)}…` : '';
}
