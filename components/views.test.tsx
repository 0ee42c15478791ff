// Server-rendered markup of the views from plain state objects (no browser needed).
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { makeMember } from '@/lib/testkit';
import { emptyDimRecord } from '@/lib/dimensions';
import type { Finding, MemberState } from '@/lib/types';

import { FindingCard } from './FindingCard';
import { FindingsPanel } from './FindingsPanel';
import { MemberTable } from './MemberTable';

function member(name: string, over: Partial<MemberState> = {}): MemberState {
  return makeMember({
    endpoint: `http://10.0.0.${name.length}:2379`,
    name,
    id: '13702560161874598269',
    dbSizeBytes: 2 * 1024 ** 2,
    dbSizeInUseBytes: 1024 ** 2,
    raftIndex: '18446744073709551615',
    raftTerm: '7',
    raftAppliedIndex: '18446744073709551614',
    lastSeen: 0,
    dims: emptyDimRecord(() => ({ value: 10, share: 0.5, expectedShare: 0.25 })),
    ...over,
  });
}

const finding: Finding = {
  id: 'f1',
  kind: 'capacity-mismatch',
  cluster: 'c',
  members: ['http://10.0.0.3:2379'],
  severity: 'critical',
  since: Date.UTC(2026, 0, 1),
  title: 'etcd-3 carries 4× its expected share',
  summary: 'Weights 30/20/10 promise 17 %, it gets 70 %.',
  evidence: [{ label: 'request share', value: '70.5 %', threshold: '≤ 25 %', member: 'http://10.0.0.3:2379' }],
  fixes: [
    {
      title: 'HAProxy weights',
      format: 'haproxy',
      body: 'set server etcd/etcd-3 weight 30',
      why: 'match capacity',
      risk: 'low',
    },
    {
      title: 'Health check',
      format: 'haproxy',
      body: 'option httpchk GET /health',
      why: 'eject bad members',
      risk: 'NOSPACE',
    },
  ],
  confidence: 0.8,
};

describe('FindingCard', () => {
  it('shows title, severity, member names, evidence and one copy button per fix', () => {
    const html = renderToStaticMarkup(
      <FindingCard finding={finding} members={[member('etcd-3', { endpoint: 'http://10.0.0.3:2379' })]} />,
    );
    expect(html).toContain('etcd-3 carries 4× its expected share');
    expect(html).toContain('data-severity="critical"');
    expect(html).toContain('<b>etcd-3</b>');
    expect(html).toContain('70.5 %');
    expect(html.match(/data-testid="copy-fix"/g)).toHaveLength(2);
    expect(html).toContain('set server etcd/etcd-3 weight 30');
  });
});

describe('FindingsPanel', () => {
  it('says "No findings" and what was checked', () => {
    const html = renderToStaticMarkup(<FindingsPanel findings={[]} members={[]} checked={['alarms: none raised']} />);
    expect(html).toContain('No findings');
    expect(html).toContain('alarms: none raised');
  });
  it('orders findings critical first', () => {
    const html = renderToStaticMarkup(
      <FindingsPanel
        findings={[
          { ...finding, id: 'a', severity: 'info', title: 'INFO' },
          { ...finding, id: 'b', title: 'CRIT' },
        ]}
        members={[]}
        checked={[]}
      />,
    );
    expect(html.indexOf('CRIT')).toBeLessThan(html.indexOf('INFO'));
  });
});

describe('MemberTable', () => {
  it('one row per member, IDs in hex from the uint64 string, raft indexes verbatim', () => {
    const html = renderToStaticMarkup(
      <MemberTable
        members={[
          member('etcd-1', { isLeader: true }),
          member('etcd-2', {
            status: 'down',
            error: 'connection refused',
            dims: emptyDimRecord(() => ({ value: null, share: null, expectedShare: null })),
          }),
        ]}
        dim="requests"
      />,
    );
    expect(html).toContain('data-testid="member-row-etcd-1"');
    expect(html).toContain('data-testid="member-row-etcd-2"');
    expect(html).toContain('be2945de31f4597d');
    expect(html).toContain('18446744073709551615');
    expect(html).toContain('connection refused');
    expect(html).toContain('+25.0 pp');
    expect(html).toMatch(/data-testid="member-status" data-status="down"/);
  });
});

describe('FindingsPanel with detector checks', () => {
  it('lists what each detector concluded', () => {
    const html = renderToStaticMarkup(
      <FindingsPanel
        findings={[]}
        members={[]}
        checks={[
          { kind: 'weights', state: 'ok', note: 'shares within 10 pp' },
          { kind: 'disk', state: 'not-checked', note: 'no fsync metrics' },
        ]}
        checked={['fallback text']}
      />,
    );
    expect(html).toContain('shares within 10 pp');
    expect(html).toContain('data-state="not-checked"');
    expect(html).not.toContain('fallback text');
  });
});

describe('FindingsPanel resolved findings', () => {
  it('lists findings that cleared, with when, under the open ones and under "No findings"', () => {
    const gone = { ...finding, id: 'old', title: 'OLD ONE', until: Date.UTC(2026, 10, 25, 12, 0, 5) };
    const open = renderToStaticMarkup(
      <FindingsPanel findings={[{ ...finding, id: 'now', title: 'NOW' }]} members={[]} resolved={[gone]} />,
    );
    expect(open).toContain('Resolved recently (1)');
    expect(open.indexOf('NOW')).toBeLessThan(open.indexOf('OLD ONE'));
    expect(open).toContain('resolved at 12:00:05 UTC');
    const none = renderToStaticMarkup(<FindingsPanel findings={[]} members={[]} resolved={[gone]} />);
    expect(none).toContain('No findings');
    expect(none).toContain('OLD ONE');
    expect(renderToStaticMarkup(<FindingsPanel findings={[]} members={[]} />)).not.toContain('Resolved recently');
  });
});
