import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIMENSION_IDS } from '../types';
import { DEFAULT_VIEW, MODES, RANGES, parseViewParams, serializeViewParams, type ViewParams } from './viewParams';

describe('parseViewParams', () => {
  it('gives the defaults for an empty query', () => {
    expect(parseViewParams(new URLSearchParams(''))).toEqual(DEFAULT_VIEW);
    expect(parseViewParams({})).toEqual(DEFAULT_VIEW);
    expect(parseViewParams(null)).toEqual(DEFAULT_VIEW);
    expect(parseViewParams(undefined)).toEqual({ dim: 'requests', range: '15m', mode: 'relative' });
  });

  it('reads valid values', () => {
    expect(parseViewParams(new URLSearchParams('dim=cpu&range=24h&mode=absolute'))).toEqual({
      dim: 'cpu',
      range: '24h',
      mode: 'absolute',
    });
    expect(parseViewParams({ dim: 'latencyP99', range: '5m', mode: 'relative' })).toEqual({
      dim: 'latencyP99',
      range: '5m',
      mode: 'relative',
    });
  });

  it('falls back per key on invalid values', () => {
    expect(parseViewParams(new URLSearchParams('dim=nope&range=1h&mode=absolute'))).toEqual({
      dim: 'requests',
      range: '1h',
      mode: 'absolute',
    });
    expect(parseViewParams(new URLSearchParams('dim=reads&range=2d&mode=absolute'))).toEqual({
      dim: 'reads',
      range: '15m',
      mode: 'absolute',
    });
    expect(parseViewParams(new URLSearchParams('dim=reads&range=1h&mode=LOG'))).toEqual({
      dim: 'reads',
      range: '1h',
      mode: 'relative',
    });
    // case-sensitive, no trimming, no prototype keys
    expect(parseViewParams(new URLSearchParams('dim=CPU&range= 1h&mode=constructor'))).toEqual(DEFAULT_VIEW);
    expect(parseViewParams({ dim: 'toString', range: '__proto__' })).toEqual(DEFAULT_VIEW);
  });

  it('takes the first of repeated values', () => {
    expect(parseViewParams(new URLSearchParams('dim=writes&dim=reads'))).toMatchObject({ dim: 'writes' });
    expect(parseViewParams({ dim: ['writes', 'reads'], range: ['1h'] })).toMatchObject({ dim: 'writes', range: '1h' });
  });
});

describe('serializeViewParams', () => {
  it('writes every key', () => {
    expect(serializeViewParams({ dim: 'requests', range: '15m', mode: 'relative' })).toBe(
      'dim=requests&range=15m&mode=relative',
    );
  });

  it('keeps keys it does not own and replaces the ones it does', () => {
    const s = serializeViewParams(
      { dim: 'cpu', range: '1h', mode: 'absolute' },
      new URLSearchParams('member=a&dim=reads&x=1'),
    );
    const p = new URLSearchParams(s);
    expect(p.get('member')).toBe('a');
    expect(p.get('x')).toBe('1');
    expect(p.getAll('dim')).toEqual(['cpu']);
    expect(parseViewParams(p)).toEqual({ dim: 'cpu', range: '1h', mode: 'absolute' });
  });

  it('round-trips every valid view', () => {
    const view = fc.record<ViewParams>({
      dim: fc.constantFrom(...DIMENSION_IDS),
      range: fc.constantFrom(...RANGES),
      mode: fc.constantFrom(...MODES),
    });
    fc.assert(
      fc.property(view, (v) => {
        expect(parseViewParams(new URLSearchParams(serializeViewParams(v)))).toEqual(v);
      }),
    );
  });

  it('parse always yields a valid view, and is stable under serialize', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('dim', 'range', 'mode', 'other'), fc.string()), (raw) => {
        const v = parseViewParams(raw);
        expect(DIMENSION_IDS).toContain(v.dim);
        expect(RANGES).toContain(v.range);
        expect(MODES).toContain(v.mode);
        expect(parseViewParams(new URLSearchParams(serializeViewParams(v)))).toEqual(v);
      }),
    );
  });
});
