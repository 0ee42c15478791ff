// What routes, pages, snapshots and the fleet need from one cluster, whoever feeds it: a
// ClusterEngine polling the members (source `direct`), or a cluster read from Prometheus by the
// fleet's tick (source `prometheus`).
import type { ClusterConfig } from '../config/load';
import type { ClusterSource } from '../fleet/types';
import type { ClusterState, ClusterSummary, Finding, Frame } from '../types';
import type { StreamMessage } from './cluster';
import type { Hub } from './hub';

export interface HistoryAnswer {
  frames: Frame[];
  source: 'memory' | 'prometheus';
  error: string | null;
  /** The range the frames cover (the asked one, aligned to the poll interval or the step). */
  from: number;
  to: number;
}

export interface LiveCluster {
  readonly name: string;
  readonly source: ClusterSource;
  /** The cluster's config (a discovered cluster gets one built from its Prometheus series). */
  readonly cluster: ClusterConfig;
  readonly hub: Hub<StreamMessage>;
  /** Active findings (after hysteresis). */
  findings: Finding[];
  state(): ClusterState;
  /** The state a stream starts with: recent frames only; the same object until the state changes. */
  streamState(): ClusterState;
  summary(): ClusterSummary;
  /** Frames between two times (ms): memory when it covers the range, else Prometheus. */
  history(from: number, to: number, maxPoints?: number): Promise<HistoryAnswer>;
  start(): void;
  stop(): Promise<void>;
}
