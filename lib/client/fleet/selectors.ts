// Which clusters a view shows: `?clusters=` on the wall and `?sel=` on the fleet page hold a
// comma-separated list of terms. A term is a cluster name (`*` matches any run of characters),
// `label=value` or `label!=value`. A cluster matches when it matches one of the name terms (if
// any) and every label term. Untrusted input: bounded, validated, unknown syntax dropped. Pure.
import type { FleetCluster } from '../../fleet/types';

export type Selector =
  | { kind: 'name'; pattern: string }
  | { kind: 'label'; key: string; value: string; negate: boolean };

export const MAX_SELECTORS = 32;
const NAME_TERM = /^[A-Za-z0-9_.*-]{1,63}$/;
const LABEL_KEY = /^[A-Za-z_][A-Za-z0-9_./-]{0,62}$/;
const LABEL_VALUE = /^[^,=!\u0000-\u001f]{0,128}$/;

/** Parses a selector list; invalid terms are dropped (and reported), duplicates kept once. */
export function parseSelectors(raw: string | null | undefined): { selectors: Selector[]; invalid: string[] } {
  const selectors: Selector[] = [];
  const invalid: string[] = [];
  if (!raw) return { selectors, invalid };
  const seen = new Set<string>();
  for (const part of raw.slice(0, 4096).split(',')) {
    const term = part.trim();
    if (!term) continue;
    const sel = parseTerm(term);
    if (!sel) {
      if (invalid.length < MAX_SELECTORS) invalid.push(term.slice(0, 64));
      continue;
    }
    const key = formatSelector(sel);
    if (seen.has(key) || selectors.length >= MAX_SELECTORS) continue;
    seen.add(key);
    selectors.push(sel);
  }
  return { selectors, invalid };
}

function parseTerm(term: string): Selector | null {
  const ne = term.indexOf('!=');
  const eq = term.indexOf('=');
  if (ne > 0 || eq > 0) {
    const negate = ne > 0 && ne < eq;
    const key = term.slice(0, negate ? ne : eq).trim();
    const value = term.slice(negate ? ne + 2 : eq + 1).trim();
    if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(value)) return null;
    return { kind: 'label', key, value, negate };
  }
  if (!NAME_TERM.test(term)) return null;
  return { kind: 'name', pattern: term };
}

export function formatSelector(s: Selector): string {
  return s.kind === 'name' ? s.pattern : `${s.key}${s.negate ? '!=' : '='}${s.value}`;
}

export function formatSelectors(list: readonly Selector[]): string {
  return list.map(formatSelector).join(',');
}

/** Glob with `*` only, anchored, case-sensitive (cluster names are). */
export function globMatch(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const parts = pattern.split('*');
  if (!name.startsWith(parts[0])) return false;
  let at = parts[0].length;
  for (let i = 1; i < parts.length - 1; i++) {
    const j = name.indexOf(parts[i], at);
    if (j < 0) return false;
    at = j + parts[i].length;
  }
  const last = parts[parts.length - 1];
  return name.length - at >= last.length && name.endsWith(last);
}

export type Matcher = (c: Pick<FleetCluster, 'name' | 'labels'>) => boolean;

export function selectorMatcher(list: readonly Selector[]): Matcher {
  const names = list.filter((s): s is Extract<Selector, { kind: 'name' }> => s.kind === 'name');
  const labels = list.filter((s): s is Extract<Selector, { kind: 'label' }> => s.kind === 'label');
  if (names.length === 0 && labels.length === 0) return () => true;
  return (c) => {
    if (names.length > 0 && !names.some((n) => globMatch(n.pattern, c.name))) return false;
    for (const l of labels) {
      const has = Object.hasOwn(c.labels, l.key) && c.labels[l.key] === l.value;
      if (has === l.negate) return false;
    }
    return true;
  };
}

/**
 * Free-text search: every whitespace-separated word must occur (case-insensitive) in the name,
 * a `key=value` label, the source, or the worst finding's title.
 */
export function searchMatcher(q: string): (c: FleetCluster) => boolean {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
  if (words.length === 0) return () => true;
  return (c) => {
    const hay = [c.name, c.source, c.worst?.title ?? '', ...Object.entries(c.labels).map(([k, v]) => `${k}=${v}`)]
      .join('\n')
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  };
}
