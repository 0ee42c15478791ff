// The what-if weights model: everything the weights panel and the weights API show of a set of
// edited weights, computed from a cluster state and those weights (predicted shares and scores,
// the exports to apply them). Pure: the panel (components/weights/WeightsPanel.tsx) only draws
// this, the route (app/api/clusters/[name]/weights) only answers it.
import type { ClusterState, Fix, WeightMember } from '../../types';
import { weightFixes } from '../diagnosis/fixes';
import { type Prediction, predict } from './predict';
import { effectiveWeights, whatIfMembers } from './view';
import { MAX_WEIGHT } from './weightList';

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
