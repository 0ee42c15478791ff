import { describe, expect, it } from 'vitest';
import { balancer, fixText, input, server, three } from '../testkit';
import { healthCheckGap } from './health-check-gap';

describe('health-check-gap', () => {
  it('flags TCP-only checks, wrong paths and long intervals, with the NOSPACE trade-off', () => {
    const m = three().map((x) => ({ ...x, version: '3.4.23' }));
    const tcp = healthCheckGap.run(
      input({ members: m, balancer: balancer(m.map((x) => server(x, { checkLayer: 'L4', checkStatus: 'L4OK' }))) }),
    );
    expect(tcp.candidates[0].members).toHaveLength(3);
    expect(tcp.candidates[0].summary).toContain('TCP-only');
    expect(fixText(tcp.candidates[0])).toContain('option httpchk GET /health');
    expect(tcp.candidates[0].fixes[0].risk).toContain('NOSPACE');
    const cfg = {
      type: 'http' as const,
      method: 'GET',
      path: '/healthz',
      interMs: { 'etcd-1': 30_000, 'etcd-2': 2000, 'etcd-3': 2000 },
    };
    const wrong = healthCheckGap.run(
      input({
        members: m,
        balancer: balancer(
          m.map((x) => server(x)),
          { check: cfg },
        ),
      }),
    );
    expect(wrong.candidates[0].severity).toBe('critical');
    expect(wrong.candidates[0].summary).toContain('/healthz');
    expect(wrong.candidates[0].summary).toContain('etcd-1 30 s');
  });
  const http = (path: string, ms = 5000) => ({
    type: 'http' as const,
    method: 'GET',
    path,
    interMs: { 'etcd-1': ms, 'etcd-2': ms, 'etcd-3': ms },
  });
  const run = (version: string, check: ReturnType<typeof http> | null, over = {}) => {
    const m = three().map((x) => ({ ...x, version }));
    return healthCheckGap.run(
      input({
        members: m,
        balancer: balancer(
          m.map((x) => server(x, over)),
          { check },
        ),
      }),
    );
  };

  it('names etcd with its version, or without one when no member said it (no gap in the text)', () => {
    const summary = (version: string | null) => {
      const m = three().map((x) => ({ ...x, version }));
      return healthCheckGap.run(
        input({
          members: m,
          balancer: balancer(
            m.map((x) => server(x)),
            { check: http('/readyz') },
          ),
        }),
      ).candidates[0].summary;
    };
    expect(summary('3.4.23')).toContain('the check asks for /readyz: etcd 3.4.23 answers 404 on /readyz');
    expect(summary(null)).toContain('the check asks for /readyz: etcd answers 404 on /readyz');
    expect(summary(null)).not.toContain('  ');
  });
  it('an HTTP check failing on members etcd calls healthy says so in its title, with the status it got', () => {
    const m = three().map((x) => ({ ...x, version: '3.4.23' }));
    const out = healthCheckGap.run(
      input({
        members: m,
        balancer: balancer(
          m.map((x) =>
            server(x, {
              status: 'DOWN',
              checkLayer: 'L7',
              checkStatus: 'L7STS',
              checkCode: '404',
              checkDesc: 'Layer7 wrong status',
            }),
          ),
        ),
      }),
    );
    expect(out.candidates[0].severity).toBe('critical');
    expect(out.candidates[0].title).toBe("The balancer's HTTP check fails on members etcd calls healthy (HTTP 404)");
    expect(out.candidates[0].evidence.map((e) => e.value).join('\n')).toContain('HTTP 404');
  });

  it('accepts an HTTP check every 5 s on the path the version serves', () => {
    expect(run('3.4.10', http('/health')).candidates).toEqual([]);
    expect(run('3.4.23', http('/health?exclude=NOSPACE')).candidates).toEqual([]);
    expect(run('3.5.10', http('/health?exclude=NOSPACE')).candidates).toEqual([]);
    expect(run('3.5.11', http('/readyz')).candidates).toEqual([]);
    expect(run('3.6.0', http('/livez')).candidates).toEqual([]);
  });

  it('a path the running version does not serve is critical: the balancer marks every member down', () => {
    for (const v of ['3.4.23', '3.5.0', '3.5.10']) {
      const c = run(v, http('/readyz')).candidates[0];
      expect(c.severity, v).toBe('critical');
      expect(c.summary).toContain('answers 404 on /readyz (it exists from 3.5.11)');
      expect(c.members).toHaveLength(3);
      // the fix uses what that version serves
      expect(fixText(c)).toContain('option httpchk GET /health?exclude=NOSPACE');
    }
    expect(run('3.6.2', http('/healthz')).candidates[0].severity).toBe('critical');
  });

  it('an ignored parameter is a warning; /health where better exists is info (the NOSPACE outage)', () => {
    const ignored = run('3.4.15', http('/health?exclude=NOSPACE')).candidates[0];
    expect(ignored.severity).toBe('warning');
    expect(ignored.summary).toContain('ignores ?exclude=');
    const plain = run('3.5.11', http('/health')).candidates[0];
    expect(plain.severity).toBe('info');
    expect(plain.summary).toContain('serves /readyz');
  });

  it('interval: slower than 5 s is info, over 10 s a warning', () => {
    expect(run('3.4.23', http('/health?exclude=NOSPACE', 7000)).candidates[0]).toMatchObject({
      severity: 'info',
      summary: expect.stringContaining('slower than the usual 5 s'),
    });
    expect(run('3.4.23', http('/health?exclude=NOSPACE', 11_000)).candidates[0].severity).toBe('warning');
  });

  it('open-source NGINX: passive checks only is a warning that says what it costs; max_fails=0 is critical', () => {
    const passive = {
      checkLayer: 'L4' as const,
      checkMode: 'passive' as const,
      checkStatus: 'passive',
      passive: { maxFails: 2, failTimeoutMs: 5000 },
    };
    const m = three().map((x) => ({ ...x, version: '3.4.23' }));
    const nginx = (over: object) =>
      healthCheckGap.run(
        input({
          members: m,
          balancer: balancer(
            m.map((x) => server(x, { ...passive, ...over })),
            { type: 'nginx', protocol: 'tcp', check: { type: 'passive', method: null, path: null, interMs: {} } },
          ),
          balancerRef: {
            type: 'nginx',
            backend: 'etcd',
            runtimeApi: null,
            plusApi: null,
            configFile: '/etc/nginx/nginx.conf',
          },
        }),
      ).candidates[0];
    const c = nginx({});
    expect(c.severity).toBe('warning');
    expect(c.summary).toContain('max_fails=2 failed connections within fail_timeout=5s, and only for 5s');
    expect(c.summary).toContain('hung but still accepts connections');
    expect(c.fixes.map((f) => f.title)).toEqual([
      'Fail fast and move on (all open-source NGINX can do)',
      'Or check /health?exclude=NOSPACE from outside and mark bad members down',
    ]);
    expect(fixText(c)).toContain('nginx -t && nginx -s reload');
    expect(
      nginx({ checkLayer: 'none', checkMode: 'none', passive: { maxFails: 0, failTimeoutMs: 5000 } }).severity,
    ).toBe('critical');
  });
});

describe('health-check-gap fixes follow the oldest member’s version', () => {
  it.each([
    ['3.4.10', 'option httpchk GET /health\n', 'only /health'],
    ['3.4.23', 'option httpchk GET /health?exclude=NOSPACE', 'keeps passing while NOSPACE'],
    ['3.5.0', 'option httpchk GET /health?exclude=NOSPACE', 'keeps passing while NOSPACE'],
    ['3.5.10', 'option httpchk GET /health?exclude=NOSPACE', 'keeps passing while NOSPACE'],
    ['3.5.11', 'option httpchk GET /readyz', 'keeps passing while NOSPACE'],
    ['3.6.4', 'option httpchk GET /readyz', 'keeps passing while NOSPACE'],
  ])('%s: %s', (version, line, risk) => {
    const m = three().map((x) => ({ ...x, version }));
    const c = healthCheckGap.run(
      input({ members: m, balancer: balancer(m.map((x) => server(x, { checkLayer: 'L4', checkStatus: 'L4OK' }))) }),
    ).candidates[0];
    expect(`${c.fixes[0].body}\n`).toContain(line);
    expect(c.fixes[0].risk).toContain(risk);
  });

  it('a mixed cluster gets the check its oldest member serves', () => {
    const m = three().map((x, i) => ({ ...x, version: ['3.5.11', '3.5.9', '3.6.0'][i] }));
    const c = healthCheckGap.run(
      input({ members: m, balancer: balancer(m.map((x) => server(x, { checkLayer: 'L4', checkStatus: 'L4OK' }))) }),
    ).candidates[0];
    expect(c.fixes[0].body).toContain('option httpchk GET /health?exclude=NOSPACE');
    expect(c.evidence.find((e) => e.label === 'etcd version (oldest member)')?.value).toBe('3.5.9');
  });
});
