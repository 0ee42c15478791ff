// One log line → LogLine: try the formats that source can hold, keep anything else as raw text.
import type { LogFormat, LogLine, LogSource } from '../types';
import { DEFAULT_CONTEXT, type ParseContext, type Parsed } from './common';
import { parseEtcdJson, parseEtcdText } from './etcd';
import { parseHaproxy } from './haproxy';
import { parseNginxAccess, parseNginxError } from './nginx';
import { matchSignals } from './signals';

export { DEFAULT_CONTEXT, type ParseContext } from './common';
export { ANY_TEXT_SIGNAL, hasFieldSignals, matchSignals } from './signals';

type Parser = (line: string, ctx: ParseContext) => Parsed | null;

const PARSERS: Record<Exclude<LogFormat, 'raw'>, Parser> = {
  'etcd-json': parseEtcdJson,
  'etcd-text': parseEtcdText,
  haproxy: parseHaproxy,
  'nginx-access': parseNginxAccess,
  'nginx-error': parseNginxError,
};

const ORDER: Record<LogSource, Array<Exclude<LogFormat, 'raw'>>> = {
  member: ['etcd-json', 'etcd-text'],
  balancer: ['haproxy', 'nginx-access', 'nginx-error', 'etcd-json'],
};

/** Reads the format and fields of a line without signals or source (for time probes). */
export function parseFields(line: string, source: LogSource, ctx: ParseContext = DEFAULT_CONTEXT): Parsed {
  const first = line.charCodeAt(0);
  for (const f of ORDER[source]) {
    // Cheap shape checks before running a regex or JSON.parse.
    if (f === 'etcd-json' && first !== 123 /* { */ && line.trimStart()[0] !== '{') continue;
    if (f === 'etcd-text' && !(first >= 48 && first <= 57) && !/^[A-Z<]/.test(line)) continue;
    const p = PARSERS[f](line, ctx);
    if (p) return p;
  }
  return { t: null, level: null, msg: line, fields: {}, format: 'raw' };
}

/** A full LogLine: parsed, with its signals. Unparseable lines come back as format 'raw'. */
export function parseLine(
  line: string,
  source: LogSource,
  ctx: ParseContext = DEFAULT_CONTEXT,
  member: string | null = null,
): LogLine {
  const raw = line.endsWith('\r') ? line.slice(0, -1) : line;
  const p = parseFields(raw, source, ctx);
  return { ...p, member, source, raw, signals: matchSignals(source, raw, p.fields) };
}

/** Only the time of a line (null when it has none): what the file reader's binary search needs. */
export function lineTime(line: string, source: LogSource, ctx: ParseContext = DEFAULT_CONTEXT): number | null {
  return parseFields(line, source, ctx).t;
}
