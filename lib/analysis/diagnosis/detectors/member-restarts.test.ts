import { describe, expect, it } from 'vitest';
import { emptySignals } from '../../member';
import { fixText, input, member, three } from '../testkit';
import { memberRestarts } from './member-restarts';

const T = 1_800_000_000_000;
const at = (i: number, restarts: number, upSeconds: number, over: Parameters<typeof member>[1] = {}) =>
  member(i, { ...over, signals: { ...emptySignals(), restarts, startedAt: T / 1000 - upSeconds } });

describe('member-restarts', () => {
  it('says a single restart as info, with when and the peers’ uptimes', () => {
    const m = [at(1, 0, 86_400), at(2, 1, 12), at(3, 0, 86_400)];
    const r = memberRestarts.run({ ...input({ members: m }), t: T });
    expect(r.candidates.map((c) => [c.members[0], c.severity])).toEqual([[m[1].endpoint, 'info']]);
    expect(r.candidates[0].title).toBe('etcd-2 restarted 12 s ago');
    expect(r.candidates[0].evidence.find((e) => e.label === 'up for')?.threshold).toContain('etcd-1');
  });

  it('calls two or more restarts in a minute a crash loop: warning, critical on the leader', () => {
    const m = [at(1, 3, 5, { isLeader: true }), at(2, 2, 20), at(3, 0, 86_400)];
    const r = memberRestarts.run({ ...input({ members: m }), t: T });
    expect(r.candidates.map((c) => [c.members[0], c.severity])).toEqual([
      [m[0].endpoint, 'critical'],
      [m[1].endpoint, 'warning'],
    ]);
    expect(r.candidates[0].title).toBe('etcd-1 is crash-looping: 3 restarts in the last minute');
    expect(fixText(r.candidates[0])).toContain('oom');
  });

  it('picks the liveness path the member’s etcd serves', () => {
    const path = (version: string) =>
      fixText(memberRestarts.run({ ...input({ members: [at(1, 2, 5, { version })] }), t: T }).candidates[0]);
    expect(path('3.4.23')).toContain('path: /health,');
    expect(path('3.5.5')).toContain('path: /health?serializable=true,');
    expect(path('3.5.12')).toContain('path: /livez,');
  });

  it('is quiet without restarts and not checked before start times are read', () => {
    expect(memberRestarts.run({ ...input({ members: [at(1, 0, 50), at(2, 0, 50)] }), t: T }).candidates).toEqual([]);
    expect(memberRestarts.run(input({ members: three() })).check.state).toBe('not-checked');
  });
});
