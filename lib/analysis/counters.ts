// From one member's /metrics samples to the numbers Fulcrum tracks. Pure.
import type { PromSample } from './promtext';

export const COUNTER_IDS = [
  'requests',
  'reads',
  'writes',
  'bytesIn',
  'bytesOut',
  'peerBytesOut',
  'cpuSeconds',
  'leaderChanges',
  'heartbeatFailures',
  'peerSendFailures',
  'slowApplies',
  'proposalsFailed',
  'grpcErrors',
  /** Go GC stop-the-world pause time and cycles (go_gc_duration_seconds sum and count). */
  'gcPauseSeconds',
  'gcCycles',
] as const;
export type CounterId = (typeof COUNTER_IDS)[number];

export const GAUGE_IDS = [
  'watchStreams',
  'watchers',
  'dbTotalBytes',
  'dbInUseBytes',
  'quotaBackendBytes',
  'hasLeader',
  'isLeader',
  'processStartTime',
  'proposalsPending',
  /** Longest of the last GC pauses Go remembers (go_gc_duration_seconds quantile 1): sticky, evidence only. */
  'gcPauseMax',
] as const;
export type GaugeId = (typeof GAUGE_IDS)[number];

export const HISTOGRAM_IDS = ['grpcLatency', 'walFsync', 'backendCommit', 'peerRtt'] as const;
export type HistogramId = (typeof HISTOGRAM_IDS)[number];

/** A cumulative histogram: `buckets[i] = [upper bound, count of observations <= bound]`, sorted by bound. */
export interface Histogram {
  buckets: Array<[number, number]>;
  count: number;
  sum: number;
}

/** What one member measures towards one peer (etcd's `To` label: the peer's member ID in hex). */
export interface PeerCounters {
  /** Round trips of rafthttp's prober towards that peer (observed about every 30 s per peer). */
  rtt: Histogram | null;
  /** Raft messages to that peer that could not be sent (its stream or pipeline was full or broken). */
  sendFailures: number | null;
}

export interface MemberCounters {
  counters: Record<CounterId, number | null>;
  gauges: Record<GaugeId, number | null>;
  histograms: Record<HistogramId, Histogram | null>;
  /** Per peer (hex member ID); absent in polls recorded before it was read. */
  peers?: Record<string, PeerCounters>;
}

// What the labels Fulcrum reads say, as small numbers: the text path compares a label value in
// place (no string cut out of the page), the sample path looks the strings up; both feed the same
// `accumulate`.
const SVC_OTHER = 0;
const SVC_KV = 1;
const SVC_WATCH = 2;
const SVC_LEASE = 3;
/** Load is KV, Watch and Lease calls (Fulcrum's own Maintenance polls are not load). */
const SERVICES: ReadonlyArray<readonly [string, number]> = [
  ['etcdserverpb.KV', SVC_KV],
  ['etcdserverpb.Watch', SVC_WATCH],
  ['etcdserverpb.Lease', SVC_LEASE],
];
const METHOD_OTHER = 0;
const METHOD_READ = 1;
const METHOD_WRITE = 2;
const METHODS: ReadonlyArray<readonly [string, number]> = [
  ['Range', METHOD_READ],
  ...['Put', 'DeleteRange', 'Txn', 'Compact'].map((m) => [m, METHOD_WRITE] as const),
];
/** gRPC codes that mean the server failed the call, not that the client asked for something odd. */
const SERVER_ERROR_CODES = ['Unavailable', 'DeadlineExceeded', 'Internal', 'ResourceExhausted', 'Unknown'];

const SERVICE_OF = new Map(SERVICES);
const METHOD_OF = new Map(METHODS);
const SERVER_ERROR = new Set(SERVER_ERROR_CODES);

/** The labels of one series as `accumulate` reads them. */
interface LabelClasses {
  service: number;
  method: number;
  serverError: boolean;
  unary: boolean;
  /** The `le` label as written (undefined when absent). */
  le: string | undefined;
  /** The `To` label (the peer a peer metric is about, hex member ID). */
  to: string | undefined;
  /** The `quantile` label of a summary. */
  quantile: string | undefined;
}

function classesOf(labels: Record<string, string>): LabelClasses {
  return {
    service: SERVICE_OF.get(labels.grpc_service) ?? SVC_OTHER,
    method: METHOD_OF.get(labels.grpc_method) ?? METHOD_OTHER,
    serverError: SERVER_ERROR.has(labels.grpc_code),
    unary: labels.grpc_type === 'unary',
    le: labels.le,
    to: labels.To,
    quantile: labels.quantile,
  };
}

const COUNTER_METRICS: Record<string, CounterId> = {
  etcd_network_client_grpc_received_bytes_total: 'bytesIn',
  etcd_network_client_grpc_sent_bytes_total: 'bytesOut',
  etcd_network_peer_sent_bytes_total: 'peerBytesOut',
  process_cpu_seconds_total: 'cpuSeconds',
  etcd_server_leader_changes_seen_total: 'leaderChanges',
  etcd_server_heartbeat_send_failures_total: 'heartbeatFailures',
  etcd_network_peer_sent_failures_total: 'peerSendFailures',
  etcd_server_slow_apply_total: 'slowApplies',
  etcd_server_proposals_failed_total: 'proposalsFailed',
  go_gc_duration_seconds_sum: 'gcPauseSeconds',
  go_gc_duration_seconds_count: 'gcCycles',
};

const GAUGE_METRICS: Record<string, GaugeId> = {
  etcd_debugging_mvcc_watch_stream_total: 'watchStreams',
  etcd_debugging_mvcc_watcher_total: 'watchers',
  etcd_mvcc_db_total_size_in_bytes: 'dbTotalBytes',
  etcd_mvcc_db_total_size_in_use_in_bytes: 'dbInUseBytes',
  etcd_server_quota_backend_bytes: 'quotaBackendBytes',
  etcd_server_has_leader: 'hasLeader',
  etcd_server_is_leader: 'isLeader',
  process_start_time_seconds: 'processStartTime',
  etcd_server_proposals_pending: 'proposalsPending',
};

const HISTOGRAM_METRICS: Record<string, HistogramId> = {
  grpc_server_handling_seconds: 'grpcLatency',
  etcd_disk_wal_fsync_duration_seconds: 'walFsync',
  etcd_disk_backend_commit_duration_seconds: 'backendCommit',
  etcd_network_peer_round_trip_time_seconds: 'peerRtt',
};

/** What a metric name contributes to (one entry per family name and histogram part). */
type Family =
  | { k: 'started' }
  | { k: 'handled' }
  | { k: 'counter'; id: CounterId }
  | { k: 'gauge'; id: GaugeId }
  | { k: 'hist'; id: HistogramId; part: 'bucket' | 'sum' | 'count' }
  /** go_gc_duration_seconds{quantile=…}: only quantile 1 (the longest pause) is kept. */
  | { k: 'gcQuantile' };

const FAMILIES = new Map<string, Family>([
  ['grpc_server_started_total', { k: 'started' }],
  ['grpc_server_handled_total', { k: 'handled' }],
  ['go_gc_duration_seconds', { k: 'gcQuantile' }],
  ...Object.entries(COUNTER_METRICS).map(([n, id]): [string, Family] => [n, { k: 'counter', id }]),
  ...Object.entries(GAUGE_METRICS).map(([n, id]): [string, Family] => [n, { k: 'gauge', id }]),
  ...Object.entries(HISTOGRAM_METRICS).flatMap(([n, id]) =>
    (['bucket', 'sum', 'count'] as const).map((part): [string, Family] => [`${n}_${part}`, { k: 'hist', id, part }]),
  ),
]);

/** The metric names `extractCounters` reads: pass to `parsePromText` to skip the rest. */
export function wantedMetric(name: string): boolean {
  return FAMILIES.has(name);
}

export function emptyCounters(): MemberCounters {
  const counters = {} as Record<CounterId, number | null>;
  for (const id of COUNTER_IDS) counters[id] = null;
  const gauges = {} as Record<GaugeId, number | null>;
  for (const id of GAUGE_IDS) gauges[id] = null;
  const histograms = {} as Record<HistogramId, Histogram | null>;
  for (const id of HISTOGRAM_IDS) histograms[id] = null;
  return { counters, gauges, histograms, peers: {} };
}

function peerOf(out: MemberCounters, to: string): PeerCounters {
  const peers = (out.peers ??= {});
  return (peers[to] ??= { rtt: null, sendFailures: null });
}

function add(rec: Record<string, number | null>, key: string, v: number) {
  rec[key] = (rec[key] ?? 0) + v;
}

type Buckets = Partial<Record<HistogramId, Map<number, number>>>;

/** Sums one sample into `out` (histogram buckets into `buckets`, sorted at the end). */
function accumulate(out: MemberCounters, buckets: Buckets, fam: Family, l: LabelClasses, value: number): void {
  if (!Number.isFinite(value)) return;
  switch (fam.k) {
    case 'started':
      if (l.service === SVC_OTHER) return;
      add(out.counters, 'requests', value);
      if (l.service === SVC_KV && l.method === METHOD_READ) add(out.counters, 'reads', value);
      else if (l.service === SVC_KV && l.method === METHOD_WRITE) add(out.counters, 'writes', value);
      return;
    case 'handled':
      if (l.service === SVC_OTHER) return;
      if (l.serverError) add(out.counters, 'grpcErrors', value);
      else if (out.counters.grpcErrors === null) out.counters.grpcErrors = 0;
      return;
    case 'counter':
      add(out.counters, fam.id, value);
      // Failed sends are also kept per peer: failures towards one member are about that member.
      if (fam.id === 'peerSendFailures' && l.to) {
        const p = peerOf(out, l.to);
        p.sendFailures = (p.sendFailures ?? 0) + value;
      }
      return;
    case 'gauge':
      add(out.gauges, fam.id, value);
      return;
    case 'gcQuantile':
      if (l.quantile === '1') out.gauges.gcPauseMax = value;
      return;
    case 'hist': {
      // Peer RTT is summed over peers, disk over its one series; client-visible latency is unary
      // KV and Lease calls (Watch is a stream, it has none).
      if (fam.id === 'grpcLatency' && !(l.unary && (l.service === SVC_KV || l.service === SVC_LEASE))) return;
      const hist = (out.histograms[fam.id] ??= { buckets: [], count: 0, sum: 0 });
      // Peer RTT is also kept per peer: a slow round trip towards one member is about that member.
      const peer = fam.id === 'peerRtt' && l.to ? peerOf(out, l.to) : null;
      const peerHist = peer ? (peer.rtt ??= { buckets: [], count: 0, sum: 0 }) : null;
      if (fam.part === 'bucket') {
        const le = l.le === '+Inf' ? Infinity : Number(l.le);
        if (Number.isNaN(le)) return;
        const m = (buckets[fam.id] ??= new Map());
        m.set(le, (m.get(le) ?? 0) + value);
        peerHist?.buckets.push([le, value]);
      } else if (fam.part === 'sum') {
        hist.sum += value;
        if (peerHist) peerHist.sum += value;
      } else {
        hist.count += value;
        if (peerHist) peerHist.count += value;
      }
    }
  }
}

function sortBuckets(out: MemberCounters, buckets: Buckets): MemberCounters {
  for (const id of Object.keys(buckets) as HistogramId[]) {
    out.histograms[id]!.buckets = [...buckets[id]!.entries()].sort((a, b) => a[0] - b[0]);
  }
  for (const p of Object.values(out.peers ?? {})) p.rtt?.buckets.sort((a, b) => a[0] - b[0]);
  return out;
}

/** Sums every series of a family into one member-level value per counter, gauge and histogram. */
export function extractCounters(samples: PromSample[]): MemberCounters {
  const out = emptyCounters();
  const buckets: Buckets = {};
  for (const s of samples) {
    const fam = FAMILIES.get(s.name);
    if (fam) accumulate(out, buckets, fam, classesOf(s.labels), s.value);
  }
  return sortBuckets(out, buckets);
}

// ---- The poll's path: straight from the text, reading only the families above ----
//
// The same result as `extractCounters(parsePromText(text).samples)` (a property test holds them
// equal on real pages and on generated ones), without a sample or a label object per line and
// without a JavaScript loop over the whole text: lines are found with indexOf, a line of the same
// family as the line before is recognised by comparing its name with that line's, lines of
// unwanted families are skipped right there, and the labels Fulcrum reads are compared in place.
// A line the quick path can't read exactly (white space other than spaces, escapes, odd values)
// is read again character by character with the generic rules.

/** What `String.prototype.trim` and `\s` count as white space. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

const CH_TAB = 9;
const CH_SPACE = 32;
const CH_QUOTE = 34;
const CH_HASH = 35;
const CH_COMMA = 44;
const CH_BACKSLASH = 92;
const CH_OPEN = 123;
const CH_CLOSE = 125;

/** text[at, at + n) is `word` (a character loop: cheaper than startsWith for a few characters). */
function isAt(text: string, at: number, n: number, word: string): boolean {
  if (n !== word.length) return false;
  for (let k = 0; k < n; k++) if (text.charCodeAt(at + k) !== word.charCodeAt(k)) return false;
  return true;
}

function classIn(text: string, vs: number, n: number, table: ReadonlyArray<readonly [string, number]>): number {
  for (const [word, c] of table) if (isAt(text, vs, n, word)) return c;
  return 0;
}

const LABEL_SERVICE = 'grpc_service';
const LABEL_METHOD = 'grpc_method';
const LABEL_CODE = 'grpc_code';
const LABEL_TYPE = 'grpc_type';

/**
 * Sets what the label text[ks, ke) = value says in `into`: the value is text[vs, ve), or `val`
 * when it had escapes.
 */
function keep(into: LabelClasses, text: string, ks: number, ke: number, val: string | null, vs: number, ve: number) {
  const n = ke - ks;
  if (val !== null) {
    // Escaped values (rare): the sample path's lookups.
    if (isAt(text, ks, n, LABEL_SERVICE)) into.service = SERVICE_OF.get(val) ?? SVC_OTHER;
    else if (isAt(text, ks, n, LABEL_METHOD)) into.method = METHOD_OF.get(val) ?? METHOD_OTHER;
    else if (isAt(text, ks, n, LABEL_CODE)) into.serverError = SERVER_ERROR.has(val);
    else if (isAt(text, ks, n, LABEL_TYPE)) into.unary = val === 'unary';
    else if (isAt(text, ks, n, 'le')) into.le = val;
    else if (isAt(text, ks, n, 'To')) into.to = val;
    else if (isAt(text, ks, n, 'quantile')) into.quantile = val;
    return;
  }
  const vn = ve - vs;
  if (n === 2) {
    const a = text.charCodeAt(ks);
    const b = text.charCodeAt(ks + 1);
    if (a === 108 && b === 101) into.le = text.slice(vs, ve);
    else if (a === 84 && b === 111) into.to = text.slice(vs, ve);
  } else if (isAt(text, ks, n, 'quantile')) into.quantile = text.slice(vs, ve);
  else if (isAt(text, ks, n, LABEL_SERVICE)) into.service = classIn(text, vs, vn, SERVICES);
  else if (isAt(text, ks, n, LABEL_METHOD)) into.method = classIn(text, vs, vn, METHODS);
  else if (isAt(text, ks, n, LABEL_CODE)) {
    let err = false;
    for (const c of SERVER_ERROR_CODES) if (isAt(text, vs, vn, c)) err = true;
    into.serverError = err;
  } else if (isAt(text, ks, n, LABEL_TYPE)) into.unary = isAt(text, vs, vn, 'unary');
}

/**
 * The generic rules, as parsePromText applies them: `{k="v",…}` from text[i] (the `{`) up to
 * `end`, values unescaped. Returns the index after `}`, or -1 when malformed.
 */
function slowLabels(text: string, i: number, end: number, into: LabelClasses): number {
  i++;
  for (;;) {
    while (i < end && (text.charCodeAt(i) === CH_SPACE || text.charCodeAt(i) === CH_COMMA)) i++;
    if (i >= end) return -1;
    if (text.charCodeAt(i) === CH_CLOSE) return i + 1;
    const eq = text.indexOf('=', i);
    if (eq < 0 || eq >= end) return -1;
    let ks = i;
    let ke = eq;
    while (ks < ke && isSpace(text.charCodeAt(ks))) ks++;
    while (ke > ks && isSpace(text.charCodeAt(ke - 1))) ke--;
    if (ks === ke || eq + 1 >= end || text.charCodeAt(eq + 1) !== CH_QUOTE) return -1;
    let j = eq + 2;
    let val = '';
    for (;;) {
      if (j >= end) return -1;
      const c = text.charCodeAt(j);
      if (c === CH_BACKSLASH) {
        const d = text[j + 1];
        val += d === 'n' ? '\n' : d;
        j += 2;
      } else if (c === CH_QUOTE) {
        j++;
        break;
      } else {
        val += text[j];
        j++;
      }
    }
    keep(into, text, ks, ke, val, 0, 0);
    i = j;
  }
}

/** The generic rules for the value: the first white-space separated token after the labels. */
function slowValue(text: string, i: number, end: number): number {
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  let j = i;
  while (j < end && !isSpace(text.charCodeAt(j))) j++;
  const raw = text.slice(i, j);
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  return raw === '' ? NaN : Number(raw);
}

/** fastLabels: read this line again by the generic rules. */
const SLOW = -2;

/** Reader state for one text. */
class Scan {
  /** Position of the next backslash at or after the last asked position (-1: none left). */
  private bs = -2;
  readonly labels: LabelClasses = {
    service: SVC_OTHER,
    method: METHOD_OTHER,
    serverError: false,
    unary: false,
    le: undefined,
    to: undefined,
    quantile: undefined,
  };
  constructor(readonly text: string) {}

  resetLabels(): LabelClasses {
    const l = this.labels;
    l.service = SVC_OTHER;
    l.method = METHOD_OTHER;
    l.serverError = false;
    l.unary = false;
    l.le = undefined;
    l.to = undefined;
    l.quantile = undefined;
    return l;
  }

  /** Is there a backslash in text[from, to)? */
  private backslashIn(from: number, to: number): boolean {
    if (this.bs === -1) return false;
    if (this.bs < from) this.bs = this.text.indexOf('\\', from);
    return this.bs >= 0 && this.bs < to;
  }

  /** Labels from text[i] (the `{`): the index after `}`, -1 when malformed, SLOW to read it again slowly. */
  fastLabels(i: number, end: number): number {
    const text = this.text;
    i++;
    for (;;) {
      let c = text.charCodeAt(i);
      while (i < end && (c === CH_SPACE || c === CH_COMMA)) c = text.charCodeAt(++i);
      if (i >= end) return SLOW;
      if (c === CH_CLOSE) return i + 1;
      const eq = text.indexOf('=', i);
      if (eq < 0 || eq + 1 >= end || eq === i) return SLOW;
      if (isSpace(c) || isSpace(text.charCodeAt(eq - 1)) || text.charCodeAt(eq + 1) !== CH_QUOTE) return SLOW;
      const vs = eq + 2;
      const q = text.indexOf('"', vs);
      if (q < 0 || q >= end || this.backslashIn(vs, q)) return SLOW;
      keep(this.labels, text, i, eq, null, vs, q);
      i = q + 1;
    }
  }
}

/** text[a, a+n) equals text[b, b+n). */
function sameChars(text: string, a: number, b: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

/** The value after the last `}` of text[s, nl) is a plain 0 ("0", or "0 <timestamp>"). */
function zeroAfterLabels(text: string, s: number, nl: number): boolean {
  const close = text.lastIndexOf('}', nl);
  if (close < s) return false;
  let i = close + 1;
  while (i < nl && text.charCodeAt(i) === CH_SPACE) i++;
  return i < nl && text.charCodeAt(i) === 48 && (i + 1 === nl || text.charCodeAt(i + 1) === CH_SPACE);
}

/**
 * One member's counters from its `/metrics` text, fed in pieces as they arrive (no copy of the
 * whole page is ever made): `feed` each chunk, then `end`.
 */
export class CountersReader {
  private readonly out = emptyCounters();
  private readonly buckets: Buckets = {};
  /** Chunks since the last newline. */
  private pending: string[] = [];

  feed(chunk: string): void {
    const nl = chunk.lastIndexOf('\n');
    if (nl < 0) {
      this.pending.push(chunk);
      return;
    }
    let text = chunk;
    let end = nl + 1;
    if (this.pending.length) {
      const head = this.pending.join('');
      text = head + chunk;
      end += head.length;
      this.pending = [];
    }
    this.lines(text, end);
    if (end < text.length) this.pending.push(text.slice(end));
  }

  end(): MemberCounters {
    const rest = this.pending.join('');
    this.pending = [];
    if (rest) this.lines(rest, rest.length);
    return sortBuckets(this.out, this.buckets);
  }

  /** The lines of text[0, limit) (limit is just after a newline, or the text's end). */
  private lines(text: string, limit: number): void {
    const { out, buckets } = this;
    const scan = new Scan(text);
    let pos = 0;
    // Where the name of the line before starts, its length and its family (null: not wanted):
    // the next lines are likely of the same family.
    let lastAt = -1;
    let lastLen = 0;
    let lastFam: Family | null = null;
    while (pos < limit) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0 || nl > limit) nl = limit;
      const s = pos;
      pos = nl + 1;
      if (s === nl) continue;
      const c0 = text.charCodeAt(s);
      if (c0 === CH_HASH) continue;
      if (isSpace(c0)) {
        slowLine(text, s, nl, scan, out, buckets);
        continue;
      }
      let fam: Family | null = null;
      let ne = -1;
      if (lastAt >= 0 && s + lastLen < nl && sameChars(text, s, lastAt, lastLen)) {
        const c = text.charCodeAt(s + lastLen);
        if (c === CH_OPEN || c === CH_SPACE) {
          fam = lastFam;
          ne = s + lastLen;
        }
      }
      if (ne < 0) {
        ne = s;
        let c = text.charCodeAt(ne);
        while (ne < nl && c !== CH_OPEN && !isSpace(c)) c = text.charCodeAt(++ne);
        if (ne < nl && c !== CH_OPEN && c !== CH_SPACE) {
          // A tab or another white space after the name: the generic rules.
          lastAt = -1;
          slowLine(text, s, nl, scan, out, buckets);
          continue;
        }
        fam = lastFam = FAMILIES.get(text.slice(s, ne)) ?? null;
        lastAt = s;
        lastLen = ne - s;
      }
      if (!fam) continue;
      // Most gRPC result counters are 0: once the member is known to serve load, they add nothing.
      if (fam.k === 'handled' && out.counters.grpcErrors !== null && zeroAfterLabels(text, s, nl)) continue;
      const labels = scan.resetLabels();
      let rest = ne;
      if (text.charCodeAt(ne) === CH_OPEN) {
        rest = scan.fastLabels(ne, nl);
        if (rest === SLOW) {
          slowLine(text, s, nl, scan, out, buckets);
          continue;
        }
      }
      // The value: up to the next space (a timestamp may follow); Number() trims what is left.
      let vs = rest;
      while (vs < nl && text.charCodeAt(vs) === CH_SPACE) vs++;
      let ve = text.indexOf(' ', vs);
      if (ve < 0 || ve > nl) ve = nl;
      const d = text.charCodeAt(vs) - 48;
      let v = NaN;
      if (ve === vs + 1 && d >= 0 && d <= 9) v = d;
      // Number('') and Number('\t') are 0: white space at either end goes the generic way.
      else if (ve > vs && !isSpace(text.charCodeAt(vs)) && !isSpace(text.charCodeAt(ve - 1)))
        v = Number(text.slice(vs, ve));
      if (Number.isNaN(v)) slowLine(text, s, nl, scan, out, buckets);
      else accumulate(out, buckets, fam, labels, v);
    }
  }
}

/** One member's counters straight from its whole `/metrics` text. */
export function countersFromText(text: string): MemberCounters {
  const r = new CountersReader();
  r.feed(text);
  return r.end();
}

/** One line by the generic rules (parsePromText's): trimmed, name, labels, first token. */
function slowLine(text: string, s: number, e: number, scan: Scan, out: MemberCounters, buckets: Buckets): void {
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  if (s === e || text.charCodeAt(s) === CH_HASH) return;
  let ne = s;
  for (; ne < e; ne++) {
    const c = text.charCodeAt(ne);
    if (c === CH_OPEN || c === CH_SPACE || c === CH_TAB) break;
  }
  const fam = FAMILIES.get(text.slice(s, ne));
  if (!fam) return;
  const labels = scan.resetLabels();
  let rest = ne;
  if (ne < e && text.charCodeAt(ne) === CH_OPEN) {
    rest = slowLabels(text, ne, e, labels);
    if (rest < 0) return;
  }
  accumulate(out, buckets, fam, labels, slowValue(text, rest, e));
}
