// The fleet read from Prometheus: which clusters exist (discovery, every `refresh`) and what
// every member of every discovered cluster is doing now (every `interval`), in a few queries for
// the whole fleet: one per dimension plus one for status and health signals, each grouped by the
// cluster and member labels. Label values from Prometheus are untrusted: names are checked like
// configured names, values bounded; what fails is left out and counted, never crashes a tick.
import type { PromMemberNow } from '../engine/collect';
import type { DiscoveryConfig } from '../config/load';
import { durationMs, LABEL_KEY_RE, MAX_LABEL_VALUE, MAX_LABELS, NAME_RE } from '../config/schema';
import { DIMENSION_IDS, type DimensionId, type MemberSignals } from '../types';
import { promString, type PromSeries } from './prometheus';
import { dimensionQueries, type QueryRunner } from './prometheus-queries';
import { fleetQuery, RECORDED_IDS, type RecordedId } from './prometheus-recorded';

/** Members per discovered cluster, as for a configured one. */
export const MAX_DISCOVERED_MEMBERS = 15;
const MAX_MEMBER_ID = 255;
const CONTROL = /[\u0000-\u001f\u007f]/;

export const SKIP_REASONS = [
  'invalid-name',
  'invalid-member',
  'too-many-members',
  'too-many-clusters',
  'invalid-label',
  'configured',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface DiscoveredCluster {
  name: string;
  /** Member label values, sorted. */
  members: string[];
  labels: Record<string, string>;
}

export interface Discovery {
  /** Sorted by name. */
  clusters: DiscoveredCluster[];
  /** What was left out, by reason (a configured name is not an error, but it is counted). */
  skipped: Record<SkipReason, number>;
}

/** Labels never copied to a cluster's labels: they name the series, not the cluster. */
const NOT_CLUSTER_LABELS = new Set(['__name__', 'instance', 'job', 'fulcrum_q', 'le']);

/** The matchers every fleet query uses: the configured selector, and a non-empty cluster label. */
export function fleetSelector(d: Pick<DiscoveryConfig, 'clusterLabel' | 'selector'>): string {
  return [`${d.clusterLabel}!=""`, d.selector].filter(Boolean).join(',');
}

/**
 * The discovery query: every series of etcd's own `etcd_server_has_leader`, and every scrape
 * target's `up` (so a member that is down still counts as a member when the cluster and member
 * labels are target labels). Grouped by the labels that matter, or raw when cluster labels are
 * taken from whatever the series share.
 */
export function discoveryQuery(d: DiscoveryConfig): string {
  const sel = fleetSelector(d);
  if (d.labels === null) return `etcd_server_has_leader{${sel}} or up{${sel}}`;
  const by = [d.clusterLabel, d.memberLabel, ...d.labels.filter((l) => l !== d.clusterLabel && l !== d.memberLabel)];
  return `group by (${by.join(',')}) (etcd_server_has_leader{${sel}}) or group by (${by.join(',')}) (up{${sel}})`;
}

const emptySkipped = (): Record<SkipReason, number> =>
  Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>;

export function validMemberId(s: string | undefined): boolean {
  return typeof s === 'string' && s.length > 0 && s.length <= MAX_MEMBER_ID && !CONTROL.test(s);
}

/** Clusters, members and labels from the discovery query's series. Pure. */
export function groupDiscovered(series: PromSeries[], d: DiscoveryConfig, configured: ReadonlySet<string>): Discovery {
  const skipped = emptySkipped();
  const badNames = new Set<string>();
  const byName = new Map<
    string,
    { members: Set<string>; badMembers: Set<string>; labelSets: Array<Record<string, string>> }
  >();
  for (const s of series) {
    const name = s.metric[d.clusterLabel];
    if (!name) continue; // not a cluster's series (e.g. `up` of a target without the label)
    if (!NAME_RE.test(name)) {
      badNames.add(name);
      continue;
    }
    let c = byName.get(name);
    if (!c) {
      c = { members: new Set(), badMembers: new Set(), labelSets: [] };
      byName.set(name, c);
    }
    const member = s.metric[d.memberLabel] ?? '';
    if (!validMemberId(member)) {
      if (member) c.badMembers.add(member.slice(0, 300));
      continue;
    }
    c.members.add(member);
    c.labelSets.push(s.metric);
  }
  skipped['invalid-name'] = badNames.size;
  const clusters: DiscoveredCluster[] = [];
  for (const name of [...byName.keys()].sort()) {
    const c = byName.get(name)!;
    skipped['invalid-member'] += c.badMembers.size;
    if (c.members.size === 0) continue;
    if (configured.has(name)) {
      skipped.configured++;
      continue;
    }
    if (clusters.length >= d.maxClusters) {
      skipped['too-many-clusters']++;
      continue;
    }
    const members = [...c.members].sort();
    if (members.length > MAX_DISCOVERED_MEMBERS) skipped['too-many-members'] += members.length - MAX_DISCOVERED_MEMBERS;
    const { labels, invalid } = clusterLabels(c.labelSets, d);
    skipped['invalid-label'] += invalid;
    clusters.push({ name, members: members.slice(0, MAX_DISCOVERED_MEMBERS), labels });
  }
  return { clusters, skipped };
}

/** The configured labels, or those every series of the cluster shares; bounded and checked. */
function clusterLabels(
  sets: Array<Record<string, string>>,
  d: DiscoveryConfig,
): { labels: Record<string, string>; invalid: number } {
  const skip = (k: string) => k === d.clusterLabel || k === d.memberLabel || NOT_CLUSTER_LABELS.has(k);
  const keys = d.labels ?? Object.keys(sets[0] ?? {}).filter((k) => !skip(k));
  const labels: Record<string, string> = {};
  let invalid = 0;
  for (const k of [...keys].sort()) {
    const v = sets[0]?.[k];
    if (v === undefined || sets.some((s) => s[k] !== v)) continue; // not shared by every series
    if (
      !LABEL_KEY_RE.test(k) ||
      v.length > MAX_LABEL_VALUE ||
      CONTROL.test(v) ||
      Object.keys(labels).length >= MAX_LABELS
    ) {
      invalid++;
      continue;
    }
    labels[k] = v;
  }
  return { labels, invalid };
}

// ---------------------------------------------------------------------------------------------
// The fleet tick's queries

/** What one member looks like in the fleet query: the engine's Prometheus view, its values, signals. */
export type FleetMemberNow = PromMemberNow & { signals: Partial<MemberSignals> };

/** Read every tick: who is up and who leads. */
const STATUS_PARTS = ['up', 'leader', 'hasLeader'] as const;
/**
 * What moves slowly (quota, version, health signals): all at the first tick, then one per tick in
 * turn, so no tick carries all their cost.
 */
export const SLOW_PARTS = ['quota', 'version', 'leaderChanges', 'walFsyncP99'] as const;
export type SlowPart = (typeof SLOW_PARTS)[number];
type StatusPart = (typeof STATUS_PARTS)[number] | SlowPart;

/**
 * The queries of one fleet tick: one per dimension, plus one for status (up, leader); and every
 * `refresh` one more for what moves slowly (quota, version, leader changes, WAL fsync p99). The
 * parts of a status query are tagged with a `fulcrum_q` label and joined with `or`.
 */
export function fleetQueries(
  d: DiscoveryConfig,
  rateWindow: string,
  /** Metrics Prometheus has recorded series of (Fulcrum's recording rules): read those instead. */
  recorded: ReadonlySet<RecordedId> = new Set(),
  /** The slow parts this tick asks for. */
  slowParts: readonly SlowPart[] = SLOW_PARTS,
): { dims: Record<DimensionId, string>; status: string; slow: string } {
  const sel = fleetSelector(d);
  const by = `${d.clusterLabel},${d.memberLabel}`;
  const tag = (part: StatusPart, expr: string) => `label_replace(${expr}, "fulcrum_q", "${part}", "", "")`;
  const parts: Record<StatusPart, string> = {
    up: `max by (${by}) (up{${sel}})`,
    leader: `max by (${by}) (etcd_server_is_leader{${sel}})`,
    hasLeader: `max by (${by}) (etcd_server_has_leader{${sel}})`,
    quota: `max by (${by}) (etcd_server_quota_backend_bytes{${sel}})`,
    version: `max by (${by},server_version) (etcd_server_version{${sel}})`,
    leaderChanges: `sum by (${by}) (increase(etcd_server_leader_changes_seen_total{${sel}}[1m]))`,
    walFsyncP99: fleetQuery('walFsyncP99', sel, by, rateWindow, recorded),
  };
  const dims = dimensionQueries(sel, by, rateWindow);
  for (const id of RECORDED_IDS)
    if (id in dims) dims[id as DimensionId] = fleetQuery(id, sel, by, rateWindow, recorded);
  return {
    dims,
    status: STATUS_PARTS.map((p) => tag(p, parts[p])).join(' or '),
    slow: slowParts.map((p) => tag(p, parts[p])).join(' or '),
  };
}

/**
 * Queries one fleet tick sends (one per dimension, status, one slow part); every `refresh` the
 * discovery and the look for recorded series come on top.
 */
export const FLEET_QUERIES_PER_TICK = DIMENSION_IDS.length + 2;
export const FLEET_QUERIES_PER_REFRESH_TICK = FLEET_QUERIES_PER_TICK + 2;

const VERSION_RE = /^[0-9A-Za-z.+-]{1,32}$/;

/** Per cluster, per member: what the fleet tick's answers say. Only known members are kept. Pure. */
export function parseFleet(
  dims: Record<DimensionId, PromSeries[]>,
  status: PromSeries[],
  d: Pick<DiscoveryConfig, 'clusterLabel' | 'memberLabel'>,
  known: ReadonlyArray<Pick<DiscoveredCluster, 'name' | 'members'>>,
  /** The rate() window (s): calls in it approximate the sample count behind a latency p99. */
  rateWindowS = 0,
): Map<string, Map<string, FleetMemberNow>> {
  const out = new Map<string, Map<string, FleetMemberNow>>();
  for (const c of known) {
    const ms = new Map<string, FleetMemberNow>();
    for (const m of c.members)
      ms.set(m, {
        view: { up: false, isLeader: null, hasLeader: null, version: null, dbSizeBytes: null, quotaBackendBytes: null },
        values: Object.fromEntries(DIMENSION_IDS.map((id) => [id, null])) as Record<DimensionId, number | null>,
        signals: {},
      });
    out.set(c.name, ms);
  }
  const at = (s: PromSeries) => out.get(s.metric[d.clusterLabel] ?? '')?.get(s.metric[d.memberLabel] ?? '');
  const num = (s: PromSeries): number | null => {
    const v = s.values[0]?.[1];
    return v === undefined || !Number.isFinite(v) ? null : v;
  };
  const seen = new Set<FleetMemberNow>();
  const sawUp = new Set<FleetMemberNow>();
  for (const s of status) {
    const m = at(s);
    if (!m) continue;
    const v = num(s);
    switch (s.metric.fulcrum_q as StatusPart) {
      case 'up':
        sawUp.add(m);
        m.view.up = v === 1;
        break;
      case 'leader':
        seen.add(m);
        m.view.isLeader = v === null ? null : v > 0;
        break;
      case 'hasLeader':
        seen.add(m);
        m.view.hasLeader = v === null ? null : v > 0;
        break;
      case 'quota':
        m.view.quotaBackendBytes = v;
        break;
      case 'version': {
        const ver = s.metric.server_version;
        if (ver && VERSION_RE.test(ver)) m.view.version = ver;
        break;
      }
      case 'leaderChanges':
        m.signals.leaderChanges = v === null ? null : Math.round(v);
        break;
      case 'walFsyncP99':
        m.signals.walFsyncP99 = v;
        break;
    }
  }
  // Without an `up` carrying the cluster label (labels inside the metrics, not on the target),
  // a member whose etcd series are there is up.
  for (const ms of out.values()) for (const m of ms.values()) if (!sawUp.has(m)) m.view.up = seen.has(m);
  for (const id of DIMENSION_IDS)
    for (const s of dims[id]) {
      const m = at(s);
      if (m?.view.up) m.values[id] = num(s);
    }
  for (const ms of out.values())
    for (const m of ms.values()) {
      m.view.dbSizeBytes = m.values.dbSize;
      if (m.view.hasLeader !== null) m.signals.hasLeader = m.view.hasLeader;
      if (m.values.latencyP99 !== null) {
        m.signals.latencyP99 = m.values.latencyP99;
        const calls = (m.values.reads ?? 0) + (m.values.writes ?? 0);
        if (rateWindowS > 0) m.signals.latencyCount = Math.round(calls * rateWindowS);
      }
    }
  return out;
}

/** Runs the discovery query. Rejects when Prometheus fails. */
export async function discover(
  prom: QueryRunner,
  d: DiscoveryConfig,
  configured: ReadonlySet<string>,
): Promise<Discovery> {
  return groupDiscovered(await prom.query(discoveryQuery(d)), d, configured);
}

/**
 * Runs one fleet tick's queries (with the slow parts `slowParts`). Rejects when any fails.
 * `slowSeries`: the last slow answers; a part asked again replaces its own (the others are read
 * again as they were: up to a few ticks old). The answers cover the whole fleet: `members(known)`
 * reads them for the clusters known once they arrive (a discovery running meanwhile may have
 * added some).
 */
export async function fetchFleetNow(
  prom: QueryRunner,
  d: DiscoveryConfig,
  rateWindow: string,
  opts: { slowParts: readonly SlowPart[]; slowSeries: PromSeries[]; recorded?: ReadonlySet<RecordedId> },
): Promise<{
  members(known: ReadonlyArray<Pick<DiscoveredCluster, 'name' | 'members'>>): Map<string, Map<string, FleetMemberNow>>;
  slowSeries: PromSeries[];
}> {
  const q = fleetQueries(d, rateWindow, opts.recorded, opts.slowParts);
  const [dimResults, status, slowNow] = await Promise.all([
    Promise.all(DIMENSION_IDS.map((id) => prom.query(q.dims[id]))),
    prom.query(q.status),
    opts.slowParts.length ? prom.query(q.slow) : Promise.resolve([]),
  ]);
  const asked = new Set<string>(opts.slowParts);
  const slow = [...opts.slowSeries.filter((s) => !asked.has(s.metric.fulcrum_q ?? '')), ...slowNow];
  const dims = Object.fromEntries(DIMENSION_IDS.map((id, k) => [id, dimResults[k]])) as Record<
    DimensionId,
    PromSeries[]
  >;
  return {
    members: (known) => parseFleet(dims, [...status, ...slow], d, known, durationMs(rateWindow) / 1000),
    slowSeries: slow,
  };
}

/** A discovered cluster's selector for its own history (range) queries. */
export function discoveredClusterSelector(d: Pick<DiscoveryConfig, 'clusterLabel' | 'selector'>, name: string): string {
  return [`${d.clusterLabel}=${promString(name)}`, d.selector].filter(Boolean).join(',');
}
