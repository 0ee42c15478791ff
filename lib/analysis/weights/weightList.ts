// A list of weights as text (`30,20,10`, one per member in member order): the what-if weights in
// the page URL (?wi=…, so a copied link or a snapshot carries them) and in the weights API's query.
// Pure and tiny (the snapshot dialog reads it without loading the weights panel's code).

/** The query key of the edited weights, in the page URL and in the weights API. */
export const WHAT_IF_KEY = 'wi';
/** Highest weight HAProxy takes (NGINX takes more; the panel stays within both). */
export const MAX_WEIGHT = 256;

/** `30,20,10` → [30, 20, 10] when it has exactly `n` integers within 0..256; anything else → null. */
export function parseWeightList(raw: string | undefined, n: number): number[] | null {
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

/** A weight typed into the panel: an integer within 0..256, or null when it is not one. */
export function parseWeightInput(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,3}$/.test(t)) return null;
  const v = Number(t);
  return v <= MAX_WEIGHT ? v : null;
}
