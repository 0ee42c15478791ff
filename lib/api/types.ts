// The JSON API's answers, one type per route, shared by the routes (`json<T>(…)` in app/api) and
// the browser (lib/client/api.ts, components). Types only: nothing here runs, so the browser
// bundle gets no server code from importing it. Add a route = add its answer type here.
import type { FleetState } from '../fleet/types';
import type { LogPage } from '../logs/types';
import type { SnapshotSummary } from '../snapshots/service';
import type { SnapshotExpiry, SnapshotFile, SnapshotMeta, SnapshotRecord, SnapshotWindow } from '../store/types';
import type { Prediction } from '../analysis/weights/predict';
import type { AgentAuditEntry, ClusterState, ClusterSummary, Fix, Frame, WeightsState } from '../types';

export type { FleetState, SnapshotSummary };

/** Every error answer (4xx, 5xx): one line that says what is wrong and, when it can, what to do. */
export interface ApiErrorBody {
  error: string;
}

/** `GET /api/health` */
export interface HealthResponse {
  ok: true;
  clusters: number;
  uptimeSeconds: number;
}

/** `GET /api/clusters` */
export interface ClusterListResponse {
  clusters: ClusterSummary[];
}

/** `GET /api/clusters/{name}`: the state without frames; `?frames=1` adds the in-memory history. */
export type ClusterStateResponse = Omit<ClusterState, 'frames'> & { frames?: Frame[] };

/** `GET /api/clusters/{name}/history?from&to&maxPoints` */
export interface HistoryResponse {
  cluster: string;
  from: number;
  to: number;
  frames: Frame[];
  /** Where the frames came from: the in-memory ring, or a Prometheus range query. */
  source: 'memory' | 'prometheus';
  /** Why the range could not be filled (Prometheus down, none configured), null when it was. */
  error: string | null;
}

/** `GET /api/clusters/{name}/members/{member}/logs?from&to&…`: one page, newest first. */
export interface MemberLogsResponse extends LogPage {
  cluster: string;
  /** The member's endpoint URL. */
  member: string;
  from: number;
  to: number;
}

/** `GET /api/snapshots` (write access) */
export interface SnapshotListResponse {
  snapshots: Array<SnapshotMeta & { path: string }>;
}

/** `POST /api/snapshots` body: a window (`rangeMs` ending now, or `from`/`to`) of one cluster. */
/** `GET /api/clusters/{name}/weights?wi=30,20,10`: the weights panel's data, and a prediction. */
export interface WeightsResponse {
  cluster: string;
  weights: WeightsState | null;
  /** The weights predicted: `wi` when given, else the ones the balancer applies now. */
  whatIf: {
    weights: number[];
    /** Predicted request shares and scores (against the configured weights, and equal shares). */
    prediction: Prediction;
    /** The same prediction for the weights the balancer applies now. */
    now: Prediction;
    assumptions: readonly string[];
    /** HAProxy runtime commands, haproxy.cfg lines, an NGINX upstream block for these weights. */
    exports: Fix[];
  } | null;
}

/** `GET /api/clusters/{name}/weights/audit?limit=`: the weights agent's audit log for the cluster, newest last. */
export interface WeightsAuditResponse {
  cluster: string;
  /** Whether the agent answers for this cluster. */
  agent: boolean;
  entries: AgentAuditEntry[];
  /** The log held more lines for the cluster than `limit` (or than the tail read). */
  truncated: boolean;
}

export interface SnapshotCreateRequest {
  cluster: string;
  from?: number;
  to?: number;
  /** The window's length, ending now (server clock): what the page's range selector shows. Instead of from/to. */
  rangeMs?: number;
  title?: string | null;
  note?: string | null;
  expiry?: SnapshotExpiry;
  /** Only report what would be included (and its size); store nothing. */
  dryRun?: boolean;
  /** What-if weights (one per member, 0..256) frozen with the snapshot's weights panel. */
  whatIf?: number[] | null;
}

/** `POST /api/snapshots` with `dryRun: true`: what would be frozen. */
export type SnapshotPreviewResponse = SnapshotSummary;

/** `POST /api/snapshots` (201): the link and the delete key, shown once. */
export interface SnapshotCreatedResponse {
  id: string;
  path: string;
  /** The absolute link, from server.publicUrl; null without one (the browser adds its own origin to `path`). */
  url: string | null;
  deleteKey: string;
  createdAt: number;
  createdBy: string | null;
  expiresAt: number | null;
  window: SnapshotWindow;
  sizeBytes: number;
  storedBytes: number;
  summary: SnapshotSummary;
}

/** `GET /api/snapshots/{id}`: the frozen record. */
export type SnapshotRecordResponse = SnapshotRecord;

/** `GET /api/snapshots/{id}/export`: a file another Fulcrum imports. */
export type SnapshotExportResponse = SnapshotFile;

/** `DELETE /api/snapshots/{id}` */
export interface SnapshotDeletedResponse {
  deleted: string;
}

/** `POST /api/snapshots/import` (201): stored under a new id and delete key. */
export interface SnapshotImportedResponse {
  id: string;
  path: string;
  originalId: string;
  deleteKey: string;
  expiresAt: number | null;
  sizeBytes: number;
  storedBytes: number;
}

/** A fault the demo stack's control endpoint has active. */
export interface DemoFaultRun {
  name: string;
  member: string | null;
  injectedAt: number;
  injectedAtIso?: string;
  details?: Record<string, string | number>;
}

/** `GET /api/demo/faults` (demo mode only) */
export interface DemoFaultsResponse {
  active: DemoFaultRun[];
  names?: string[];
}

/** `GET /api/fleet` */
export type FleetResponse = FleetState;

/** A wall link as admins see it in the list (never its token). */
export interface WallLinkInfo {
  id: string;
  name: string;
  /** The page it opens. */
  path: string;
  createdAt: number;
  createdBy: string | null;
  expiresAt: number;
  /** Kiosk sessions opened with it and still valid. */
  sessions: number;
}

/** `POST /api/wall-links` (201): the link, shown once (`url` needs server.publicUrl; else add your origin to `path`). */
export interface WallLinkCreatedResponse extends WallLinkInfo {
  /** `/w/<token>`: opening it signs a browser in as a viewer and goes to `path`. */
  linkPath: string;
  url: string | null;
}

/** `GET /api/wall-links` (admins) */
export interface WallLinkListResponse {
  links: WallLinkInfo[];
}

/** `DELETE /api/wall-links/{id}`: the link and every session made with it are gone. */
export interface WallLinkRevokedResponse {
  revoked: string;
}
