import type { DimensionId, DimensionSpec } from './types';
import { DIMENSION_IDS } from './types';

// The load dimensions Fulcrum measures per member. Request counts come from the KV, Watch and
// Lease gRPC services only: Fulcrum's own Status/Alarm/MemberList polls go to the Maintenance
// and Cluster services, so they never count as client load.
export const DIMENSIONS: Record<DimensionId, DimensionSpec> = {
  requests: {
    id: 'requests',
    label: 'Requests',
    unit: 'req/s',
    kind: 'rate',
    weighted: true,
    leaderHeavy: false,
    scored: true,
    help: 'gRPC calls started per second on the KV, Watch and Lease services',
  },
  reads: {
    id: 'reads',
    label: 'Reads',
    unit: 'req/s',
    kind: 'rate',
    weighted: true,
    leaderHeavy: false,
    scored: true,
    help: 'KV Range calls per second',
  },
  writes: {
    id: 'writes',
    label: 'Writes',
    unit: 'req/s',
    kind: 'rate',
    weighted: true,
    leaderHeavy: false,
    scored: true,
    help: 'KV Put, DeleteRange, Txn and Compact calls per second',
  },
  bytesIn: {
    id: 'bytesIn',
    label: 'Client bytes in',
    unit: 'B/s',
    kind: 'rate',
    weighted: true,
    leaderHeavy: false,
    scored: true,
    help: 'bytes received from gRPC clients per second',
  },
  bytesOut: {
    id: 'bytesOut',
    label: 'Client bytes out',
    unit: 'B/s',
    kind: 'rate',
    weighted: true,
    leaderHeavy: false,
    scored: true,
    help: 'bytes sent to gRPC clients per second',
  },
  watchStreams: {
    id: 'watchStreams',
    label: 'Watch streams',
    unit: 'streams',
    kind: 'gauge',
    weighted: true,
    leaderHeavy: false,
    scored: true,
    help: 'open gRPC watch streams',
  },
  dbSize: {
    id: 'dbSize',
    label: 'DB size',
    unit: 'B',
    kind: 'gauge',
    weighted: false,
    leaderHeavy: false,
    scored: true,
    help: 'backend database size on disk (every member holds the same data, so equal shares are expected)',
  },
  latencyP99: {
    id: 'latencyP99',
    label: 'Latency p99',
    unit: 's',
    kind: 'latency',
    weighted: false,
    leaderHeavy: false,
    scored: false,
    help: 'p99 gRPC handling time of unary KV and Lease calls (needs --metrics extensive)',
  },
  cpu: {
    id: 'cpu',
    label: 'CPU',
    unit: 'cores',
    kind: 'rate',
    weighted: true,
    leaderHeavy: true,
    scored: true,
    help: 'CPU seconds per second of the etcd process (the leader does more by design; scored among followers)',
  },
  peerBytesOut: {
    id: 'peerBytesOut',
    label: 'Peer bytes out',
    unit: 'B/s',
    kind: 'rate',
    weighted: false,
    leaderHeavy: true,
    scored: true,
    help: 'raft traffic sent to peers per second (the leader replicates to everyone; scored among followers)',
  },
};

export const DIMENSION_LIST: DimensionSpec[] = DIMENSION_IDS.map((id) => DIMENSIONS[id]);

export function isDimensionId(x: unknown): x is DimensionId {
  return typeof x === 'string' && (DIMENSION_IDS as readonly string[]).includes(x);
}

export function emptyDimRecord<T>(make: (id: DimensionId) => T): Record<DimensionId, T> {
  const out = {} as Record<DimensionId, T>;
  for (const id of DIMENSION_IDS) out[id] = make(id);
  return out;
}
