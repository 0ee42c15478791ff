// skew-weights: target member 80, the others 10 (30/20/10 → 10/10/80). HAProxy: runtime API
// weights. NGINX: the upstream rewritten with the new weights, `nginx -t`, reload (SIGHUP).
import type { Nginx } from '../lib/nginx';
import type { Stack } from '../stack';
import { type Fault, type FaultRun, makeRun } from './fault';

const SKEW_HOT = 80;
const SKEW_COLD = 10;

export const skewWeights: Fault = {
  name: 'skew-weights',
  inject: (stack, member) => skew(stack, member ?? stack.cluster.members.length - 1),
};

async function skew(stack: Stack, target: number): Promise<FaultRun> {
  if (stack.nginx) return skewNginx(stack, stack.nginx, target);
  const { haproxy } = stack;
  const before = await Promise.all(haproxy.servers.map((s) => currentWeight(stack, s)));
  const skewed = haproxy.servers.map((_, i) => (i === target ? SKEW_HOT : SKEW_COLD));
  const restore = async () => {
    for (const [i, s] of haproxy.servers.entries()) await haproxy.setWeight(s, before[i]);
  };
  try {
    for (const [i, s] of haproxy.servers.entries()) await haproxy.setWeight(s, skewed[i]);
  } catch (err) {
    await restore().catch(() => {});
    throw err;
  }
  return makeRun(
    'skew-weights',
    stack.cluster.members[target].name,
    { weights: skewed.join('/'), before: before.join('/') },
    restore,
  );
}

async function skewNginx(stack: Stack, nginx: Nginx, target: number): Promise<FaultRun> {
  const before = nginx.weights;
  const skewed = before.map((_, i) => (i === target ? SKEW_HOT : SKEW_COLD));
  await nginx.setWeights(skewed);
  return makeRun(
    'skew-weights',
    stack.cluster.members[target].name,
    { weights: skewed.join('/'), before: before.join('/') },
    () => nginx.setWeights(before),
  );
}

/** The server's current weight from `get weight` ("80 (initial 10)"). */
export async function currentWeight(stack: Stack, server: string): Promise<number> {
  const answer = (await stack.haproxy.runtime(`get weight ${stack.haproxy.backend}/${server}`)).trim();
  const m = /^(\d+) \(initial (\d+)\)$/.exec(answer);
  if (!m) throw new Error(`haproxy: unexpected answer to get weight ${server}: ${answer}`);
  return Number(m[1]);
}
