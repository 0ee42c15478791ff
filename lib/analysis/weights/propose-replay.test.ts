// The proposal on polls recorded from the real local stack (dev/record-client-samples.ts),
// replayed through the engine's `advance`: etcd-2 CPU-throttled by a cgroup quota (a stall), on an
// idle machine and at a load average of 25. The weights the panel and the agent read come from the
// replayed state; the agent's answers for etcd-2 come from decide(), asked once per poll.
// Before the probe counted and CPU needed latency to agree, the healthy follower was lowered by
// CPU per request during the stall in both recordings (its CPU per request twice the throttled
// one's, which runs less).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { advanceRecording, decodeSamples } from '../../engine/recording';
import { agentAnswers, IT_LIMITS as LIMITS } from './testkit';

const FIXTURES = path.join(__dirname, '../../../test/fixtures/samples');

function replayed(file: string) {
  const rec = decodeSamples(gunzipSync(readFileSync(path.join(FIXTURES, file))).toString('utf8'));
  const states = advanceRecording(rec);
  return states.map((x, k) => ({ phase: x.phase, t: rec.ticks[k].t, weights: x.s.weights!.members }));
}

describe.each([
  ['idle machine', 'client-side.json.gz'],
  ['load average 25', 'client-side-busy.json.gz'],
])('weights on the recorded CPU-throttled etcd-2 (%s)', (_, file) => {
  const polls = replayed(file);
  const idx = (phase: string) => polls.flatMap((p, k) => (p.phase === phase ? [k] : []));
  const byName = (k: number, name: string) => polls[k].weights.find((w) => w.name === name)!;

  it('lowers etcd-2 within 20 polls of the throttle and keeps it lowered while throttled', () => {
    const stalled = idx('stalled');
    const first = stalled.find((k) => byName(k, 'etcd-2').factor < 1)!;
    expect(first - stalled[0]).toBeLessThan(20);
    for (const k of stalled.filter((k) => k >= first)) {
      expect(byName(k, 'etcd-2').factor, `poll ${k}`).toBeLessThan(1);
      expect(byName(k, 'etcd-2').measured).toBe(true);
    }
  });

  it('never lowers the healthy members before, during or after the stall (CPU per request alone moves nothing)', () => {
    for (const phase of ['healthy', 'outage', 'after-outage', 'stalled', 'after-stall'])
      for (const k of idx(phase))
        for (const name of ['etcd-1', 'etcd-3']) expect(byName(k, name).factor, `${phase} poll ${k} ${name}`).toBe(1);
  });

  it('the agent lowers etcd-2 to its minimum while throttled, never stepping it back up, and restores it after', () => {
    const answers = agentAnswers(
      polls.map((p) => {
        const w = p.weights.find((x) => x.name === 'etcd-2')!;
        // As the agent reads it from the cluster's weights (lib/weights/agent.ts).
        return { t: p.t, factor: { factor: w.factor, bound: null, why: w.why, measured: w.measured } };
      }),
    );
    const stalled = idx('stalled');
    const lowered = stalled.find((k) => answers[k] < 100)!;
    expect(lowered - stalled[0]).toBeLessThan(30);
    for (const k of stalled.filter((k) => k > lowered))
      expect(answers[k], `poll ${k}`).toBeLessThanOrEqual(answers[k - 1]);
    expect(answers[stalled.at(-1)!]).toBe(LIMITS.min);
    expect(answers.at(-1)).toBe(100);
  });
});
