import { z } from 'zod';
import { PREDICTION_ASSUMPTIONS } from '@/lib/analysis/weights/predict';
import { parseWeightList, WHAT_IF_KEY } from '@/lib/analysis/weights/weightList';
import { panelModel, startingWeights } from '@/lib/analysis/weights/whatIf';
import { parseQuery } from '@/lib/api/parse';
import { clusterOr404, handle, json } from '@/lib/api/respond';
import type { WeightsResponse } from '@/lib/api/types';
import { ValidationError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

const Query = z.object({ [WHAT_IF_KEY]: z.string().max(200).optional() }).strict();

/**
 * The weights panel's data: configured, runtime and proposed weights, the last change and the
 * agent; with `?wi=30,20,10` (one weight 0..256 per member, in member order) the shares and
 * scores those weights would give, with the assumptions and the exports to apply them.
 */
export const GET = handle<{ name: string }>('read', ({ req, rt, params }) => {
  const q = parseQuery(req.url, Query);
  const state = clusterOr404(rt, params.name).state();
  const w = state.weights;
  let whatIf: WeightsResponse['whatIf'] = null;
  if (w) {
    const n = state.members.length;
    const given = q.wi === undefined ? null : parseWeightList(q.wi, n);
    if (q.wi !== undefined && !given)
      throw new ValidationError(
        `invalid parameter wi: ${n} whole numbers from 0 to 256, comma-separated, in member order`,
      );
    const weights =
      given ??
      startingWeights(
        w.members,
        'runtime',
        w.members.some((m) => m.runtime !== null),
      );
    const model = panelModel(state, weights)!;
    whatIf = {
      weights,
      prediction: model.predicted,
      now: model.now,
      assumptions: PREDICTION_ASSUMPTIONS,
      exports: model.exports,
    };
  }
  return json<WeightsResponse>({ cluster: state.name, weights: w, whatIf });
});
