// Literal maps from state to Tailwind classes (Tailwind only sees class names written out in
// full), with the icon and word that go with each colour: status is never colour alone.
import type { ScoreLevel } from '@/lib/client/scoreLevel';
import type { ClusterStatus, EventKind, MemberStatus, Severity } from '@/lib/types';

export interface Tone {
  label: string;
  icon: string;
  badge: string;
}

export const CLUSTER_STATUS: Record<ClusterStatus, Tone> = {
  ok: {
    label: 'OK',
    icon: '✓',
    badge:
      'bg-emerald-100 text-emerald-900 ring-emerald-600/30 dark:bg-emerald-500/15 dark:text-emerald-300 dark:ring-emerald-400/30',
  },
  degraded: {
    label: 'Degraded',
    icon: '▲',
    badge:
      'bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-500/15 dark:text-amber-300 dark:ring-amber-400/30',
  },
  down: {
    label: 'Down',
    icon: '✕',
    badge: 'bg-red-100 text-red-900 ring-red-600/30 dark:bg-red-500/15 dark:text-red-300 dark:ring-red-400/30',
  },
  unknown: {
    label: 'Unknown',
    icon: '?',
    badge:
      'bg-slate-100 text-slate-800 ring-slate-500/40 dark:bg-slate-500/15 dark:text-slate-200 dark:ring-slate-400/40',
  },
  starting: {
    label: 'Starting',
    icon: '…',
    badge:
      'bg-slate-100 text-slate-700 ring-slate-500/30 dark:bg-slate-500/15 dark:text-slate-300 dark:ring-slate-400/30',
  },
};

export const MEMBER_STATUS: Record<MemberStatus, Tone> = {
  up: {
    label: 'up',
    icon: '✓',
    badge:
      'bg-emerald-100 text-emerald-900 ring-emerald-600/30 dark:bg-emerald-500/15 dark:text-emerald-300 dark:ring-emerald-400/30',
  },
  unhealthy: {
    label: 'unhealthy',
    icon: '!',
    badge:
      'bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-500/15 dark:text-amber-300 dark:ring-amber-400/30',
  },
  down: {
    label: 'down',
    icon: '✕',
    badge: 'bg-red-100 text-red-900 ring-red-600/30 dark:bg-red-500/15 dark:text-red-300 dark:ring-red-400/30',
  },
  unknown: {
    label: 'unknown',
    icon: '?',
    badge:
      'bg-slate-100 text-slate-700 ring-slate-500/30 dark:bg-slate-500/15 dark:text-slate-300 dark:ring-slate-400/30',
  },
};

/** Text colour of a score (big number) per level. */
export const SCORE_TEXT: Record<ScoreLevel, string> = {
  none: 'text-slate-400 dark:text-slate-500',
  good: 'text-emerald-700 dark:text-emerald-400',
  warn: 'text-amber-700 dark:text-amber-400',
  bad: 'text-red-700 dark:text-red-400',
};

export const SCORE_ICON: Record<ScoreLevel, string> = { none: '–', good: '✓', warn: '▲', bad: '✕' };

export const SEVERITY: Record<Severity, Tone & { border: string }> = {
  info: {
    label: 'info',
    icon: 'ℹ',
    badge: 'bg-sky-100 text-sky-900 ring-sky-600/30 dark:bg-sky-500/15 dark:text-sky-300 dark:ring-sky-400/30',
    border: 'border-l-sky-500',
  },
  warning: {
    label: 'warning',
    icon: '▲',
    badge:
      'bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-500/15 dark:text-amber-300 dark:ring-amber-400/30',
    border: 'border-l-amber-500',
  },
  critical: {
    label: 'critical',
    icon: '✕',
    badge: 'bg-red-100 text-red-900 ring-red-600/30 dark:bg-red-500/15 dark:text-red-300 dark:ring-red-400/30',
    border: 'border-l-red-600',
  },
};

/** Severity colours for charts and the heatmap canvas (fill/stroke), per theme, and a tint for areas. */
export const SEVERITY_COLOR: Record<Severity, { light: string; dark: string; text: string }> = {
  info: { light: '#0284c7', dark: '#38bdf8', text: 'text-sky-700 dark:text-sky-300' },
  warning: { light: '#d97706', dark: '#fbbf24', text: 'text-amber-700 dark:text-amber-400' },
  critical: { light: '#dc2626', dark: '#f87171', text: 'text-red-700 dark:text-red-400' },
};

/** Events: an icon, a word, a text colour (Tailwind) and a stroke colour (charts). */
export const EVENT_KIND: Record<EventKind, { label: string; icon: string; text: string; stroke: string }> = {
  'leader-change': {
    label: 'leader change',
    icon: '♛',
    text: 'text-violet-700 dark:text-violet-300',
    stroke: '#8b5cf6',
  },
  'member-down': { label: 'member down', icon: '✕', text: 'text-red-700 dark:text-red-400', stroke: '#dc2626' },
  'member-up': { label: 'member up', icon: '✓', text: 'text-emerald-700 dark:text-emerald-400', stroke: '#059669' },
  'member-restart': { label: 'restart', icon: '↻', text: 'text-sky-700 dark:text-sky-300', stroke: '#0284c7' },
  'alarm-raised': { label: 'alarm raised', icon: '⚑', text: 'text-orange-700 dark:text-orange-400', stroke: '#ea580c' },
  'alarm-cleared': { label: 'alarm cleared', icon: '⚐', text: 'text-teal-700 dark:text-teal-300', stroke: '#0d9488' },
  'source-down': { label: 'source down', icon: '⚠', text: 'text-red-700 dark:text-red-400', stroke: '#b91c1c' },
  'source-up': { label: 'source up', icon: '✓', text: 'text-emerald-700 dark:text-emerald-400', stroke: '#047857' },
  'weights-changed': {
    label: 'weights changed',
    icon: '⚖',
    text: 'text-indigo-700 dark:text-indigo-300',
    stroke: '#4f46e5',
  },
  'weights-settled': {
    label: 'weights settled',
    icon: '≈',
    text: 'text-indigo-700 dark:text-indigo-300',
    stroke: '#6366f1',
  },
  'agent-weight': {
    label: 'agent weight',
    icon: '⚙',
    text: 'text-fuchsia-700 dark:text-fuchsia-300',
    stroke: '#c026d3',
  },
};

/** Share minus expected, in percentage points: over (red), under (blue), about right (neutral). */
export type DeltaTone = 'over' | 'under' | 'even' | 'none';
export const DELTA_TEXT: Record<DeltaTone, string> = {
  over: 'text-red-700 dark:text-red-400 font-semibold',
  under: 'text-blue-700 dark:text-blue-300',
  even: 'text-slate-600 dark:text-slate-300',
  none: 'text-slate-400 dark:text-slate-500',
};

/** |delta| below this many pp counts as even. */
export const EVEN_PP = 5;

export function deltaTone(pp: number | null): DeltaTone {
  if (pp === null) return 'none';
  if (pp >= EVEN_PP) return 'over';
  if (pp <= -EVEN_PP) return 'under';
  return 'even';
}

export { CARD, MUTED } from './classes';
