// A small JSON diff: what changed between two JSON values, and how to apply it. Pure.
//
// A patch is
//   - a number, string, boolean or null: the new value;
//   - [value]: the new value, whole (objects and arrays that changed too much to patch);
//   - []: inside an object patch, "this key is gone";
//   - an object: per key (per index for an array of the same length), the patch of that part;
//     keys that did not change are left out.
// Values are JSON values: an `undefined` property is the same as a missing one, as after
// JSON.stringify. `apply(a, diff(a, b))` is `b` (a property test holds it) and never changes `a`.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Patch = null | boolean | number | string | Patch[] | { [k: string]: Patch };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

// Keys are data (a label may be called "__proto__"): read own properties only, and define rather
// than assign, so no key ever reaches a prototype.
const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** JSON equality (undefined properties count as missing). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let na = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    na++;
    if (!jsonEqual(ao[k], own(bo, k))) return false;
  }
  let nb = 0;
  for (const k in bo) if (bo[k] !== undefined) nb++;
  return na === nb;
}

/** The patch from `a` to `b`, or undefined when they are equal. */
export function diff(a: unknown, b: unknown): Patch | undefined {
  if (jsonEqual(a, b)) return undefined;
  if (typeof b !== 'object' || b === null) return b as Patch;
  const whole: Patch = [b as Patch];
  let parts: Record<string, Patch> | null = null;
  if (Array.isArray(b)) {
    if (Array.isArray(a) && a.length === b.length) {
      parts = {};
      for (let i = 0; i < b.length; i++) {
        const p = diff(a[i], b[i]);
        if (p !== undefined) parts[i] = p;
      }
    }
  } else if (isObject(a)) {
    const bo = b as Record<string, unknown>;
    const ps: Record<string, Patch> = {};
    for (const k in bo) {
      const v = bo[k];
      if (v === undefined) continue;
      const p = diff(own(a, k), v);
      if (p !== undefined) put(ps, k, p);
    }
    for (const k in a) if (a[k] !== undefined && own(bo, k) === undefined) put(ps, k, []);
    parts = ps;
  }
  // A patch that says more than the value itself is not worth it.
  if (parts && JSON.stringify(parts).length < JSON.stringify(b).length + 2) return parts;
  return whole;
}

/** `a` with `p` applied (a new value; `a` is not changed). Throws on a patch that does not fit `a`. */
export function apply<T>(a: T, p: Patch | undefined): T {
  if (p === undefined) return a;
  if (typeof p !== 'object' || p === null) return p as T;
  if (Array.isArray(p)) {
    if (p.length !== 1) throw new Error('patch: [] only removes a key of an object');
    return p[0] as T;
  }
  if (Array.isArray(a)) {
    const out = a.slice();
    for (const k in p) {
      const i = Number(k);
      if (!/^\d+$/.test(k) || i >= out.length) throw new Error(`patch: no index ${k}`);
      out[i] = apply(out[i], p[k]);
    }
    return out as T;
  }
  if (!isObject(a)) throw new Error('patch: parts of a value that is not an object or an array');
  const out: Record<string, unknown> = { ...a };
  for (const k in p) {
    const v = p[k];
    if (Array.isArray(v) && v.length === 0) delete out[k];
    else put(out, k, apply(own(out, k), v));
  }
  return out as T;
}
