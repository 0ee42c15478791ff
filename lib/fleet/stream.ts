// The fleet's SSE feed: `event: fleet` (the whole FleetState) on connect and after a slow client
// catches up, then `event: fleet-delta` (a FleetDelta) per fleet tick.
import { encodeOnce, type SseFeed, sseEventJson } from '../stream/sse';
import type { Fleet, FleetMessage } from './fleet';

export function fleetFeed(fleet: Pick<Fleet, 'hub' | 'stateJson' | 'seq'>): SseFeed<FleetMessage> {
  return {
    hub: fleet.hub,
    full: () => sseEventJson('fleet', fleet.stateJson(), fleet.seq),
    event: (msg) =>
      msg.type === 'close' ? 'close' : encodeOnce(msg, () => sseEventJson('fleet-delta', msg.json, msg.seq)),
    busy: 'too many open fleet streams, try again later',
  };
}
