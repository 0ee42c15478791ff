// The what-if weights in the URL (?wi=30,20,10): a copied link or a snapshot carries them. Pure and
// tiny (the snapshot dialog reads it without loading the weights panel's code).
import { first, type RawParams } from './viewParams';

/** The query key of the edited weights. */
export const WHAT_IF_KEY = 'wi';
/** Highest weight HAProxy takes (NGINX takes more; the panel stays within both). */
export const MAX_WEIGHT = 256;

/** `30,20,10` → [30, 20, 10] when it has exactly `n` integers within 0..256; anything else → null. */
export function parseWhatIf(input: RawParams, n: number): number[] | null {
  const raw = first(input, WHAT_IF_KEY);
  if (!raw || raw.length > 16 * 4) return null;
  const parts = raw.split(',');
  if (parts.length !== n) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > MAX_WEIGHT) return null;
    out.push(v);
  }
  return out;
}

/** The query string with the edited weights set (or removed with null); other keys kept in order. */
export function serializeWhatIf(weights: readonly number[] | null, base: URLSearchParams | string): string {
  const out = new URLSearchParams(typeof base === 'string' ? base : base.toString());
  if (weights) out.set(WHAT_IF_KEY, weights.join(','));
  else out.delete(WHAT_IF_KEY);
  return out.toString();
}

/** A weight typed into the panel: an integer within 0..256, or null when it is not one. */
export function parseWeightInput(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,3}$/.test(t)) return null;
  const v = Number(t);
  return v <= MAX_WEIGHT ? v : null;
}
