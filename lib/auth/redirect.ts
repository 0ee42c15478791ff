// Where a login, a logout or a wall link may send the browser: a path on this site, as the
// browser itself will read it. Browsers drop tabs and newlines anywhere in a URL and read "\" as
// "/", so "/\tevil.example" or "/\\evil.example" would leave the site: such values are refused,
// not cleaned, and what is left must resolve to this origin.
import { ValidationError } from '../errors';

const BASE = 'http://fulcrum.invalid';
export const MAX_PATH_CHARS = 2048;

/** The same-origin path (path, query, fragment) `raw` names, or null when it is not one. */
export function localPath(raw: string): string | null {
  if (raw.length === 0 || raw.length > MAX_PATH_CHARS) return null;
  if (/[\u0000-\u0020\u007f\\]/.test(raw)) return null;
  if (!raw.startsWith('/') || raw.startsWith('//')) return null;
  let u: URL;
  try {
    u = new URL(raw, BASE);
  } catch {
    return null;
  }
  if (u.origin !== BASE) return null;
  const out = `${u.pathname}${u.search}${u.hash}`;
  return out.startsWith('//') ? null : out;
}

/** localPath, or a 400 naming the field; an absent value is `fallback`. */
export function localPathOr400(raw: string | null | undefined, field: string, fallback = '/'): string {
  if (raw === null || raw === undefined || raw === '') return fallback;
  const p = localPath(raw);
  if (p === null)
    throw new ValidationError(
      `invalid ${field}: a path on this site such as /clusters/prod (no scheme, host, backslash, spaces or control characters)`,
    );
  return p;
}
