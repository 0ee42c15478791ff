// The fleet stream in the browser: ONE EventSource per page, whatever the page shows. It keeps
// the FleetState current from `fleet` (full) and `fleet-delta` events, reconnects forever with
// backoff and jitter (a closed stream, an HTTP error during a restart, a silent half-open
// connection), resyncs on a gap, and reloads the page when the server's build changes.
// Framework-free (the React hook wraps it), with its clock, timers and EventSource injected so
// that the reconnect logic is unit-tested.
import type { FleetDelta, FleetState } from '../../fleet/types';
import { apiPath } from '../apiPath';
import { backoffDelay, type EventSourceLike, type StreamDeps } from '../reconnect';
import { applyFleetDelta } from '../../fleet/delta';
import { fleetStaleAfterMs } from './store';

export const FLEET_STREAM_URL = apiPath.fleetStream();

export interface FleetStreamSnapshot {
  state: FleetState | null;
  /** An EventSource is open and has delivered the full state. */
  connected: boolean;
  /**
   * When the newest data was made, on the browser's clock: a delta's time is when it arrived (the
   * server sends it as it makes it); a full state's is its server time less the clock skew, so
   * a reconnect to a server whose ticks stopped does not pass old data off as new.
   */
  lastDataAt: number | null;
  /** Failed attempts since the last success. */
  attempt: number;
  /** Browser time of the next attempt while disconnected. */
  retryAt: number | null;
  error: string | null;
  /** Server clock minus browser clock, from the newest delta or heartbeat (for "N s ago" against server times). */
  skewMs: number;
  /** Deltas applied since the page opened (the soak test reads it). */
  deltas: number;
}

/** Before anything arrived: no state, not connected. */
export const INITIAL_FLEET_SNAPSHOT: FleetStreamSnapshot = {
  state: null,
  connected: false,
  lastDataAt: null,
  attempt: 0,
  retryAt: null,
  error: null,
  skewMs: 0,
  deltas: 0,
};

/** A stream's outside world (see StreamDeps), and what only the fleet stream needs. */
export interface FleetStreamDeps extends StreamDeps {
  /** Reload the page (a new build is being served). */
  reload(): void;
  /** A performance mark (FLEET_DELTA_MARK when a delta is applied: bench:fleet times the next frame from it). */
  mark?(name: string): void;
}

/** The performance mark set each time a fleet delta has been applied. */
export const FLEET_DELTA_MARK = 'fulcrum:fleet-delta';

/**
 * A silent connection (no data, no heartbeat: half-open TCP, a proxy that stopped forwarding) is
 * dropped and reopened after this many ticks, and never sooner than SILENT_RECONNECT_MIN_MS (the
 * server's heartbeat is every 15 s at most).
 */
export const SILENT_RECONNECT_TICKS = 6;
export const SILENT_RECONNECT_MIN_MS = 40_000;
export const WATCHDOG_MS = 1000;

export interface FleetStream {
  snapshot(): FleetStreamSnapshot;
  close(): void;
}

export function openFleetStream(
  url: string,
  deps: FleetStreamDeps,
  onChange: (s: FleetStreamSnapshot) => void,
  onState?: (s: FleetState) => void,
  knownBuild: string | null = null,
): FleetStream {
  let es: EventSourceLike | null = null;
  let retry: unknown = null;
  let closed = false;
  let build = knownBuild;
  /** Browser time of the last heartbeat: the connection is alive (it says nothing about the data). */
  let aliveAt = 0;
  let snap = INITIAL_FLEET_SNAPSHOT;
  const set = (patch: Partial<FleetStreamSnapshot>) => {
    snap = { ...snap, ...patch };
    onChange(snap);
  };

  /** True once a delta or heartbeat measured the skew (a full state may be old: it cannot). */
  let skewKnown = false;
  const adopt = (state: FleetState, isDelta: boolean) => {
    const now = deps.now();
    onState?.(state);
    let skewMs = snap.skewMs;
    let lastDataAt = now;
    if (isDelta) {
      skewMs = state.updatedAt - now;
      skewKnown = true;
    } else if (skewKnown) {
      lastDataAt = Math.min(now, state.updatedAt - skewMs);
    }
    set({
      state,
      connected: true,
      lastDataAt,
      attempt: 0,
      retryAt: null,
      error: null,
      skewMs,
      deltas: snap.deltas + (isDelta ? 1 : 0),
    });
  };

  const drop = (why: string) => {
    es?.close();
    es = null;
    if (closed) return;
    const wait = backoffDelay(snap.attempt, deps.random);
    if (retry !== null) deps.clearTimeout(retry);
    retry = deps.setTimeout(() => {
      retry = null;
      open();
    }, wait);
    set({ connected: false, attempt: snap.attempt + 1, retryAt: deps.now() + wait, error: why });
  };

  const open = () => {
    if (closed) return;
    const src = deps.createEventSource(url);
    es = src;
    src.addEventListener('fleet', (ev) => {
      if (es !== src) return;
      let state: FleetState;
      try {
        state = JSON.parse(ev.data) as FleetState;
      } catch {
        drop('the server sent an unreadable fleet state');
        return;
      }
      if (build === null) build = state.build;
      else if (state.build !== build) {
        // A new build is being served: its pages may need its scripts. Reload (the page's URL keeps the view).
        build = state.build;
        deps.reload();
      }
      adopt(state, false);
    });
    src.addEventListener('fleet-delta', (ev) => {
      if (es !== src || !snap.state) return;
      let d: FleetDelta;
      try {
        d = JSON.parse(ev.data) as FleetDelta;
      } catch {
        drop('the server sent an unreadable delta');
        return;
      }
      const r = applyFleetDelta(snap.state, d);
      if (r.kind === 'applied') {
        adopt(r.state, true);
        deps.mark?.(FLEET_DELTA_MARK);
      } else if (r.kind === 'resync') {
        // Missed deltas: a new connection starts with the whole fleet.
        src.close();
        es = null;
        open();
      }
    });
    src.addEventListener('heartbeat', (ev) => {
      if (es !== src) return;
      aliveAt = deps.now();
      try {
        const t = (JSON.parse(ev.data) as { t?: unknown }).t;
        if (typeof t === 'number' && Number.isFinite(t)) {
          snap = { ...snap, skewMs: t - aliveAt };
          skewKnown = true;
        }
      } catch {
        // a heartbeat without a clock still says the connection is alive
      }
    });
    src.onerror = () => {
      if (es !== src) return;
      drop(snap.connected ? 'the connection to Fulcrum was lost' : 'Fulcrum is unreachable');
    };
  };

  const watchdog = deps.setInterval(() => {
    if (!snap.connected || snap.lastDataAt === null || !snap.state) return;
    const silent = deps.now() - Math.max(snap.lastDataAt, aliveAt);
    if (
      silent > Math.max(SILENT_RECONNECT_MIN_MS, (SILENT_RECONNECT_TICKS / 3) * fleetStaleAfterMs(snap.state.tickMs))
    ) {
      drop(`no data for ${Math.round(silent / 1000)} s`);
    }
  }, WATCHDOG_MS);

  open();

  return {
    snapshot: () => snap,
    close() {
      closed = true;
      es?.close();
      es = null;
      if (retry !== null) deps.clearTimeout(retry);
      deps.clearInterval(watchdog);
    },
  };
}
