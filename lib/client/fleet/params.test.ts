import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIMENSION_IDS } from '../../types';
import { PALETTES } from '../color';
import {
  DEFAULT_FLEET,
  DEFAULT_WALL,
  SOURCE_FILTERS,
  STATUS_FILTERS,
  THEMES,
  formatDuration,
  parseDuration,
  parseFleetParams,
  parseWallParams,
  serializeFleetParams,
  serializeWallParams,
  statusMatches,
  type FleetParams,
  type WallParams,
} from './params';
import { parseSelectors, searchMatcher, selectorMatcher, globMatch, type Selector } from './selectors';
import { fleetCluster, withFinding } from './testkit';

describe('selectors', () => {
  it('parses names, globs and label terms, dropping what is not valid', () => {
    const { selectors, invalid } = parseSelectors('prod-*, env=prod,team!=db,,bad name,=x,a=b=c, k8s-a');
    expect(selectors).toEqual([
      { kind: 'name', pattern: 'prod-*' },
      { kind: 'label', key: 'env', value: 'prod', negate: false },
      { kind: 'label', key: 'team', value: 'db', negate: true },
      { kind: 'name', pattern: 'k8s-a' },
    ]);
    expect(invalid).toEqual(['bad name', '=x', 'a=b=c']);
  });

  it('bounds the number of terms', () => {
    const many = Array.from({ length: 100 }, (_, i) => `c${i}`).join(',');
    expect(parseSelectors(many).selectors).toHaveLength(32);
  });

  it('matches names (any) and labels (all)', () => {
    const m = selectorMatcher(parseSelectors('prod-*,stage-a,env=prod,team!=db').selectors);
    expect(m({ name: 'prod-1', labels: { env: 'prod' } })).toBe(true);
    expect(m({ name: 'stage-a', labels: { env: 'prod', team: 'web' } })).toBe(true);
    expect(m({ name: 'prod-1', labels: { env: 'prod', team: 'db' } })).toBe(false);
    expect(m({ name: 'prod-1', labels: { env: 'dev' } })).toBe(false);
    expect(m({ name: 'other', labels: { env: 'prod' } })).toBe(false);
    expect(selectorMatcher([])({ name: 'x', labels: {} })).toBe(true);
    // labels only: every cluster with them
    expect(selectorMatcher(parseSelectors('env=prod').selectors)({ name: 'zzz', labels: { env: 'prod' } })).toBe(true);
    // prototype keys are not labels
    expect(selectorMatcher(parseSelectors('constructor!=x').selectors)({ name: 'a', labels: {} })).toBe(true);
  });

  it('globs like a shell, anchored', () => {
    expect(globMatch('a*', 'abc')).toBe(true);
    expect(globMatch('*c', 'abc')).toBe(true);
    expect(globMatch('a*c*e', 'abcde')).toBe(true);
    expect(globMatch('a*c*e', 'abcd')).toBe(false);
    expect(globMatch('ab*ba', 'aba')).toBe(false);
    expect(globMatch('abc', 'abcd')).toBe(false);
    expect(globMatch('*', '')).toBe(true);
  });

  it('searches name, labels, source and the worst finding', () => {
    const c = withFinding(
      fleetCluster('k8s-eu-1', { labels: { region: 'eu-west' }, source: 'prometheus' }),
      'critical',
      1,
      'Member m2 is down',
    );
    expect(searchMatcher('eu')(c)).toBe(true);
    expect(searchMatcher('region=eu-west down')(c)).toBe(true);
    expect(searchMatcher('PROMETHEUS')(c)).toBe(true);
    expect(searchMatcher('asia')(c)).toBe(false);
    expect(searchMatcher('  ')(c)).toBe(true);
  });
});

const selectorArb: fc.Arbitrary<Selector> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.*-]{1,20}$/).map((pattern) => ({ kind: 'name' as const, pattern })),
  fc
    .record({
      key: fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/),
      value: fc.stringMatching(/^[a-z0-9 .-]{0,10}$/).map((v) => v.trim()),
      negate: fc.boolean(),
    })
    .map((r) => ({ kind: 'label' as const, ...r })),
);
const uniqueSelectors = fc.uniqueArray(selectorArb, {
  maxLength: 6,
  selector: (s) => (s.kind === 'name' ? s.pattern : `${s.key}${s.negate ? '!=' : '='}${s.value}`),
});

describe('fleet params', () => {
  it('defaults for an empty query; the default view serializes to nothing', () => {
    expect(parseFleetParams(new URLSearchParams(''))).toEqual(DEFAULT_FLEET);
    expect(serializeFleetParams(DEFAULT_FLEET)).toBe('');
  });

  it('falls back per key and strips control characters', () => {
    expect(
      parseFleetParams(new URLSearchParams('status=broken&source=prometheus&dim=nope&palette=cb&q=a%00b')),
    ).toEqual({
      ...DEFAULT_FLEET,
      source: 'prometheus',
      palette: 'cb',
      q: 'a b',
    });
    expect(parseFleetParams({ q: 'x'.repeat(500) }).q).toHaveLength(100);
  });

  it('round-trips any valid view and keeps foreign keys', () => {
    const arb: fc.Arbitrary<FleetParams> = fc.record({
      q: fc.stringMatching(/^[a-z0-9=-]( ?[a-z0-9=-]){0,20}$/),
      sel: uniqueSelectors,
      status: fc.constantFrom(...STATUS_FILTERS),
      source: fc.constantFrom(...SOURCE_FILTERS),
      dim: fc.constantFrom(...DIMENSION_IDS),
      palette: fc.constantFrom(...PALETTES),
    });
    fc.assert(
      fc.property(arb, (p) => {
        const qs = serializeFleetParams(p, 'keep=1');
        const back = new URLSearchParams(qs);
        expect(back.get('keep')).toBe('1');
        expect(parseFleetParams(back)).toEqual(p);
      }),
    );
  });

  it('status filters', () => {
    const ok = fleetCluster('a');
    const warn = withFinding(fleetCluster('b'), 'warning');
    expect(statusMatches('problems', ok)).toBe(false);
    expect(statusMatches('problems', warn)).toBe(true);
    expect(statusMatches('problems', fleetCluster('c', { status: 'down' }))).toBe(true);
    expect(statusMatches('ok', ok)).toBe(true);
    expect(statusMatches('down', ok)).toBe(false);
    expect(statusMatches('all', warn)).toBe(true);
  });
});

describe('wall params', () => {
  it('defaults: all clusters, 20 s, dark, requests, default palette', () => {
    expect(parseWallParams(null)).toEqual(DEFAULT_WALL);
    expect(serializeWallParams(DEFAULT_WALL)).toBe('rotate=20s&theme=dark&dim=requests&palette=default');
  });

  it('reads what a kiosk URL says', () => {
    expect(
      parseWallParams(new URLSearchParams('clusters=env%3Dprod,k8s-*&rotate=0&theme=light&dim=cpu&palette=cb')),
    ).toEqual({
      clusters: [
        { kind: 'label', key: 'env', value: 'prod', negate: false },
        { kind: 'name', pattern: 'k8s-*' },
      ],
      rotateMs: 0,
      theme: 'light',
      dim: 'cpu',
      palette: 'cb',
    });
  });

  it('parses durations and refuses silly ones', () => {
    expect(parseDuration('20s')).toBe(20_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('2500ms')).toBe(2500);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration('1h')).toBe(3_600_000);
    for (const bad of ['', 's', '1s', '-5s', '2d', '20 s', '1e3', '500ms', '2h', 'NaN'])
      expect(parseDuration(bad)).toBeNull();
    expect(parseWallParams({ rotate: '1s' }).rotateMs).toBe(20_000);
  });

  it('round-trips any valid wall config', () => {
    const arb: fc.Arbitrary<WallParams> = fc.record({
      clusters: uniqueSelectors,
      rotateMs: fc.oneof(fc.constant(0), fc.integer({ min: 2000, max: 3_600_000 })),
      theme: fc.constantFrom(...THEMES),
      dim: fc.constantFrom(...DIMENSION_IDS),
      palette: fc.constantFrom(...PALETTES),
    });
    fc.assert(
      fc.property(arb, (p) => {
        expect(parseDuration(formatDuration(p.rotateMs))).toBe(p.rotateMs);
        expect(parseWallParams(new URLSearchParams(serializeWallParams(p)))).toEqual(p);
      }),
    );
  });
});
