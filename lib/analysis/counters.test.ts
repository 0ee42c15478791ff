import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountersReader, countersFromText, extractCounters, wantedMetric } from './counters';
import { parsePromText } from './promtext';

const fixture = readFileSync(path.join(__dirname, '../../test/fixtures/etcd-3.4.23-single-metrics.txt'), 'utf8');

describe('extractCounters on a real etcd 3.4 page', () => {
  const c = extractCounters(parsePromText(fixture, wantedMetric).samples);

  it('counts KV/Watch/Lease calls as load and leaves Fulcrum’s own Maintenance polls out', () => {
    // The fixture saw 50 Put + 50 Range from etcdctl, plus Status/Alarm/MemberList polls.
    expect(c.counters.requests).toBe(100);
    expect(c.counters.reads).toBe(50);
    expect(c.counters.writes).toBe(50);
  });

  it('reads gauges and histograms', () => {
    expect(c.gauges.quotaBackendBytes).toBe(2147483648);
    expect(c.gauges.isLeader).toBe(1);
    expect(c.gauges.dbTotalBytes).toBeGreaterThan(0);
    expect(c.histograms.grpcLatency?.buckets.at(-1)?.[0]).toBe(Infinity);
    expect(c.histograms.grpcLatency?.buckets.at(-1)?.[1]).toBe(100);
    expect(c.histograms.walFsync?.count).toBeGreaterThan(0);
  });
});

describe('extractCounters', () => {
  it('sums series and sorts histogram buckets', () => {
    const text = [
      'grpc_server_started_total{grpc_service="etcdserverpb.KV",grpc_method="Txn",grpc_type="unary"} 3',
      'grpc_server_started_total{grpc_service="etcdserverpb.Watch",grpc_method="Watch",grpc_type="bidi_stream"} 2',
      'grpc_server_started_total{grpc_service="etcdserverpb.Maintenance",grpc_method="Status",grpc_type="unary"} 99',
      'grpc_server_handled_total{grpc_service="etcdserverpb.KV",grpc_method="Txn",grpc_type="unary",grpc_code="Unavailable"} 1',
      'grpc_server_handled_total{grpc_service="etcdserverpb.KV",grpc_method="Txn",grpc_type="unary",grpc_code="OK"} 2',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="a",le="0.01"} 1',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="b",le="0.01"} 2',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="a",le="+Inf"} 2',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="b",le="+Inf"} 2',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="a",le="0.001"} 0',
    ].join('\n');
    const c = extractCounters(parsePromText(text).samples);
    expect(c.counters.requests).toBe(5);
    expect(c.counters.writes).toBe(3);
    expect(c.counters.reads).toBe(null);
    expect(c.counters.grpcErrors).toBe(1);
    expect(c.histograms.peerRtt?.buckets).toEqual([
      [0.001, 0],
      [0.01, 3],
      [Infinity, 4],
    ]);
    expect(c.gauges.watchStreams).toBeNull();
  });
});

// The poll reads counters straight from the text (countersFromText); the general parser plus
// extractCounters is the reference it must agree with exactly, on real pages and on pages
// changed in every way the text format allows (and some it doesn't).
const gz = (f: string) =>
  gunzipSync(readFileSync(path.join(__dirname, '../../test/fixtures/metrics', f))).toString('utf8');
const REAL_PAGES: Array<[string, string]> = [
  ['single member, idle', fixture],
  ['leader under load', gz('etcd-3.4.23-leader-under-load.txt.gz')],
  ['follower under load', gz('etcd-3.4.23-follower-under-load.txt.gz')],
];
const reference = (text: string) => extractCounters(parsePromText(text).samples);

function expectSame(text: string) {
  const want = reference(text);
  const got = countersFromText(text);
  expect(got).toStrictEqual(want);
  // Object.is per number: 0 and -0 differ, NaN equals NaN.
  expect(isDeepStrictEqual(got, want)).toBe(true);
}

describe('countersFromText (the poll path) equals parsePromText + extractCounters', () => {
  it.each(REAL_PAGES)('on a real etcd 3.4 page: %s', (_, text) => {
    expectSame(text);
    expect(countersFromText(text).counters.requests).not.toBeNull();
  });

  it('reads the load of a member under load', () => {
    const c = countersFromText(REAL_PAGES[1][1]);
    expect(c.counters.reads).toBeGreaterThan(0);
    expect(c.counters.writes).toBeGreaterThan(0);
    expect(c.histograms.grpcLatency?.count).toBeGreaterThan(0);
    expect(c.gauges.isLeader).toBe(1);
  });

  const NAMES = [
    'grpc_server_started_total',
    'grpc_server_handled_total',
    'grpc_server_handling_seconds_bucket',
    'grpc_server_handling_seconds_sum',
    'grpc_server_handling_seconds_count',
    'etcd_network_peer_round_trip_time_seconds_bucket',
    'etcd_disk_wal_fsync_duration_seconds_bucket',
    'etcd_server_is_leader',
    'process_cpu_seconds_total',
    'grpc_server_msg_sent_total',
    'grpc_server_handled_total_x',
    'grpc_server_handled',
    'etcd_unwanted_family',
    '9bad',
  ];
  const KEYS = [
    'grpc_service',
    'grpc_method',
    'grpc_code',
    'grpc_type',
    'le',
    'To',
    'grpc_servic',
    'xle',
    ' le',
    'le ',
  ];
  const VALUES = [
    'etcdserverpb.KV',
    'etcdserverpb.Watch',
    'etcdserverpb.Lease',
    'etcdserverpb.Maintenance',
    'etcdserverpb.K\\V',
    'etcdserverpb.\\KV',
    'Range',
    'Put',
    'Txn',
    'Unavailable',
    'DeadlineExceeded',
    'OK',
    'unary',
    'bidi_stream',
    '0.005',
    '+Inf',
    '',
    'a\\"b',
    'x\\ny',
    '1e-3',
    ' 0.1',
  ];
  const NUMBERS = [
    '0',
    '1',
    '7',
    '12.5',
    '1e3',
    '-0',
    '-3',
    '+Inf',
    '-Inf',
    'Inf',
    'NaN',
    '0x1f',
    '',
    'abc',
    '3 1700000000000',
    '4\t1700000000000',
    '5\r',
    '.5',
  ];
  const SPACES = [' ', '  ', '\t', '\u00a0', ' \t'];
  const SEPS = [',', ', ', ' , ', ',,', ''];

  const labelPair = fc
    .tuple(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), fc.constantFrom(...SEPS))
    .map(([k, v, sep]) => `${k}="${v}"${sep}`);
  const randomLine = fc
    .tuple(
      fc.constantFrom('', ' ', '\t'),
      fc.constantFrom(...NAMES),
      fc.option(fc.array(labelPair, { maxLength: 5 }), { nil: null }),
      fc.constantFrom(...SPACES),
      fc.constantFrom(...NUMBERS),
      fc.constantFrom('', '\r', ' ', '}'),
    )
    .map(([lead, name, labels, sp, value, tail]) =>
      labels === null ? `${lead}${name}${sp}${value}${tail}` : `${lead}${name}{${labels.join('')}}${sp}${value}${tail}`,
    );

  type Edit = (lines: string[], at: number, extra: string) => void;
  const EDITS: Record<string, Edit> = {
    drop: (l, i) => l.splice(i, 1),
    duplicate: (l, i) => l.splice(i, 0, l[i]),
    insert: (l, i, extra) => l.splice(i, 0, extra),
    replaceValue: (l, i, extra) => {
      l[i] = l[i].replace(/ \S+$/, ` ${extra.split(' ').at(-1)}`);
    },
    zeroToOne: (l, i) => {
      l[i] = l[i].replace(/ 0$/, ' 1');
    },
    reorderLabels: (l, i) => {
      l[i] = l[i].replace(/\{([^}]*)\}/, (_, inner: string) => `{${inner.split(',').reverse().join(',')}}`);
    },
    tabs: (l, i) => {
      l[i] = l[i].replace(' ', '\t');
    },
    crlf: (l, i) => {
      l[i] = `${l[i]}\r`;
    },
    indent: (l, i) => {
      l[i] = ` ${l[i]}`;
    },
    escape: (l, i) => {
      l[i] = l[i].replace('etcdserverpb.', 'etcdserverpb\\.');
    },
    spaceInLabels: (l, i) => {
      l[i] = l[i].replace('",', '", ').replace('{', '{ ');
    },
    truncate: (l, i) => {
      l[i] = l[i].slice(0, Math.floor(l[i].length / 2));
    },
    comment: (l, i) => l.splice(i, 0, `# ${l[i]}`),
  };
  const edit = fc.tuple(fc.constantFrom(...Object.keys(EDITS)), fc.nat(), randomLine);

  it('on real pages with random edits (dropped, repeated, reordered, re-spaced, escaped, broken lines)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: REAL_PAGES.length - 1 }),
        fc.array(edit, { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (page, edits, crlf) => {
          const lines = REAL_PAGES[page][1].split('\n');
          for (const [kind, at, extra] of edits) EDITS[kind](lines, at % lines.length, extra);
          expectSame(lines.join(crlf ? '\r\n' : '\n'));
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  it('on generated pages', () => {
    fc.assert(
      fc.property(fc.array(randomLine, { maxLength: 60 }), (lines) => expectSame(lines.join('\n'))),
      { numRuns: 500 },
    );
  }, 60_000);

  it('fed in pieces as they arrive (cut anywhere, even inside a line) equals fed whole', () => {
    fc.assert(
      fc.property(fc.nat({ max: REAL_PAGES.length - 1 }), fc.array(fc.nat(), { maxLength: 80 }), (page, cuts) => {
        const text = REAL_PAGES[page][1];
        const at = [...new Set(cuts.map((c) => c % text.length))].sort((a, b) => a - b);
        const r = new CountersReader();
        let from = 0;
        for (const c of [...at, text.length]) {
          r.feed(text.slice(from, c));
          from = c;
        }
        expect(r.end()).toStrictEqual(countersFromText(text));
      }),
      { numRuns: 30 },
    );
  }, 60_000);
});

describe('per peer and Go runtime', () => {
  it('keeps round trips and failed sends per peer (etcd labels them To=<hex id>), and GC pauses', () => {
    const text = [
      'etcd_network_peer_round_trip_time_seconds_bucket{To="a",le="0.001"} 1',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="a",le="0.2"} 3',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="a",le="+Inf"} 3',
      'etcd_network_peer_round_trip_time_seconds_sum{To="a"} 0.3',
      'etcd_network_peer_round_trip_time_seconds_count{To="a"} 3',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="b",le="0.001"} 2',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="b",le="0.2"} 2',
      'etcd_network_peer_round_trip_time_seconds_bucket{To="b",le="+Inf"} 2',
      'etcd_network_peer_sent_failures_total{To="b"} 7',
      'go_gc_duration_seconds{quantile="0.5"} 0.0001',
      'go_gc_duration_seconds{quantile="1"} 0.25',
      'go_gc_duration_seconds_sum 0.5',
      'go_gc_duration_seconds_count 40',
    ].join('\n');
    const c = extractCounters(parsePromText(text, wantedMetric).samples);
    // The poll's own reader reads the same.
    expect(countersFromText(text)).toStrictEqual(c);
    expect(c.peers?.a.rtt).toEqual({
      buckets: [
        [0.001, 1],
        [0.2, 3],
        [Infinity, 3],
      ],
      count: 3,
      sum: 0.3,
    });
    expect(c.peers?.b.sendFailures).toBe(7);
    expect(c.peers?.a.sendFailures).toBeNull();
    // The sum over peers stays what it was.
    expect(c.histograms.peerRtt?.buckets.at(-1)).toEqual([Infinity, 5]);
    expect(c.counters.peerSendFailures).toBe(7);
    expect(c.gauges.gcPauseMax).toBe(0.25);
    expect(c.counters.gcPauseSeconds).toBe(0.5);
    expect(c.counters.gcCycles).toBe(40);
  });
});
