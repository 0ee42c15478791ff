import { describe, expect, it } from 'vitest';
import { parseWhatIf, serializeWhatIf } from './whatIfParam';

describe('what-if weights in the URL', () => {
  it('round-trips, keeps other keys, and refuses anything but one weight 0..256 per member', () => {
    const qs = serializeWhatIf([30, 0, 256], 'dim=requests&range=1h');
    expect(qs).toBe('dim=requests&range=1h&wi=30%2C0%2C256');
    expect(parseWhatIf(new URLSearchParams(qs), 3)).toEqual([30, 0, 256]);
    expect(parseWhatIf({ wi: ['10,20,30', '1,2,3'] }, 3)).toEqual([10, 20, 30]);
    expect(serializeWhatIf(null, qs)).toBe('dim=requests&range=1h');
    for (const bad of ['30,20', '30,20,10,5', '30,-1,10', '30,257,10', '1e2,1,1', '30,,10', 'a,b,c', ' 3,2,1'])
      expect(parseWhatIf({ wi: bad }, 3)).toBeNull();
    expect(parseWhatIf({}, 3)).toBeNull();
  });
});
