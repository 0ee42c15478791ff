// A parser for the Prometheus text exposition format (what etcd serves on /metrics).
// Pure and tolerant: a malformed line is counted and skipped, never thrown on.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParseResult {
  samples: PromSample[];
  malformed: number;
}

function parseValue(raw: string): number {
  switch (raw) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
    default:
      return raw === '' ? NaN : Number(raw);
  }
}

/** Parses `{a="x",b="y\"z"}` starting at `start` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } | null {
  const labels: Record<string, string> = {};
  let i = start + 1;
  const n = line.length;
  for (;;) {
    while (i < n && (line[i] === ' ' || line[i] === ',')) i++;
    if (i >= n) return null;
    if (line[i] === '}') return { labels, end: i + 1 };
    const eq = line.indexOf('=', i);
    if (eq < 0) return null;
    const key = line.slice(i, eq).trim();
    if (!key || line[eq + 1] !== '"') return null;
    let j = eq + 2;
    let val = '';
    for (;;) {
      if (j >= n) return null;
      const c = line[j];
      if (c === '\\') {
        const d = line[j + 1];
        val += d === 'n' ? '\n' : d;
        j += 2;
      } else if (c === '"') {
        j++;
        break;
      } else {
        val += c;
        j++;
      }
    }
    labels[key] = val;
    i = j;
  }
}

/**
 * Parses exposition text. `wanted` filters by metric name before labels are parsed, which
 * keeps polling cheap (etcd exposes thousands of series with `--metrics extensive`).
 */
export function parsePromText(text: string, wanted?: (name: string) => boolean): ParseResult {
  const samples: PromSample[] = [];
  let malformed = 0;
  let pos = 0;
  const len = text.length;
  while (pos < len) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = len;
    const line = text.slice(pos, nl).trim();
    pos = nl + 1;
    if (line === '' || line[0] === '#') continue;
    let nameEnd = 0;
    while (nameEnd < line.length && line[nameEnd] !== '{' && line[nameEnd] !== ' ' && line[nameEnd] !== '\t') nameEnd++;
    const name = line.slice(0, nameEnd);
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) {
      malformed++;
      continue;
    }
    if (wanted && !wanted(name)) continue;
    let labels: Record<string, string> = {};
    let rest = nameEnd;
    if (line[nameEnd] === '{') {
      const parsed = parseLabels(line, nameEnd);
      if (!parsed) {
        malformed++;
        continue;
      }
      labels = parsed.labels;
      rest = parsed.end;
    }
    const fields = line.slice(rest).trim().split(/\s+/);
    const value = parseValue(fields[0] ?? '');
    if (Number.isNaN(value) && fields[0] !== 'NaN') {
      malformed++;
      continue;
    }
    samples.push({ name, labels, value });
  }
  return { samples, malformed };
}
