import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkPathVerdict,
  compareEtcdVersions,
  authNeeds,
  electionFlagsFor,
  ETCD_DEFAULT_ELECTION_MS,
  ETCD_DEFAULT_HEARTBEAT_MS,
  healthEndpoints,
  oldestVersion,
  parseEtcdVersion,
  recommendedCheck,
} from './etcd-versions';

// Debian ships only etcd 3.4.23: the 3.5/3.6 rows are checked here as pure logic, against the
// versions cited from etcd's CHANGELOG-3.4/3.5/3.6 in etcd-versions.ts.
describe('healthEndpoints: the table', () => {
  const row = (v: string) => {
    const e = healthEndpoints(v);
    return [e.healthExclude, e.healthSerializable, e.livezReadyz, e.healthReason];
  };
  it.each([
    // version      exclude serializable livez/readyz reason
    ['3.4.0', false, false, false, false],
    ['3.4.15', false, false, false, false],
    ['3.4.16', true, false, false, false],
    ['3.4.23', true, false, false, false],
    ['3.5.0', true, false, false, true],
    ['3.5.2', true, false, false, true],
    ['3.5.3', true, true, false, true],
    ['3.5.10', true, true, false, true],
    ['3.5.11', true, true, true, true],
    ['3.5.21', true, true, true, true],
    ['3.6.0', true, true, true, true],
    ['3.6.4', true, true, true, true],
    ['3.3.27', false, false, false, false],
  ])('%s', (v, exclude, serializable, livez, reason) => {
    expect(row(v)).toEqual([exclude, serializable, livez, reason]);
  });

  it('unknown or unparseable versions get only /health', () => {
    for (const v of [null, undefined, '', 'latest', '3.5'])
      expect(row(v as string)).toEqual([false, false, false, false]);
  });

  it('pre-releases count as their release', () => {
    expect(healthEndpoints('3.5.11-rc.0').livezReadyz).toBe(true);
    expect(healthEndpoints('v3.6.0-alpha.0').livezReadyz).toBe(true);
  });

  it('every capability, once present, stays in every later version (property)', () => {
    const version = fc.tuple(
      fc.integer({ min: 3, max: 4 }),
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: 0, max: 40 }),
    );
    fc.assert(
      fc.property(version, version, (a, b) => {
        const [x, y] = [a.join('.'), b.join('.')].sort(compareEtcdVersions);
        const ex = healthEndpoints(x);
        const ey = healthEndpoints(y);
        for (const k of ['healthExclude', 'healthSerializable', 'livezReadyz', 'healthReason'] as const) {
          if (ex[k]) expect(ey[k], `${k}: ${x} has it, ${y} not`).toBe(true);
        }
      }),
    );
  });
});

describe('checkPathVerdict', () => {
  it.each([
    ['/readyz', '3.4.23', false],
    ['/readyz', '3.5.0', false],
    ['/readyz', '3.5.10', false],
    ['/readyz', '3.5.11', true],
    ['/livez', '3.6.1', true],
    ['/livez', '3.5.10', false],
    ['/healthz', '3.6.1', false],
    ['/health', '3.4.2', true],
    ['/health?exclude=NOSPACE', '3.5.0', true],
  ])('%s on %s served=%s', (p, v, served) => {
    const r = checkPathVerdict(p, v);
    expect(r.served).toBe(served);
    if (!served) expect(r.note).toMatch(/404|not an etcd/);
  });

  it('names ignored query parameters', () => {
    expect(checkPathVerdict('/health?exclude=NOSPACE', '3.4.15').ignored).toEqual(['exclude']);
    expect(checkPathVerdict('/health?exclude=NOSPACE', '3.4.16').ignored).toEqual([]);
    expect(checkPathVerdict('/health?serializable=true', '3.5.2').ignored).toEqual(['serializable']);
    expect(checkPathVerdict('/health?serializable=true', '3.5.3').ignored).toEqual([]);
    expect(checkPathVerdict('/health?serializable=true&exclude=NOSPACE', '3.4.23').ignored).toEqual(['serializable']);
  });

  it('404 on /readyz before 3.5.11 says the check fails on every member', () => {
    expect(checkPathVerdict('/readyz', '3.5.10').note).toContain('3.5.11');
    expect(checkPathVerdict('/readyz', '3.5.10').note).toContain('every member');
  });
});

describe('recommendedCheck', () => {
  it.each([
    ['3.4.10', '/health', false],
    ['3.4.23', '/health?exclude=NOSPACE', true],
    ['3.5.0', '/health?exclude=NOSPACE', true],
    ['3.5.10', '/health?exclude=NOSPACE', true],
    ['3.5.11', '/readyz', true],
    ['3.6.2', '/readyz', true],
    [null, '/health', false],
  ])('%s → %s', (v, path, safe) => {
    const r = recommendedCheck(v);
    expect(r.path).toBe(path);
    expect(r.noSpaceSafe).toBe(safe);
    // whatever it recommends, that version serves it with every parameter honoured
    const verdict = checkPathVerdict(r.path, v);
    expect(verdict.served).toBe(true);
    expect(verdict.ignored).toEqual([]);
  });

  it('the oldest member decides for a mixed cluster', () => {
    expect(oldestVersion(['3.5.11', '3.5.9', null, '3.6.0'])).toBe('3.5.9');
    expect(recommendedCheck(oldestVersion(['3.5.11', '3.5.9'])).path).toBe('/health?exclude=NOSPACE');
    expect(oldestVersion([null, 'x'])).toBeNull();
  });
});

describe('parseEtcdVersion / compareEtcdVersions', () => {
  it('parses and orders numerically', () => {
    expect(parseEtcdVersion('3.5.10')).toEqual({ major: 3, minor: 5, patch: 10 });
    expect(compareEtcdVersions('3.5.10', '3.5.9')).toBeGreaterThan(0);
    expect(compareEtcdVersions('3.4.23', '3.5.0')).toBeLessThan(0);
    expect(['3.5.10', '3.4.23', '3.6.0', '3.5.2'].sort(compareEtcdVersions)).toEqual([
      '3.4.23',
      '3.5.2',
      '3.5.10',
      '3.6.0',
    ]);
  });
});

describe('electionFlagsFor', () => {
  it('a small RTT gives etcd’s defaults and says so', () => {
    for (const rtt of [0.0002, 0.003, 0.05, 0.1]) {
      const f = electionFlagsFor(rtt);
      expect([f.heartbeatMs, f.electionMs]).toEqual([ETCD_DEFAULT_HEARTBEAT_MS, ETCD_DEFAULT_ELECTION_MS]);
      expect(f.areDefaults).toBe(true);
    }
  });

  it('no measurement keeps the defaults', () => {
    expect(electionFlagsFor(null)).toMatchObject({ areDefaults: true, fromRttMs: null });
    expect(electionFlagsFor(Number.NaN).areDefaults).toBe(true);
  });

  it('a slow link: heartbeat near the RTT p99, election 10× it', () => {
    const f = electionFlagsFor(0.45);
    expect(f).toMatchObject({ heartbeatMs: 450, electionMs: 4500, areDefaults: false, fromRttMs: 450 });
    expect(electionFlagsFor(0.101)).toMatchObject({ heartbeatMs: 110, electionMs: 1100, areDefaults: false });
  });

  it('properties: heartbeat ≥ 100 ms and ≥ RTT, election = 10× heartbeat within etcd’s 50 s cap', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.0001, max: 20, noNaN: true }), (rtt) => {
        const f = electionFlagsFor(rtt);
        expect(f.heartbeatMs).toBeGreaterThanOrEqual(100);
        expect(f.heartbeatMs).toBeGreaterThanOrEqual(Math.min(5000, rtt * 1000));
        expect(f.electionMs).toBeLessThanOrEqual(50_000);
        expect(f.electionMs).toBe(Math.min(50_000, f.heartbeatMs * 10));
        expect(f.areDefaults).toBe(f.heartbeatMs === 100 && f.electionMs === 1000);
      }),
    );
  });
});

describe('authNeeds: which role Fulcrum’s calls need with etcd auth on', () => {
  it.each([
    // 3.4.23: measured by test/integration/tls-auth.integration.test.ts
    ['3.4.23', 'anyone', 'anyone', 'anyone'],
    ['3.4.42', 'root', 'root', 'root'],
    ['3.4.43', 'root', 'user', 'user'],
    ['3.5.0', 'anyone', 'anyone', 'anyone'],
    ['3.5.10', 'anyone', 'anyone', 'anyone'],
    ['3.5.11', 'anyone', 'anyone', 'anyone'],
    ['3.5.27', 'anyone', 'anyone', 'anyone'],
    ['3.5.28', 'root', 'root', 'root'],
    ['3.5.29', 'root', 'user', 'user'],
    ['3.6.0', 'root', 'anyone', 'anyone'],
    ['3.6.9', 'root', 'root', 'root'],
    ['3.6.10', 'root', 'user', 'user'],
  ])('%s: Status %s, AlarmList %s, MemberList %s', (v, status, alarms, members) => {
    expect(authNeeds(v)).toEqual({ status, alarmList: alarms, memberList: members, http: 'anyone' });
  });

  it('unknown versions: no claim', () => {
    expect(authNeeds(null)).toBeNull();
    expect(authNeeds('2.3.8')).toBeNull();
  });
});
