// The access check's view of the running server: the config's auth and server sections and the
// store that holds sessions, wall links and rate counters.
import type { Runtime } from '../engine/runtime';
import { storeOf } from '../snapshots/http';
import type { AccessContext } from './access';

export function accessContext(rt: Pick<Runtime, 'config'>): AccessContext {
  return { auth: rt.config.auth, server: rt.config.server, store: () => storeOf(rt) };
}
