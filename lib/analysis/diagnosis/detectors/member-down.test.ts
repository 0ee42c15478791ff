import { describe, expect, it } from 'vitest';
import { fixText, input, member } from '../testkit';
import { memberDown } from './member-down';

describe('member-down', () => {
  it('raises critical on the down member with its error, and says when quorum is lost', () => {
    const m = [
      member(1),
      member(2, { status: 'down', error: '14 UNAVAILABLE: ECONNREFUSED' }),
      member(3, { status: 'down' }),
    ];
    const r = memberDown.run(input({ members: m }));
    expect(r.candidates.map((c) => c.members[0])).toEqual([m[1].endpoint, m[2].endpoint]);
    expect(r.candidates[0].severity).toBe('critical');
    expect(r.candidates[0].summary).toContain('lost quorum');
    expect(r.candidates[0].evidence.find((e) => e.label === 'error')?.value).toContain('ECONNREFUSED');
    expect(fixText(r.candidates[0])).toContain(`member remove ${BigInt(m[1].id!).toString(16)}`);
  });
  it('words the summary without stray spaces, and leaves the error text as the member gave it', () => {
    const one = [member(1), member(2, { status: 'down', error: '14 UNAVAILABLE: ECONNREFUSED' }), member(3)];
    expect(memberDown.run(input({ members: one })).candidates[0].summary).toBe(
      'etcd-2 has not answered: 14 UNAVAILABLE: ECONNREFUSED',
    );
    const two = [
      member(1, { status: 'down', error: 'read  tcp: i/o timeout' }),
      member(2, { status: 'down' }),
      member(3),
    ];
    expect(memberDown.run(input({ members: two })).candidates.map((c) => c.summary)).toEqual([
      'etcd-1 has not answered (and the cluster has lost quorum): read  tcp: i/o timeout',
      'etcd-2 has not answered (and the cluster has lost quorum): no answer',
    ]);
  });
});
