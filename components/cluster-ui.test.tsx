// Server-rendered markup of the member table's balancer and signal columns, the findings
// panel's check summary and the demo fault panel, from plain state objects.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { emptyDimRecord } from '@/lib/dimensions';
import type { BalancerServer, BalancerState, DetectorCheck, Finding, MemberState } from '@/lib/types';
import { makeBalancer, makeMember, makeServer, quietSignals } from '@/lib/testkit';
import { DemoFaultPanel } from './DemoFaultPanel';
import { FindingsPanel } from './FindingsPanel';
import { MemberTable } from './MemberTable';
import { SourcesLine } from './SourcesLine';

const SIGNALS = quietSignals();

function member(i: number, over: Partial<MemberState> = {}): MemberState {
  return makeMember({
    endpoint: `http://10.0.0.${i}:2379`,
    name: `etcd-${i}`,
    id: '13702560161874598269',
    isLeader: i === 1,
    dbSizeBytes: 2 * 1024 ** 2,
    dbSizeInUseBytes: 1024 ** 2,
    raftIndex: '100',
    raftTerm: '7',
    raftAppliedIndex: '99',
    weight: 10 * i,
    lastSeen: 0,
    dims: emptyDimRecord(() => ({ value: 10, share: 1 / 3, expectedShare: 1 / 3 })),
    signals: SIGNALS,
    ...over,
  });
}

function server(i: number, over: Partial<BalancerServer> = {}): BalancerServer {
  return makeServer({
    name: `etcd-${i}`,
    member: `http://10.0.0.${i}:2379`,
    address: `10.0.0.${i}:2379`,
    weight: 10 * i,
    initialWeight: 10 * i,
    sessionRate: 3,
    ...over,
  });
}

const balancer = (servers: BalancerServer[], check: BalancerState['check'] = null): BalancerState =>
  makeBalancer(servers, { checkedAt: 0, check });

describe('MemberTable: the balancer next to etcd', () => {
  it('shows HAProxy’s status, check, weight vs config and sessions per member', () => {
    const html = renderToStaticMarkup(
      <MemberTable
        members={[member(1), member(2)]}
        dim="requests"
        balancer={balancer([server(1), server(2, { weight: 80 })], {
          type: 'http',
          method: 'GET',
          path: '/health',
          interMs: { 'etcd-1': 5000 },
        })}
      />,
    );
    expect(html).toContain('HAProxy says');
    expect(html).toContain('HTTP check GET /health');
    expect(html).toContain('every 5 s');
    expect(html).toMatch(/data-testid="member-balancer" data-status="UP" data-check-layer="L7" data-weight="10"/);
    expect(html).toContain('w 80 (cfg 20)');
    expect(html).not.toContain('data-testid="member-balancer-disagree"');
    expect(html).toContain('✓ ok');
  });

  it('flags a member etcd reports down that HAProxy keeps UP behind a TCP check', () => {
    const html = renderToStaticMarkup(
      <MemberTable
        members={[
          member(1),
          member(2, { status: 'down', reachable: false, healthy: null, error: 'context deadline exceeded' }),
        ]}
        dim="requests"
        balancer={balancer([
          server(1, { checkLayer: 'L4', checkStatus: 'L4OK' }),
          server(2, { checkLayer: 'L4', checkStatus: 'L4OK' }),
        ])}
      />,
    );
    expect(html).toContain('data-disagree="still-serving"');
    expect(html).toContain('etcd says down, the balancer still sends it traffic: a TCP check only sees the port open');
    expect(html).toContain('data-tcp-only="true"');
  });

  it('open-source NGINX: passive checks, sessions ended per second, a frozen member it keeps serving', () => {
    const passive = { checkLayer: 'L4' as const, checkMode: 'passive' as const, checkStatus: 'passive', scur: 0 };
    const html = renderToStaticMarkup(
      <MemberTable
        members={[
          member(1),
          member(2, { status: 'down', reachable: false, healthy: null, error: 'deadline exceeded' }),
        ]}
        dim="requests"
        balancer={makeBalancer(
          [server(1, { ...passive, sessionRate: 4.5, meanTimeMs: 1400 }), server(2, { ...passive, sessionRate: 2 })],
          { type: 'nginx', protocol: 'tcp', check: { type: 'passive', method: null, path: null, interMs: {} } },
        )}
      />,
    );
    expect(html).toContain('NGINX says');
    expect(html).toContain('upstream');
    expect(html).toContain('passive checks only (max_fails / fail_timeout on real connections)');
    expect(html).toContain('4.5/s');
    expect(html).not.toContain('0 sess');
    expect(html).toContain(
      'etcd says down, the balancer still sends it traffic: passive checks only see failed connections',
    );
  });

  it('lists the signals past their thresholds; without a balancer it says so', () => {
    const html = renderToStaticMarkup(
      <MemberTable
        members={[member(1, { signals: { ...SIGNALS, walFsyncP99: 0.045, leaderChanges: 4 } })]}
        dim="requests"
        balancer={null}
      />,
    );
    expect(html).toContain('data-alerts="2"');
    expect(html).toContain('▲ fsync 45 ms');
    expect(html).toContain('▲ leader changes 4');
    expect(html).toContain('no balancer configured');
    expect(html).not.toContain('HAProxy says');
  });
});

describe('FindingsPanel: what was checked', () => {
  const checks: DetectorCheck[] = [
    { kind: 'request-skew', state: 'firing', note: 'etcd-3 carries 80 %' },
    { kind: 'slow-disk', state: 'ok', note: 'WAL fsync p99 below 10 ms' },
    { kind: 'balancer-errors', state: 'not-checked', note: 'no balancer configured' },
  ];
  const finding: Finding = {
    id: 'f',
    kind: 'request-skew',
    cluster: 'c',
    members: ['http://10.0.0.3:2379'],
    severity: 'critical',
    since: 0,
    title: 'etcd-3 carries 80 %',
    summary: '',
    evidence: [],
    fixes: [],
    confidence: 1,
  };
  it('summarises the checks under the findings, with each state and note', () => {
    const html = renderToStaticMarkup(<FindingsPanel findings={[finding]} members={[member(3)]} checks={checks} />);
    expect(html).toContain('What was checked');
    expect(html).toContain('(3 checks: 1 firing, 1 ok, 1 not checked)');
    expect(html).toContain('data-kind="balancer-errors" data-state="not-checked"');
    expect(html).toContain('no balancer configured');
  });
});

describe('DemoFaultPanel', () => {
  it('offers every fault and the members, with inject and the active count', () => {
    const html = renderToStaticMarkup(<DemoFaultPanel members={['etcd-1', 'etcd-2']} />);
    expect(html).toContain('Inject fault (demo)');
    for (const f of ['skew-weights', 'freeze', 'freeze-behind-tcp-check'])
      expect(html).toContain(`<option value="${f}"`);
    expect(html).toContain('<option value="etcd-2">etcd-2</option>');
    expect(html).toContain('data-testid="demo-inject"');
  });
});

describe('SourcesLine', () => {
  const ok = { ok: true, error: null, lastOk: 1, latencyMs: 3 };
  const sources = { etcd: ok, prometheus: null, balancer: null, logs: null, engine: ok };
  it('shows the logs source when configured, and Fulcrum itself only when a poll crashed inside it', () => {
    const quiet = renderToStaticMarkup(<SourcesLine sources={sources} />);
    expect(quiet).not.toContain('source-logs');
    expect(quiet).not.toContain('source-engine');
    const failing = renderToStaticMarkup(
      <SourcesLine
        sources={{
          ...sources,
          logs: {
            ok: false,
            error: 'member log: log file /var/log/etcd.log does not exist (yet?)',
            lastOk: null,
            latencyMs: 1,
          },
          engine: { ok: false, error: 'internal error: boom', lastOk: 1, latencyMs: null },
        }}
      />,
    );
    expect(failing).toMatch(/data-testid="source-logs" data-ok="false"[^>]*>.*logs: member log: log file/);
    expect(failing).toMatch(/data-testid="source-engine" data-ok="false"[^>]*>.*Fulcrum: internal error: boom/);
  });
});
