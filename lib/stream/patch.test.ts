import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, diff, type Json, jsonEqual } from './patch';

const roundTrip = (x: unknown) => JSON.parse(JSON.stringify(x));
const json: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>;

/** Pairs that share structure, like two polls of one cluster: b is a with a few edits. */
const near = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    json,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom('a', 'b', 'c', 'value', 'share', '0', '-', '', '__proto__', 'constructor'),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value as fc.Arbitrary<Json>;

function edit(x: Json, seed: number[]): Json {
  if (seed.length === 0) return x;
  const [s, ...rest] = seed;
  if (Array.isArray(x) && x.length) {
    const i = s % x.length;
    const out = x.slice();
    out[i] = edit(out[i], rest);
    return s % 7 === 0 ? out.slice(1) : out;
  }
  if (x && typeof x === 'object' && !Array.isArray(x)) {
    const keys = Object.keys(x);
    const out: Record<string, Json> = { ...x };
    if (s % 5 === 0)
      Object.defineProperty(out, s % 2 ? '__proto__' : `k${s}`, {
        value: s,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else if (keys.length && s % 5 === 1) delete out[keys[s % keys.length]];
    else if (keys.length) out[keys[s % keys.length]] = edit(out[keys[s % keys.length]], rest);
    return out;
  }
  return s % 3 === 0 ? null : s % 3 === 1 ? s : `v${s}`;
}

describe('patch', () => {
  it('apply(a, diff(a, b)) is b, for unrelated values', () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(roundTrip(apply(a, diff(a, b)))).toEqual(roundTrip(b));
      }),
      { numRuns: 500 },
    );
  });

  it('apply(a, diff(a, b)) is b, for values that share most of their structure; a is not changed', () => {
    fc.assert(
      fc.property(near, fc.array(fc.array(fc.nat(), { maxLength: 5 }), { maxLength: 6 }), (a, edits) => {
        let b = a;
        for (const e of edits) b = edit(b, e);
        const before = JSON.stringify(a);
        const p = diff(a, b);
        const got = apply(a, p === undefined ? undefined : roundTrip(p));
        expect(jsonEqual(got, b)).toBe(true);
        expect(JSON.stringify(a)).toBe(before);
      }),
      { numRuns: 500 },
    );
  });

  it('says only what changed', () => {
    const a = {
      members: [
        { x: 1, y: 'a', z: [1, 2, 3] },
        { x: 2, y: 'b', z: [] },
      ],
      n: null,
      gone: 1,
    };
    const b = {
      members: [
        { x: 1, y: 'a', z: [1, 2, 4] },
        { x: 2, y: 'c', z: [] },
      ],
      n: null,
    };
    expect(diff(a, b)).toEqual({ members: { 0: { z: { 2: 4 } }, 1: { y: 'c' } }, gone: [] });
    expect(diff(a, structuredClone(a))).toBeUndefined();
    expect(diff({ u: undefined }, {})).toBeUndefined();
    // Arrays of another length and values of another type are replaced whole.
    const big = { keep: 'a long value that stays the same', l: [1], o: { a: 1 } as unknown };
    expect(diff(big, { ...big, l: [1, 2] })).toEqual({ l: [[1, 2]] });
    expect(diff(big, { ...big, o: [1] })).toEqual({ o: [[1]] });
    // A patch longer than the value is not sent: the value is.
    expect(diff({ a: 1 }, { b: 2 })).toEqual([{ b: 2 }]);
  });

  it('keeps a key called __proto__ a plain key', () => {
    const a = JSON.parse('{"x":{"__proto__":{"polluted":1}}}');
    const b = JSON.parse('{"x":{"__proto__":{"polluted":2}}}');
    const got = apply(a, JSON.parse(JSON.stringify(diff(a, b))));
    expect(JSON.stringify(got)).toBe(JSON.stringify(b));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(got.x)).toBe(Object.prototype);
  });

  it('refuses a patch that does not fit', () => {
    expect(() => apply([1, 2], { 5: 1 })).toThrow(/no index/);
    expect(() => apply(3, { a: 1 })).toThrow(/not an object/);
  });
});
