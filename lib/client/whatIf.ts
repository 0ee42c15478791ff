// The what-if weights panel's model: the edited weights in the URL (?wi=30,20,10, so a link or a
// snapshot carries them), and everything the panel shows computed from a cluster state and those
// weights. Pure: the panel (components/weights/WeightsPanel.tsx) only draws this.
import { weightFixes } from '../analysis/diagnosis/fixes';
import { type Prediction, predict } from '../analysis/weights/predict';
import { effectiveWeights, whatIfMembers } from '../analysis/weights/view';
import type { ClusterState, Fix, WeightMember } from '../types';
import { MAX_WEIGHT } from './whatIfParam';

export { MAX_WEIGHT, parseWeightInput, parseWhatIf, serializeWhatIf, WHAT_IF_KEY } from './whatIfParam';

export type WhatIfSource = 'runtime' | 'configured' | 'proposed';

/** The weights a "start from" button puts in the panel. */
export function startingWeights(members: readonly WeightMember[], from: WhatIfSource, haveBalancer: boolean): number[] {
  if (from === 'configured') return members.map((m) => Math.min(MAX_WEIGHT, Math.round(m.configured)));
  if (from === 'proposed') return members.map((m) => Math.min(MAX_WEIGHT, m.proposed));
  return effectiveWeights(members, haveBalancer).map((w) => Math.min(MAX_WEIGHT, Math.round(w)));
}

export interface PanelModel {
  /** The edited weights' prediction, and the prediction of the weights the balancer applies now. */
  predicted: Prediction;
  now: Prediction;
  /** Request shares measured now (score window), per member. */
  measured: Array<number | null>;
  /** Exports of the edited weights: HAProxy runtime commands, haproxy.cfg lines, an NGINX upstream. */
  exports: Fix[];
  /** The edited weights differ from what the balancer applies now. */
  edited: boolean;
}

type PanelState = Pick<ClusterState, 'members' | 'weights' | 'balancer'>;

export function panelModel(state: PanelState, weights: readonly number[]): PanelModel | null {
  const w = state.weights;
  if (!w) return null;
  const haveBalancer = w.members.some((m) => m.runtime !== null);
  const members = whatIfMembers(state.members, w.members);
  const current = effectiveWeights(w.members, haveBalancer);
  const exports = weightFixes(
    {
      balancer: state.balancer,
      balancerRef: w.group ? { type: w.group.type, backend: w.group.name, runtimeApi: w.group.runtimeApi } : null,
    },
    state.members,
    weights,
    'the weights edited in Fulcrum’s what-if panel',
    'existing connections keep their member until clients reconnect; check the predicted shares and scores first',
    true,
  );
  return {
    predicted: predict(weights, members),
    now: predict(current, members),
    measured: state.members.map((m) => m.dims.requests.share),
    exports,
    edited: weights.some((x, i) => x !== current[i]),
  };
}
