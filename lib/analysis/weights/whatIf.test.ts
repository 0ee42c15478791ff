import { describe, expect, it } from 'vitest';
import { weightedCluster } from './testkit';
import { parseWeightInput, parseWeightList } from './weightList';
import { panelModel, startingWeights } from './whatIf';

const cluster = () => weightedCluster([0.5, 0.33, 0.17]);

describe('a list of weights as text', () => {
  it('takes one weight 0..256 per member and refuses anything else', () => {
    expect(parseWeightList('30,0,256', 3)).toEqual([30, 0, 256]);
    for (const bad of ['30,20', '30,20,10,5', '30,-1,10', '30,257,10', '1e2,1,1', '30,,10', 'a,b,c', ' 3,2,1', ''])
      expect(parseWeightList(bad, 3)).toBeNull();
    expect(parseWeightList(undefined, 3)).toBeNull();
  });

  it('takes typed weights only as whole numbers 0..256', () => {
    expect(['0', '7', ' 256 '].map(parseWeightInput)).toEqual([0, 7, 256]);
    expect(['', '-1', '2.5', '257', 'x', '1e3'].map(parseWeightInput)).toEqual([null, null, null, null, null, null]);
  });
});

describe('the panel model', () => {
  it('predicts shares and scores of the edited weights next to the ones the balancer applies now', () => {
    const c = cluster();
    expect(startingWeights(c.weights.members, 'runtime', true)).toEqual([30, 20, 10]);
    expect(startingWeights(c.weights.members, 'configured', true)).toEqual([30, 20, 10]);
    const m = panelModel(c, [10, 10, 10])!;
    expect(m.edited).toBe(true);
    expect(m.predicted.shares.map((s) => s!.toFixed(3))).toEqual(['0.333', '0.333', '0.333']);
    expect(m.predicted.scoreEqual).toBeCloseTo(0, 9);
    expect(m.predicted.score).toBeCloseTo((1 / 3 - 1 / 6) / (1 - 1 / 6), 9);
    expect(m.now.score).toBeCloseTo(0, 9);
    expect(m.measured).toEqual([0.5, 0.33, 0.17]);
    expect(panelModel(c, [30, 20, 10])!.edited).toBe(false);
  });

  it('exports the edited weights for HAProxy (runtime API and haproxy.cfg) and NGINX', () => {
    const m = panelModel(cluster(), [10, 0, 40])!;
    // NGINX: the upstream, then nginx -t and the reload that applies it
    expect(m.exports.map((f) => f.format)).toEqual(['shell', 'haproxy', 'nginx', 'shell']);
    const runtime = m.exports[0].body;
    expect(runtime).toContain(
      "echo 'set server etcd/etcd-1 weight 10' | socat stdio unix-connect:/run/haproxy/admin.sock",
    );
    expect(runtime).toContain('set server etcd/etcd-2 weight 0');
    expect(m.exports[1].body).toContain('server etcd-3 10.0.0.3:2379 weight 40 check');
    expect(m.exports[2].body).toContain('server 10.0.0.3:2379 weight=40');
    expect(m.exports[3].body).toContain('nginx -t');
  });
});
