// An NGINX `log_format` compiled into a line matcher: the format's literal text must appear as
// written, each `$variable` takes what lies between. No regular expression backtracking: each
// variable ends at the first occurrence of the literal that follows it, except list variables
// (`$upstream_addr` "a:1, b:2 : c:3") which skip their own ", " and " : " separators. Pure.

export type LogPart = { lit: string } | { v: string };

/** Variables whose value is a list over upstream tries ("a, b : c"). */
const LIST_VARS =
  /^upstream_(addr|status|response_time|connect_time|header_time|bytes_sent|bytes_received|session_time|response_length|first_byte_time)$/;

export function parseLogFormat(format: string): LogPart[] {
  const parts: LogPart[] = [];
  let lit = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c === '$') {
      const braced = /^\$\{([A-Za-z0-9_]+)\}/.exec(format.slice(i));
      const plain = /^\$([A-Za-z0-9_]+)/.exec(format.slice(i));
      const m = braced ?? plain;
      if (m) {
        if (lit) parts.push({ lit });
        lit = '';
        parts.push({ v: m[1] });
        i += m[0].length;
        continue;
      }
    }
    lit += c;
    i++;
  }
  if (lit) parts.push({ lit });
  return parts;
}

export interface CompiledFormat {
  parts: LogPart[];
  vars: string[];
  /** Variables' values from one line, or null when the line does not have the format's shape. */
  match(line: string): Record<string, string> | null;
}

/** `at` is inside a list separator (", " or " : ") rather than at the end of the value. */
function isListSeparatorAt(line: string, at: number): boolean {
  return (
    line.startsWith(', ', at) ||
    line.startsWith(' : ', at) ||
    (line[at] === ' ' && (line[at - 1] === ',' || (line[at - 1] === ':' && line[at - 2] === ' ')))
  );
}

export function compileLogFormat(format: string): CompiledFormat {
  const parts = parseLogFormat(format);
  const vars = parts.flatMap((p) => ('v' in p ? [p.v] : []));
  return {
    parts,
    vars,
    match(line) {
      const out: Record<string, string> = {};
      let pos = 0;
      for (let k = 0; k < parts.length; k++) {
        const p = parts[k];
        if ('lit' in p) {
          if (!line.startsWith(p.lit, pos)) return null;
          pos += p.lit.length;
          continue;
        }
        const next = parts[k + 1];
        if (!next) {
          out[p.v] = line.slice(pos);
          pos = line.length;
          continue;
        }
        // two variables in a row: nothing tells where the first ends
        if (!('lit' in next)) return null;
        let at = line.indexOf(next.lit, pos);
        if (LIST_VARS.test(p.v)) while (at >= 0 && isListSeparatorAt(line, at)) at = line.indexOf(next.lit, at + 1);
        if (at < 0) return null;
        out[p.v] = line.slice(pos, at);
        pos = at;
      }
      return pos === line.length ? out : null;
    },
  };
}

/** Splits a list variable's value into its tries: "a:1, b:2 : c:3" → ["a:1","b:2","c:3"]. */
export function listValues(v: string | undefined): string[] {
  if (!v || v === '-') return [];
  return v
    .split(/\s*,\s*|\s+:\s+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Seconds ("0.004", "-") → ms, or null. */
export function secondsToMs(v: string | undefined): number | null {
  if (!v || v === '-') return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n * 1000 : null;
}

export interface FormatCheck {
  ok: boolean;
  /** What the detectors will not get from this format. */
  missing: string[];
  error: string | null;
}

/** Whether a format carries what Fulcrum needs: `$upstream_addr` at least. */
export function checkLogFormat(parts: LogPart[], context: 'stream' | 'http'): FormatCheck {
  const vars = new Set(parts.flatMap((p) => ('v' in p ? [p.v] : [])));
  if (!vars.has('upstream_addr'))
    return {
      ok: false,
      missing: ['upstream_addr'],
      error: 'the access log format has no $upstream_addr: Fulcrum cannot tell which member served a line',
    };
  for (let k = 0; k + 1 < parts.length; k++)
    if ('v' in parts[k] && 'v' in parts[k + 1])
      return {
        ok: false,
        missing: [],
        error: `the access log format puts $${(parts[k] as { v: string }).v} and $${(parts[k + 1] as { v: string }).v} with nothing between them: lines can't be split`,
      };
  const missing: string[] = [];
  if (!vars.has('status')) missing.push('status');
  if (context === 'stream') {
    if (!vars.has('session_time')) missing.push('session_time');
    if (!vars.has('bytes_sent') && !vars.has('upstream_bytes_received')) missing.push('bytes_sent');
  } else {
    if (!vars.has('upstream_status')) missing.push('upstream_status');
    if (!vars.has('request_time') && !vars.has('upstream_response_time')) missing.push('request_time');
  }
  return { ok: true, missing, error: null };
}
