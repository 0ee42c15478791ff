'use client';
import { useEffect, useRef, useState } from 'react';
import type { ClusterState } from '../types';
import { apiPath } from './apiPath';
import { type ClusterStreamView, openClusterStream } from './clusterStream';
import { browserStreamDeps } from './reconnect';

export type { Connection } from './clusterStream';
export type StreamView = ClusterStreamView;

/** One EventSource per page for a cluster (lib/client/clusterStream.ts does the work). */
export function useClusterStream(name: string, initial: ClusterState | null = null): StreamView {
  const [view, setView] = useState<StreamView>({
    state: initial,
    connection: 'connecting',
    lastMessageAt: null,
    error: null,
  });
  // The state a reopened stream starts from (a new cluster name keeps what the page shows until its state arrives).
  const stateRef = useRef(view.state);
  stateRef.current = view.state;

  useEffect(() => {
    const s = openClusterStream(apiPath.clusterStream(name), stateRef.current, browserStreamDeps(), setView);
    return () => s.close();
  }, [name]);

  return view;
}
