// The what-if weights in the page URL (?wi=30,20,10): a copied link or a snapshot carries them.
// Pure and tiny (the snapshot dialog reads it without loading the weights panel's code).
import { parseWeightList, WHAT_IF_KEY } from '../analysis/weights/weightList';
import { first, type RawParams } from './viewParams';

/** The edited weights in a query string: exactly `n` integers within 0..256, else null. */
export function parseWhatIf(input: RawParams, n: number): number[] | null {
  return parseWeightList(first(input, WHAT_IF_KEY), n);
}

/** The query string with the edited weights set (or removed with null); other keys kept in order. */
export function serializeWhatIf(weights: readonly number[] | null, base: URLSearchParams | string): string {
  const out = new URLSearchParams(typeof base === 'string' ? base : base.toString());
  if (weights) out.set(WHAT_IF_KEY, weights.join(','));
  else out.delete(WHAT_IF_KEY);
  return out.toString();
}
