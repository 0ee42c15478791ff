// The weights panel rendered from plain state (server markup: no browser needed).
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { weightedCluster } from '@/lib/analysis/weights/testkit';
import { emptyDimRecord } from '@/lib/dimensions';
import type { DimensionScore, WeightsState } from '@/lib/types';
import WeightsPanel from './WeightsPanel';

const score: DimensionScore = {
  score: 0.02,
  scoreEqual: 0.26,
  basis: 'weights',
  total: 100,
  hottest: null,
  reason: null,
};

/** The weighted three-member cluster of the weights tests, its weights state overridden by `over`. */
function state(over: Partial<WeightsState> = {}) {
  const c = weightedCluster();
  return {
    members: c.members,
    weights: { ...c.weights, ...over },
    balancer: c.balancer,
    scores: emptyDimRecord(() => score),
    updatedAt: 100_000,
  };
}

describe('WeightsPanel', () => {
  it('shows configured, runtime and proposed weights with the predicted share of each', () => {
    const html = renderToStaticMarkup(<WeightsPanel state={state()} now={100_000} />);
    expect(html).toContain('HAProxy backend etcd');
    expect(html.match(/data-testid="weights-row"/g)).toHaveLength(3);
    expect(html).toMatch(/data-testid="predicted-share" data-value="0\.5"[^>]*>50 %/);
    expect(html).toContain('aria-label="What-if weight for etcd-2"');
    expect(html).toContain('What the prediction assumes');
    expect(html).toContain('Existing connections are pinned');
    expect(html).toContain('set server etcd/etcd-1 weight 30');
  });

  it('says predicted vs measured once a change settled, and that it is settling before', () => {
    const change = {
      t: 50_000,
      by: 'other' as const,
      before: [30, 20, 10],
      after: [10, 20, 30],
      predicted: [1 / 6, 1 / 3, 1 / 2],
      settleAt: 80_000,
      measured: null,
      measuredAt: null,
      error: null,
    };
    const settling = renderToStaticMarkup(<WeightsPanel state={state({ change })} now={70_000} />);
    expect(settling).toContain('measured in 10 s');
    const done = renderToStaticMarkup(
      <WeightsPanel
        state={state({ change: { ...change, measured: [0.18, 0.33, 0.49], measuredAt: 80_500, error: 0.0133 } })}
        now={90_000}
      />,
    );
    expect(done).toContain('etcd-1: predicted 17 %, measured 18 %');
    expect(done).toContain('etcd-3: predicted 50 %, measured 49 %');
    expect(done).toContain('by an operator');
  });

  it('shows the agent, what it hands out and its audit log', () => {
    const agent: WeightsState['agent'] = {
      listen: '127.0.0.1:5555',
      limits: { min: 25, max: 100, maxStepPercent: 20, settleSeconds: 30, drainDown: false },
      members: [
        { endpoint: 'http://10.0.0.2:2379', percent: 80, drain: false, askedAt: 99_000, why: 'etcd-2: probe slow' },
      ],
      audit: [
        {
          t: 98_000,
          cluster: 'c',
          member: 'etcd-2',
          endpoint: 'http://10.0.0.2:2379',
          server: 'etcd-2',
          peer: '127.0.0.1:41234',
          by: 'fulcrum-agent@127.0.0.1:5555',
          before: 100,
          after: 80,
          reply: '80%',
          why: 'etcd-2: probe slow',
        },
      ],
      changes: 1,
    };
    const html = renderToStaticMarkup(<WeightsPanel state={state({ agent })} now={100_000} />);
    expect(html).toContain('HAProxy agent-check on 127.0.0.1:5555');
    expect(html).toContain('never drains');
    expect(html).toContain('80 %');
    expect(html).toMatch(/etcd-2: 100 % → 80%/);
    expect(html).toContain('asked by 127.0.0.1:41234');
  });
});
