// leader-churn: `etcdctl move-leader` to the next member that answers, every ~2 s.
import type { Stack } from '../stack';
import { currentLeaderIndex, etcdctl, memberIds, statuses } from './etcd';
import { type Fault, type FaultRun, makeRun } from './fault';

const CHURN_INTERVAL_MS = 2_000;

export const leaderChurn: Fault = {
  name: 'leader-churn',
  refusesMember: 'leadership rotates over every member',
  inject: (stack) => churn(stack),
};

async function churn(stack: Stack): Promise<FaultRun> {
  const ids = await memberIds(stack);
  const n = ids.length;
  const details: FaultRun['details'] = { intervalMs: CHURN_INTERVAL_MS, moves: 0, failures: 0 };
  let stopped = false;
  let wake: () => void = () => {};

  const moveOnce = async (): Promise<void> => {
    const leader = await currentLeaderIndex(stack, ids);
    if (leader < 0) throw new Error('no leader right now');
    // The next member after the leader that answers: leadership rotates etcd-1 → 2 → 3 → 1.
    const st = await statuses(stack);
    let target = -1;
    for (let j = 1; j < n && target < 0; j++) if (st[(leader + j) % n]) target = (leader + j) % n;
    if (target < 0) throw new Error('no follower answers');
    await etcdctl(['--endpoints', stack.cluster.members[leader].clientUrl, 'move-leader', ids[target].hex]);
    details.moves = Number(details.moves) + 1;
    details.leader = ids[target].name;
  };

  // The first move must work: that is when the fault took effect.
  await moveOnce();
  const loop = (async () => {
    while (!stopped) {
      const t0 = Date.now();
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, Math.max(0, CHURN_INTERVAL_MS - (Date.now() - t0)));
      });
      if (stopped) break;
      try {
        await moveOnce();
      } catch (err) {
        details.failures = Number(details.failures) + 1;
        details.lastError = (err as Error).message.slice(0, 200);
      }
    }
  })();
  return makeRun('leader-churn', null, details, async () => {
    stopped = true;
    wake();
    await loop;
  });
}
