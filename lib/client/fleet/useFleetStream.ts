'use client';
// React side of the fleet stream: one EventSource per page (see ./stream.ts).
import { useEffect, useRef, useState } from 'react';
import type { FleetState } from '../../fleet/types';
import { browserStreamDeps } from '../reconnect';
import {
  FLEET_STREAM_URL,
  INITIAL_FLEET_SNAPSHOT,
  openFleetStream,
  type FleetStreamDeps,
  type FleetStreamSnapshot,
} from './stream';

/** A reload for a new build at most this often (two replicas on different builds must not loop). */
const RELOAD_GUARD_MS = 60_000;
const RELOAD_KEY = 'fulcrum-build-reload-at';

function browserDeps(): FleetStreamDeps {
  return {
    ...browserStreamDeps(),
    mark: (name) => {
      // Marks pile up in the performance timeline: keep only the newest (a wall runs for weeks).
      performance.clearMarks(name);
      performance.mark(name);
    },
    reload: () => {
      try {
        const last = Number(sessionStorage.getItem(RELOAD_KEY) ?? 0);
        if (Date.now() - last < RELOAD_GUARD_MS) return;
        sessionStorage.setItem(RELOAD_KEY, String(Date.now()));
      } catch {
        // no storage: reload anyway
      }
      window.location.reload();
    },
  };
}

/**
 * The fleet, live. `onState` sees every state the stream produces (full or after a delta), in
 * order, before React renders: the wall records its history there.
 */
export function useFleetStream(
  opts: { onState?: (s: FleetState) => void; url?: string; build?: string | null } = {},
): FleetStreamSnapshot {
  const [snap, setSnap] = useState<FleetStreamSnapshot>(INITIAL_FLEET_SNAPSHOT);
  const onStateRef = useRef(opts.onState);
  onStateRef.current = opts.onState;
  const url = opts.url ?? FLEET_STREAM_URL;
  const build = opts.build ?? null;
  useEffect(() => {
    const stream = openFleetStream(url, browserDeps(), setSnap, (s) => onStateRef.current?.(s), build);
    return () => stream.close();
  }, [url, build]);
  return snap;
}
