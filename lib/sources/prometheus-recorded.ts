// Recording rules for a large fleet. Every fleet tick asks Prometheus for rate() and p99 over the
// raw series of every member: for 2,500 targets that is about 520,000 samples per tick, half of
// them histogram buckets, on every tick. With these rules loaded, Prometheus computes the rates
// once per evaluation (per member, the load labels summed away) and a tick reads one sample per
// member (per bucket for a p99): about 12 times fewer samples for the latency, 36 times fewer for
// the requests. Fulcrum looks for the recorded series at every discovery and uses, per query,
// the recorded one when Prometheus has it for the fleet, the raw series otherwise. Pure.
import { promString, regexEscape } from './prometheus';
import { HISTOGRAMS, type HistogramId, p99Query, RATED, type RatedId, rateQuery } from './prometheus-queries';

export type RecordedId = RatedId | HistogramId;

export const RECORDED_IDS = [...Object.keys(RATED), ...Object.keys(HISTOGRAMS)] as RecordedId[];

/** Labels that tell a member's series apart (gRPC method and code, peer): summed away by the rules. */
const LOAD_LABELS = 'grpc_service, grpc_method, grpc_type, grpc_code, To';

/** Part of a recorded series' name for a metric, by what it holds. */
const NAME: Record<RecordedId, string> = {
  requests: 'etcd_grpc_requests',
  reads: 'etcd_grpc_ranges',
  writes: 'etcd_grpc_writes',
  bytesIn: 'etcd_client_received_bytes',
  bytesOut: 'etcd_client_sent_bytes',
  cpu: 'process_cpu_seconds',
  peerBytesOut: 'etcd_peer_sent_bytes',
  latencyP99: 'etcd_grpc_unary_handling_seconds_bucket',
  walFsyncP99: 'etcd_wal_fsync_seconds_bucket',
};

const isRate = (id: RecordedId): id is RatedId => id in RATED;
/** The raw series a recorded one is made of. */
const sourceOf = (id: RecordedId) => (isRate(id) ? RATED[id] : HISTOGRAMS[id]);

/** `fulcrum:<what>:rate<window>`: Prometheus' level:metric:operation naming, the window in the name. */
export function recordedName(id: RecordedId, rateWindow: string): string {
  return `fulcrum:${NAME[id]}:rate${rateWindow.replace(/[^0-9A-Za-z]/g, '_')}`;
}

export interface RecordingRule {
  record: string;
  expr: string;
}

/** The recording rules for a rate window (every etcd target Prometheus scrapes: no selector). */
export function recordingRules(rateWindow: string): { name: string; rules: RecordingRule[] } {
  const w = rateWindow;
  return {
    name: 'fulcrum-fleet',
    rules: RECORDED_IDS.map((id) => {
      const src = sourceOf(id);
      const sel = src.matchers ? `{${src.matchers}}` : '';
      return { record: recordedName(id, w), expr: `sum without (${LOAD_LABELS}) (rate(${src.metric}${sel}[${w}]))` };
    }),
  };
}

/** The query that tells which recorded series Prometheus has for the fleet (`sel`: its matchers). */
export function recordedPresentQuery(sel: string, rateWindow: string): string {
  const names = RECORDED_IDS.map((id) => regexEscape(recordedName(id, rateWindow)));
  return `group by (__name__) ({__name__=~${promString(names.join('|'))},${sel}})`;
}

/** Which recorded series the answer to recordedPresentQuery names. */
export function recordedPresent(names: ReadonlyArray<string | undefined>, rateWindow: string): Set<RecordedId> {
  const have = new Set(names);
  return new Set(RECORDED_IDS.filter((id) => have.has(recordedName(id, rateWindow))));
}

/** The query for one metric: from its recorded series when Prometheus has them, else from the raw ones. */
export function fleetQuery(
  id: RecordedId,
  sel: string,
  by: string,
  w: string,
  recorded: ReadonlySet<RecordedId>,
): string {
  if (!recorded.has(id)) return isRate(id) ? rateQuery(id, sel, by, w) : p99Query(id, sel, by, w);
  const series = `${recordedName(id, w)}{${sel}}`;
  return isRate(id) ? `sum by (${by}) (${series})` : `histogram_quantile(0.99, sum by (${by}, le) (${series}))`;
}
