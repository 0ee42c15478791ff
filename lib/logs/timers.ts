// Client-side latency from the balancer's log lines: HAProxy's timers (tcplog: Tw/Tc/Tt, a line
// per connection; httplog: Tw/Tc/Tr/Ta, a line per request) and NGINX's ($upstream_connect_time,
// $upstream_response_time, $request_time; stream: $session_time). Per member and minute, a count,
// a sum and a coarse histogram per timer, so a window's average and p99 come out without keeping
// lines. Pure, apart from the accumulator's own memory.
import type { ClientTimers } from '../types';
import type { LogLine } from './types';

export const TIMER_NAMES = ['queue', 'connect', 'response', 'total'] as const;
export type TimerName = (typeof TIMER_NAMES)[number];

/** What one line measured (ms), and what a line stands for. */
export interface LineTimers {
  per: ClientTimers['per'];
  ms: Partial<Record<TimerName, number>>;
}

/** Upper bounds (ms) of the histogram buckets; the last one catches the rest. */
const BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, Infinity];

/** HAProxy writes -1 for a timer its session never reached; "+" prefixes a logasap estimate. */
function haproxyMs(v: string | undefined): number | null {
  if (v === undefined) return null;
  const n = Number(v.replace('+', ''));
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** NGINX times are seconds with ms resolution; several tries are listed ("0.001, 0.004"): the last one served. */
function nginxMs(v: string | undefined): number | null {
  if (v === undefined) return null;
  const last = v
    .split(/[,:]\s*/)
    .at(-1)
    ?.trim();
  if (!last || last === '-') return null;
  const n = Number(last);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 1000 * 1000) / 1000 : null;
}

/** The timers of one balancer line, or null when it carries none. */
export function lineTimers(line: Pick<LogLine, 'format' | 'fields'>): LineTimers | null {
  const f = line.fields;
  const pick = (ms: Partial<Record<TimerName, number | null>>) => {
    const out: Partial<Record<TimerName, number>> = {};
    for (const k of TIMER_NAMES) if (ms[k] !== null && ms[k] !== undefined) out[k] = ms[k]!;
    return Object.keys(out).length ? out : null;
  };
  if (line.format === 'haproxy') {
    if (f.Tc === undefined) return null;
    const http = f.Ta !== undefined;
    const ms = pick({
      queue: haproxyMs(f.Tw),
      connect: haproxyMs(f.Tc),
      response: http ? haproxyMs(f.Tr) : null,
      total: haproxyMs(http ? f.Ta : f.Tt),
    });
    return ms ? { per: http ? 'request' : 'session', ms } : null;
  }
  if (line.format === 'nginx-access') {
    const stream = f.sessionTime !== undefined;
    const ms = pick({
      connect: nginxMs(f.upstreamConnectTime),
      response: nginxMs(f.upstreamResponseTime),
      total: nginxMs(stream ? f.sessionTime : f.requestTime),
    });
    return ms ? { per: stream ? 'session' : 'request', ms } : null;
  }
  return null;
}

interface Stat {
  n: number;
  sum: number;
  buckets: number[];
}

interface Minute {
  per: ClientTimers['per'];
  stats: Partial<Record<TimerName, Stat>>;
}

function addTo(stat: Stat | undefined, v: number): Stat {
  const s = stat ?? { n: 0, sum: 0, buckets: new Array(BOUNDS.length).fill(0) };
  s.n++;
  s.sum += v;
  s.buckets[BOUNDS.findIndex((b) => v <= b)]++;
  return s;
}

/** p99 from the buckets: the upper bound of the bucket holding the 99th percentile (the last finite one for the rest). */
function p99(buckets: number[], n: number): number | null {
  if (n === 0) return null;
  const rank = Math.ceil(0.99 * n);
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i];
    if (seen >= rank) return Number.isFinite(BOUNDS[i]) ? BOUNDS[i] : BOUNDS[BOUNDS.length - 2];
  }
  return null;
}

/** Per member and minute: what the balancer's lines about it measured. */
export class TimerAccumulator {
  private readonly byMember = new Map<string, Map<number, Minute>>();

  record(member: string, t: number, timers: LineTimers): void {
    const minute = Math.floor(t / 60_000) * 60_000;
    let minutes = this.byMember.get(member);
    if (!minutes) this.byMember.set(member, (minutes = new Map()));
    let m = minutes.get(minute);
    if (!m) minutes.set(minute, (m = { per: timers.per, stats: {} }));
    m.per = timers.per;
    for (const k of TIMER_NAMES) {
      const v = timers.ms[k];
      if (v !== undefined) m.stats[k] = addTo(m.stats[k], v);
    }
  }

  prune(keepFrom: number): void {
    for (const minutes of this.byMember.values()) for (const k of minutes.keys()) if (k < keepFrom) minutes.delete(k);
  }

  /** Per member: the timers over the whole minutes overlapping the last `windowMs`. */
  window(windowMs: number, now: number): Record<string, ClientTimers> {
    const since = Math.floor((now - windowMs) / 60_000) * 60_000;
    const out: Record<string, ClientTimers> = {};
    for (const [member, minutes] of this.byMember) {
      const sum: Partial<Record<TimerName, Stat>> = {};
      let per: ClientTimers['per'] = 'session';
      for (const [minute, m] of minutes) {
        if (minute < since) continue;
        per = m.per;
        for (const k of TIMER_NAMES) {
          const s = m.stats[k];
          if (!s) continue;
          const acc = (sum[k] ??= { n: 0, sum: 0, buckets: new Array(BOUNDS.length).fill(0) });
          acc.n += s.n;
          acc.sum += s.sum;
          s.buckets.forEach((c, i) => {
            acc.buckets[i] += c;
          });
        }
      }
      const count = Math.max(0, ...TIMER_NAMES.map((k) => sum[k]?.n ?? 0));
      if (count === 0) continue;
      const avg = (k: TimerName) => (sum[k]?.n ? Math.round((sum[k]!.sum / sum[k]!.n) * 100) / 100 : null);
      const high = (k: TimerName) => (sum[k] ? p99(sum[k]!.buckets, sum[k]!.n) : null);
      out[member] = {
        source: 'logs',
        per,
        queueMs: avg('queue'),
        connectMs: avg('connect'),
        responseMs: avg('response'),
        totalMs: avg('total'),
        connectHighMs: high('connect'),
        responseHighMs: high('response'),
        totalHighMs: high('total'),
        count,
      };
    }
    return out;
  }
}
