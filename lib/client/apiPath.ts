// The paths of Fulcrum's JSON API (and of its pages), for lib/client/api.ts's calls and for
// what is not a fetch (EventSource, download links, navigation). A module of its own so that a
// page needing only a path (the fleet stream) does not load the whole client.
export const apiPath = {
  clusters: () => '/api/clusters',
  cluster: (name: string) => `/api/clusters/${encodeURIComponent(name)}`,
  clusterStream: (name: string) => `/api/clusters/${encodeURIComponent(name)}/stream`,
  clusterHistory: (name: string) => `/api/clusters/${encodeURIComponent(name)}/history`,
  fleet: () => '/api/fleet',
  fleetStream: () => '/api/fleet/stream',
  clusterWeights: (name: string) => `/api/clusters/${encodeURIComponent(name)}/weights`,
  clusterWeightsAudit: (name: string) => `/api/clusters/${encodeURIComponent(name)}/weights/audit`,
  memberLogs: (cluster: string, member: string) =>
    `/api/clusters/${encodeURIComponent(cluster)}/members/${encodeURIComponent(member)}/logs`,
  snapshots: () => '/api/snapshots',
  snapshot: (id: string) => `/api/snapshots/${encodeURIComponent(id)}`,
  snapshotExport: (id: string) => `/api/snapshots/${encodeURIComponent(id)}/export`,
  snapshotImport: () => '/api/snapshots/import',
  demoFaults: () => '/api/demo/faults',
  demoFault: (name: string) => `/api/demo/faults/${encodeURIComponent(name)}`,
};

/** Paths of the pages. */
export const pagePath = {
  cluster: (name: string) => `/clusters/${encodeURIComponent(name)}`,
};
