// Log lines of etcd members and of the balancer in front of them, as the drill-down page, the
// logs API, the signal watcher (detector evidence) and snapshots see them. Pure data.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogSource = 'member' | 'balancer';

export const LOG_FORMATS = ['etcd-json', 'etcd-text', 'haproxy', 'nginx-access', 'nginx-error', 'raw'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogLine {
  /** ms since epoch; null when the line has no time Fulcrum can read (kept anyway). */
  t: number | null;
  /** Endpoint (client URL) of the member the line is about, null when unknown. */
  member: string | null;
  source: LogSource;
  level: LogLevel | null;
  msg: string;
  /** Every other field, as text (nested JSON values are serialised). */
  fields: Record<string, string>;
  /** The line exactly as read (capped at the reader's line limit). */
  raw: string;
  /** Ids of the SIGNALS the line matches. */
  signals: string[];
  format: LogFormat;
}

export interface SignalSpec {
  id: string;
  label: string;
  /** Which logs the signal is looked for in. */
  sources: readonly LogSource[];
  /**
   * Matched against `field` when set (a parsed field such as the HTTP status), otherwise against
   * the message and the raw line.
   */
  re: RegExp;
  field?: string;
  /** What the signal usually means, for tooltips and finding evidence. */
  hint: string;
}

/** The signal of a balancer answer with this HTTP status. */
function lbStatus<C extends number>(code: C, hint: string) {
  return {
    id: `lb-${code}` as const,
    label: `balancer ${code}` as const,
    sources: ['balancer'] as const,
    field: 'status',
    re: new RegExp(`^${code}$`),
    hint,
  };
}

/**
 * Known signals. The first ones are etcd's own messages (3.4 and 3.5 wording), the `lb-*` ones
 * are read from the balancer's lines (HAProxy and NGINX). Order = display order.
 */
export const SIGNALS = [
  {
    id: 'took-too-long',
    label: 'request took too long',
    sources: ['member'],
    re: /(?<!heartbeat on time; )took too long/,
    hint: 'a request (or ReadIndex) exceeded the expected duration: slow disk, CPU starvation or a busy leader',
  },
  {
    id: 'slow-fdatasync',
    label: 'slow fdatasync',
    sources: ['member'],
    re: /slow fdatasync|sync duration of \S+, expected less than/,
    hint: 'WAL fsync slower than 1 s: the disk is too slow or saturated',
  },
  {
    id: 'heartbeat-late',
    label: 'failed to send out heartbeat on time',
    sources: ['member'],
    re: /failed to send out heartbeat on time/,
    hint: 'the leader could not heartbeat its followers in time (slow disk, CPU or a paused process): elections follow',
  },
  {
    id: 'peer-unreachable',
    label: 'failed to connect to member',
    sources: ['member'],
    re: /failed to connect to member|peer became inactive|failed to reach the peer URL|prober detected unhealthy status|could not connect|lost (?:the )?TCP streaming connection|failed to dial/,
    hint: 'this member lost its connection to a peer: the peer is down, paused or unreachable over the network',
  },
  {
    id: 'lost-leader',
    label: 'lost leader',
    sources: ['member'],
    re: /\blost leader\b/,
    hint: 'the member stopped hearing from the leader: an election starts',
  },
  {
    id: 'elected-leader',
    label: 'elected leader',
    sources: ['member'],
    re: /\belected leader\b/,
    hint: 'a new leader was elected (after an election)',
  },
  {
    id: 'leader-changed',
    label: 'changed leader from',
    sources: ['member'],
    re: /\bchanged leader from\b/,
    hint: 'the member learnt of a new leader (a paused or partitioned old leader logs this when it comes back)',
  },
  {
    id: 'deadline-exceeded',
    label: 'DeadlineExceeded',
    sources: ['member', 'balancer'],
    re: /DeadlineExceeded|context deadline exceeded/,
    hint: 'a request ran out of time',
  },
  {
    id: 'conn-reset',
    label: 'connection reset by peer',
    sources: ['member', 'balancer'],
    re: /connection reset by peer/i,
    hint: 'the other side closed the TCP connection abruptly (often reused idle connections)',
  },
  {
    id: 'db-space-exceeded',
    label: 'database space exceeded',
    sources: ['member'],
    re: /database space exceeded|NOSPACE/,
    hint: 'the backend is over --quota-backend-bytes: writes are refused until compaction, defrag and alarm disarm',
  },
  lbStatus(502, 'Bad Gateway: the balancer got no valid answer from the member'),
  lbStatus(503, 'Service Unavailable: no member was available, or the request was queued too long'),
  lbStatus(504, 'Gateway Timeout: the member did not answer in time'),
  lbStatus(499, 'Client Closed Request: the client gave up first (usually its deadline)'),
  {
    id: 'lb-termination',
    label: 'abnormal termination',
    sources: ['balancer'],
    field: 'termination',
    // HAProxy's two-letter session state: the first letter says who or what ended it, the
    // second in which phase. `--` (normal), `L?` (answered by HAProxy itself) and client-side
    // closes after the connect (CD, CH, cD: gRPC clients hanging up) are not signals; server
    // aborts and timeouts (S?, s?), resource/internal/down/killed (P R I D K U) and anything
    // that ended while connecting or queued (?C, ?Q) are.
    re: /^(?:[SsPRIDKU][A-Za-z-]|[A-Za-z-][CQ])$/,
    hint: 'HAProxy ended the session abnormally: the member refused or dropped the connection, or a timeout struck',
  },
  {
    id: 'lb-no-response',
    label: 'no answer from member',
    sources: ['balancer'],
    field: 'noResponse',
    re: /^true$/,
    hint: 'connected, but the member sent no answer before the client or a timeout gave up (a hung member, HTTP mode)',
  },
  {
    id: 'lb-server-down',
    label: 'server marked DOWN',
    sources: ['balancer'],
    re: /\bServer \S+ is DOWN\b|has no server available|no live upstreams|upstream server temporarily disabled/,
    hint: "the balancer's health check took the member out of rotation",
  },
] as const satisfies readonly SignalSpec[];

export type SignalId = (typeof SIGNALS)[number]['id'];
export const SIGNAL_IDS: readonly SignalId[] = SIGNALS.map((s) => s.id);

export const SIGNAL_BY_ID: Readonly<Record<string, SignalSpec>> = Object.fromEntries(SIGNALS.map((s) => [s.id, s]));

export interface SignalCount {
  /** Start of the minute, ms since epoch. */
  minute: number;
  signal: string;
  count: number;
}

export interface LogSourceError {
  /** 'member', 'balancer', or the configured source it concerns. */
  source: string;
  message: string;
}

export interface LogPage {
  /** Newest first. */
  lines: LogLine[];
  /** Opaque: pass back as `cursor` for the next (older) page; null when there is none. */
  nextCursor: string | null;
  /** One per source that could not be read (missing file, Loki down, …); the others still answer. */
  errors: LogSourceError[];
  scannedBytes: number;
  /** A bound (bytes, lines or time) stopped the scan before the whole window was read. */
  truncated: boolean;
  /** Signal lines per minute in the window (whole window on the first page; later pages: the part they read). */
  signalCounts: SignalCount[];
  /** Not errors but worth saying: a source that is not configured, a scan cut short by a bound. */
  notes?: LogSourceError[];
}

export type LogSourceChoice = 'member' | 'balancer' | 'both';

export interface LogQuery {
  from: number;
  to: number;
  /** Case-insensitive text that must appear in the line. */
  q?: string;
  /** Minimum level: lines at this level or above (lines with a signal count as at least warn). */
  level?: LogLevel;
  limit: number;
  cursor?: string;
  source?: LogSourceChoice;
  /** Only lines that carry a known signal. */
  signalsOnly?: boolean;
}

/** Rank for level filtering: lines without a level rank as info. */
export function levelRank(l: LogLevel | null): number {
  return l === null ? 1 : LOG_LEVELS.indexOf(l);
}
