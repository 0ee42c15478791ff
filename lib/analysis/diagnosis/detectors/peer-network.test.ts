import { describe, expect, it } from 'vitest';
import { emptySignals } from '../../member';
import { input, three } from '../testkit';
import { peerNetwork } from './peer-network';

describe('peer-network', () => {
  it('flags high peer RTT or failed peer sends', () => {
    const m = three().map((x) => ({ ...x, signals: { ...emptySignals(), peerRttP99: 0.001, peerSendFailures: 0 } }));
    expect(peerNetwork.run(input({ members: m })).candidates).toEqual([]);
    m[2] = { ...m[2], signals: { ...m[2].signals, peerSendFailures: 12 } };
    expect(peerNetwork.run(input({ members: m })).candidates.map((c) => c.members[0])).toEqual([m[2].endpoint]);
  });
  it('does not blame the network for failed sends to a peer that is down', () => {
    const m = three().map((x) => ({ ...x, signals: { ...emptySignals(), peerRttP99: 0.001, peerSendFailures: 30 } }));
    m[1] = { ...m[1], status: 'down' };
    expect(peerNetwork.run(input({ members: m })).candidates).toEqual([]);
  });
});
