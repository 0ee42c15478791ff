// Prometheus HTTP API client (/api/v1/query, /api/v1/query_range). Anything that speaks this
// API (Thanos, Mimir, VictoriaMetrics) works. Every call has a deadline; errors are typed.
import type { Secret } from '../config/secret';

export interface PromSeries {
  metric: Record<string, string>;
  /** [unix seconds, value] pairs. */
  values: Array<[number, number]>;
}

export class PrometheusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometheusError';
  }
}

interface ApiResponse {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: {
    resultType: string;
    result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }>;
  };
}

const MAX_BODY = 32 * 1024 * 1024;

export class PrometheusSource {
  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
    private readonly bearerToken: Secret | null = null,
    private readonly opts: { onCall?: (path: string) => void } = {},
  ) {}

  private async call(
    path: string,
    params: Record<string, string>,
    timeoutMs = this.timeoutMs,
  ): Promise<ApiResponse['data']> {
    this.opts.onCall?.(path);
    const body = new URLSearchParams(params);
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if (this.bearerToken) headers.Authorization = `Bearer ${this.bearerToken.reveal()}`;
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method: 'POST',
        body,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err.cause?.code ?? err.message);
      throw new PrometheusError(`Prometheus ${path}: ${why}`);
    }
    const len = Number(res.headers.get('content-length') ?? 0);
    if (len > MAX_BODY) throw new PrometheusError(`Prometheus ${path}: answer larger than ${MAX_BODY} bytes`);
    let json: ApiResponse;
    try {
      const text = await res.text();
      if (text.length > MAX_BODY) throw new Error('too large');
      json = JSON.parse(text) as ApiResponse;
    } catch {
      throw new PrometheusError(`Prometheus ${path}: HTTP ${res.status}, not a Prometheus API answer`);
    }
    if (json.status !== 'success') {
      throw new PrometheusError(
        `Prometheus ${path}: ${json.errorType ?? 'error'}: ${(json.error ?? '').slice(0, 300)}`,
      );
    }
    return json.data;
  }

  /** Instant query: one value per series. */
  async query(expr: string, time?: number): Promise<PromSeries[]> {
    const params: Record<string, string> = { query: expr };
    if (time !== undefined) params.time = String(time / 1000);
    const data = await this.call('/api/v1/query', params);
    if (data?.resultType !== 'vector') return [];
    return data.result.map((r) => ({ metric: r.metric, values: r.value ? [[r.value[0], Number(r.value[1])]] : [] }));
  }

  /** Range query between two times (ms) at `stepS` seconds; `timeoutMs` overrides the source's deadline. */
  async queryRange(
    expr: string,
    startMs: number,
    endMs: number,
    stepS: number,
    timeoutMs?: number,
  ): Promise<PromSeries[]> {
    const data = await this.call(
      '/api/v1/query_range',
      { query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepS) },
      timeoutMs,
    );
    if (data?.resultType !== 'matrix') return [];
    return data.result.map((r) => ({ metric: r.metric, values: (r.values ?? []).map(([t, v]) => [t, Number(v)]) }));
  }
}

/** PromQL string literal for any text (label values come from config: escape, don't trust). */
export function promString(s: string): string {
  return JSON.stringify(s);
}

/** RE2 pattern that matches exactly `s`. */
export function regexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
