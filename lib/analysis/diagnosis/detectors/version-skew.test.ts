import { describe, expect, it } from 'vitest';
import { input, member, three } from '../testkit';
import { versionSkew } from './version-skew';

describe('version-skew', () => {
  it('warns on mixed versions and notes 3.4 as info', () => {
    const mixed = [
      member(1, { version: '3.5.17' }),
      member(2, { version: '3.4.23' }),
      member(3, { version: '3.5.17' }),
    ];
    const r = versionSkew.run(input({ members: mixed })).candidates[0];
    expect(r.severity).toBe('warning');
    expect(r.members).toEqual([mixed[1].endpoint]);
    const old = three().map((x) => ({ ...x, version: '3.4.23' }));
    expect(versionSkew.run(input({ members: old })).candidates[0].severity).toBe('info');
  });
});
