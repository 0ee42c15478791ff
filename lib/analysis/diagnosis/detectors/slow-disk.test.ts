import { describe, expect, it } from 'vitest';
import { emptySignals } from '../../member';
import { input, member, three } from '../testkit';
import { slowDisk } from './slow-disk';

describe('slow-disk', () => {
  it('flags slow fsync/commit and cites log lines', () => {
    const m = three();
    m[0] = member(1, { signals: { ...emptySignals(), walFsyncP99: 0.05, backendCommitP99: 0.01 } });
    const r = slowDisk.run(input({ members: m, logSignals: { [m[0].endpoint]: { 'slow fdatasync': 7 } } }));
    expect(r.candidates[0].members).toEqual([m[0].endpoint]);
    expect(r.candidates[0].evidence.find((e) => e.label.includes('slow fdatasync'))?.value).toBe('7');
  });
});
