import { describe, expect, it } from 'vitest';
import { DIMENSION_IDS } from '../types';
import { Telemetry } from './metrics';

type Polled = Parameters<Telemetry['pollDone']>[1];

/** A cluster's last poll, as much as the metrics read of it. */
function polled(shares: Array<number | null>, findings: Array<[string, string]> = []): Polled {
  const dims = (share: number | null) =>
    Object.fromEntries(DIMENSION_IDS.map((id) => [id, { share, expectedShare: share === null ? null : 1 / 3 }]));
  return {
    scores: Object.fromEntries(DIMENSION_IDS.map((id) => [id, { score: 0.25, scoreEqual: 0.5 }])),
    members: shares.map((share, i) => ({
      name: `etcd-${i + 1}`,
      status: share === null ? 'down' : 'up',
      isLeader: i === 0,
      dims: dims(share),
    })),
    findings: findings.map(([kind, severity]) => ({ kind, severity })),
  } as unknown as Polled;
}

const metrics = async (t: Telemetry) => t.registry.metrics();

describe('Telemetry: per-cluster gauges come from each cluster last poll, read at scrape time', () => {
  it('says what the last poll said: shares, up, leader, scores and findings by kind and severity', async () => {
    const t = new Telemetry({ defaultMetrics: false });
    t.pollDone(
      'a',
      polled(
        [0.5, 0.3, 0.2],
        [
          ['request-skew', 'warning'],
          ['request-skew', 'warning'],
          ['member-down', 'critical'],
        ],
      ),
      12,
    );
    const text = await metrics(t);
    expect(text).toContain('fulcrum_member_share{cluster="a",member="etcd-2",dimension="requests"} 0.3');
    expect(text).toContain('fulcrum_member_up{cluster="a",member="etcd-3"} 1');
    expect(text).toContain('fulcrum_member_is_leader{cluster="a",member="etcd-1"} 1');
    expect(text).toContain('fulcrum_imbalance_score{cluster="a",dimension="requests"} 0.25');
    expect(text).toContain('fulcrum_findings{cluster="a",kind="request-skew",severity="warning"} 2');
    expect(text).toContain('fulcrum_findings{cluster="a",kind="member-down",severity="critical"} 1');
  });

  it('drops what the next poll no longer has (a share gone null, a cleared finding), and a gone cluster entirely', async () => {
    const t = new Telemetry({ defaultMetrics: false });
    t.pollDone('a', polled([0.5, 0.3, 0.2], [['request-skew', 'warning']]), 12);
    t.pollDone('b', polled([0.4, 0.6]), 12);
    t.overload('b', { overloaded: false, stalled: false, intervalMs: 1000 });
    expect(await metrics(t)).toContain('fulcrum_member_share{cluster="a",member="etcd-3"');
    t.pollDone('a', polled([0.6, 0.4, null]), 12);
    let text = await metrics(t);
    expect(text).not.toContain('fulcrum_member_share{cluster="a",member="etcd-3"');
    expect(text).toContain('fulcrum_member_up{cluster="a",member="etcd-3"} 0');
    expect(text).not.toContain('kind="request-skew"');
    expect(text).toContain('fulcrum_poll_interval_seconds{cluster="b"} 1');
    t.clusterGone('b');
    text = await metrics(t);
    expect(text).not.toMatch(/cluster="b"/);
    expect(text).toContain('fulcrum_member_share{cluster="a",member="etcd-1",dimension="requests"} 0.6');
  });
});
