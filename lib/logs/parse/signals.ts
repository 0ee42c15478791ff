// Which known signals a parsed line carries (see SIGNALS in ../types).
import { SIGNALS, type LogSource, type SignalSpec } from '../types';

const TEXT_SIGNALS: Record<LogSource, SignalSpec[]> = {
  member: SIGNALS.filter((s) => !('field' in s) && (s.sources as readonly string[]).includes('member')),
  balancer: SIGNALS.filter((s) => !('field' in s) && (s.sources as readonly string[]).includes('balancer')),
};
const FIELD_SIGNALS: Record<LogSource, SignalSpec[]> = {
  member: SIGNALS.filter((s) => 'field' in s && (s.sources as readonly string[]).includes('member')),
  balancer: SIGNALS.filter((s) => 'field' in s && (s.sources as readonly string[]).includes('balancer')),
};

/** One regex for every text signal of a source: a cheap test before parsing a line at all. */
export const ANY_TEXT_SIGNAL: Record<LogSource, RegExp> = {
  member: new RegExp(TEXT_SIGNALS.member.map((s) => `(?:${s.re.source})`).join('|'), 'i'),
  balancer: new RegExp(TEXT_SIGNALS.balancer.map((s) => `(?:${s.re.source})`).join('|'), 'i'),
};

/** Whether a source has signals read from parsed fields (then every line must be parsed). */
export function hasFieldSignals(source: LogSource): boolean {
  return FIELD_SIGNALS[source].length > 0;
}

/** Signal ids of a line, in SIGNALS order. `raw` is the whole line, `msg` its message. */
export function matchSignals(source: LogSource, raw: string, fields: Record<string, string>): string[] {
  const out: string[] = [];
  const textHit = ANY_TEXT_SIGNAL[source].test(raw);
  for (const s of SIGNALS) {
    if (!(s.sources as readonly string[]).includes(source)) continue;
    if ('field' in s) {
      const v = fields[s.field];
      if (v !== undefined && s.re.test(v)) out.push(s.id);
    } else if (textHit && s.re.test(raw)) {
      out.push(s.id);
    }
  }
  return out;
}
