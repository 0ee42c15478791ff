// The browser's one way to call Fulcrum's JSON API. Every call answers an ApiResult: the typed
// data, or one ApiFailure saying what went wrong: the server's own `{error}` line (http), an
// answer that is not JSON (invalid), no connection (network), no answer in time (timeout), or
// the caller gave up (aborted: usually ignore it). Nothing throws, so a component needs no
// try/catch and cannot forget a case. Answer types come from lib/api/types.ts, the module the
// routes are typed against.
import type {
  ApiErrorBody,
  ClusterListResponse,
  ClusterStateResponse,
  DemoFaultRun,
  DemoFaultsResponse,
  HistoryResponse,
  MemberLogsResponse,
  SnapshotCreatedResponse,
  SnapshotCreateRequest,
  SnapshotDeletedResponse,
  SnapshotImportedResponse,
  SnapshotPreviewResponse,
  WeightsAuditResponse,
  WeightsResponse,
} from '../api/types';
import { apiPath } from './apiPath';

export type ApiFailure =
  /** The server answered an error status; `message` is its `{error}` line when it sent one. */
  | { kind: 'http'; status: number; message: string }
  /** The server answered, but not with JSON (a proxy's error page, a truncated body). */
  | { kind: 'invalid'; status: number; message: string }
  /** No answer at all: offline, DNS, connection refused or reset. */
  | { kind: 'network'; message: string }
  /** No answer within the timeout. */
  | { kind: 'timeout'; message: string }
  /** The caller's signal aborted the request (a newer request replaced it, the page went away). */
  | { kind: 'aborted'; message: string };

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; error: ApiFailure };

type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Search params; null and undefined values are left out. */
  query?: Record<string, QueryValue>;
  /** A body sent as JSON (Content-Type: application/json). */
  json?: unknown;
  /** A body sent as is (FormData for an upload). */
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Give up after this long (ms); 0 waits forever. Default 15 s. */
  timeoutMs?: number;
  /** For tests: a fetch to call instead of the global one. */
  fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

function withQuery(path: string, query: Record<string, QueryValue> | undefined): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined) qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function httpText(r: Response): string {
  return `HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ''}`;
}

/** One request to the API: never throws; see ApiResult. */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<ApiResult<T>> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ctrl = new AbortController();
  let timedOut = false;
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          ctrl.abort();
        }, timeoutMs)
      : null;
  const onAbort = () => ctrl.abort();
  if (opts.signal?.aborted) ctrl.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const fail = (error: ApiFailure): ApiResult<T> => ({ ok: false, error });
  const stopped = (): ApiResult<T> | null => {
    if (opts.signal?.aborted) return fail({ kind: 'aborted', message: 'cancelled' });
    if (timedOut) return fail({ kind: 'timeout', message: `no answer within ${seconds(timeoutMs)}` });
    return null;
  };
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  try {
    let r: Response;
    try {
      r = await (opts.fetch ?? fetch)(withQuery(path, opts.query), {
        method: opts.method ?? 'GET',
        headers,
        body,
        cache: 'no-store',
        credentials: 'same-origin',
        signal: ctrl.signal,
      });
    } catch (e) {
      return stopped() ?? fail({ kind: 'network', message: `network error: ${(e as Error).message || 'no answer'}` });
    }
    let text: string;
    try {
      text = await r.text();
    } catch (e) {
      return (
        stopped() ??
        fail({ kind: 'invalid', status: r.status, message: `${httpText(r)}: body cut off (${(e as Error).message})` })
      );
    }
    const stop = stopped();
    if (stop) return stop;
    let data: unknown;
    let parsed = true;
    try {
      data = JSON.parse(text);
    } catch {
      parsed = false;
    }
    if (!r.ok) {
      const err = parsed ? (data as Partial<ApiErrorBody> | null)?.error : undefined;
      return fail({ kind: 'http', status: r.status, message: typeof err === 'string' && err ? err : httpText(r) });
    }
    if (!parsed) {
      const type = (r.headers.get('content-type') ?? 'no content type').split(';')[0];
      return fail({ kind: 'invalid', status: r.status, message: `the server answered ${type}, not JSON` });
    }
    return { ok: true, status: r.status, data: data as T };
  } finally {
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

export { apiPath };

type Opts = Pick<RequestOptions, 'signal' | 'timeoutMs' | 'fetch'>;

/** The calls the pages make, typed by lib/api/types.ts. */
export const api = {
  clusters: (o?: Opts) => request<ClusterListResponse>(apiPath.clusters(), o),
  cluster: (name: string, o?: Opts) => request<ClusterStateResponse>(apiPath.cluster(name), o),
  history: (name: string, q: { from: number; to: number; maxPoints?: number }, o?: Opts) =>
    request<HistoryResponse>(apiPath.clusterHistory(name), { ...o, query: q }),
  weights: (name: string, whatIf: readonly number[] | null, o?: Opts) =>
    request<WeightsResponse>(apiPath.clusterWeights(name), { ...o, query: { wi: whatIf?.join(',') } }),
  weightsAudit: (name: string, limit?: number, o?: Opts) =>
    request<WeightsAuditResponse>(apiPath.clusterWeightsAudit(name), { ...o, query: { limit } }),
  memberLogs: (cluster: string, member: string, q: Record<string, QueryValue>, o?: Opts) =>
    request<MemberLogsResponse>(apiPath.memberLogs(cluster, member), { ...o, query: q }),
  previewSnapshot: (body: Omit<SnapshotCreateRequest, 'dryRun'>, o?: Opts) =>
    request<SnapshotPreviewResponse>(apiPath.snapshots(), { ...o, method: 'POST', json: { ...body, dryRun: true } }),
  createSnapshot: (body: Omit<SnapshotCreateRequest, 'dryRun'>, o?: Opts) =>
    request<SnapshotCreatedResponse>(apiPath.snapshots(), { ...o, method: 'POST', json: body }),
  deleteSnapshot: (id: string, deleteKey: string | null, o?: Opts) =>
    request<SnapshotDeletedResponse>(apiPath.snapshot(id), {
      ...o,
      method: 'DELETE',
      headers: deleteKey ? { 'X-Delete-Key': deleteKey } : {},
    }),
  importSnapshot: (file: Blob, expiry?: string, o?: Opts) => {
    const form = new FormData();
    form.set('file', file);
    return request<SnapshotImportedResponse>(apiPath.snapshotImport(), {
      ...o,
      method: 'POST',
      body: form,
      query: { expiry },
    });
  },
  demoFaults: (o?: Opts) => request<DemoFaultsResponse>(apiPath.demoFaults(), o),
  injectFault: (name: string, member: string | null, o?: Opts) =>
    request<DemoFaultRun>(apiPath.demoFault(name), { ...o, method: 'POST', query: { member } }),
  undoFault: (name: string, o?: Opts) => request<DemoFaultRun>(apiPath.demoFault(name), { ...o, method: 'DELETE' }),
};
