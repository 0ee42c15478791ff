// One poll of a balancer, whatever its kind: what the HAProxy source (runtime API + config) and
// the NGINX source (config + logs, or the Plus API) both return. Counters are cumulative (since
// the balancer or Fulcrum started); the analysis takes their increases over its windows.
import type { BalancerServer, BalancerState } from '../types';
import type { HaproxyTimers } from './haproxy';

export interface BalancerServerSample {
  name: string;
  /** host:port the server points at. */
  address: string;
  /** Other addresses it may show up as (an NGINX server written as a host name: its IPs). */
  aliases?: string[];
  /** UP…, DOWN…, MAINT, DRAIN, BACKUP, "no check"… */
  status: string;
  weight: number;
  initialWeight: number | null;
  checkLayer: BalancerServer['checkLayer'];
  /** Active checks unless said otherwise (HAProxy has no passive ones worth the name). */
  checkMode?: BalancerServer['checkMode'];
  checkStatus: string | null;
  /** HTTP status the last layer-7 check got (HAProxy `check_code`). */
  checkCode?: string | null;
  checkDesc: string | null;
  /** Seconds since the last UP/DOWN transition (HAProxy `lastchg`). */
  lastChange?: number | null;
  /** HAProxy's proxy mode and its own timers (averages over its last 1024 sessions). */
  mode?: 'tcp' | 'http' | null;
  timers?: HaproxyTimers | null;
  scur: number;
  /** Sessions (or requests) so far. */
  stot: number;
  econ: number;
  eresp: number;
  wretr: number;
  wredis: number;
  hrsp5xx: number;
  srvAbrt: number;
  /** NGINX passive checks. */
  maxFails?: number;
  failTimeoutMs?: number;
  backup?: boolean;
  down?: boolean;
  maxConns?: number;
  /** Sum and count of session/request times, ms (NGINX logs). */
  timeMsSum?: number;
  timeCount?: number;
}

export interface BalancerSample {
  t: number;
  backend: string;
  servers: BalancerServerSample[];
  check: (NonNullable<BalancerState['check']> & { expect?: string | null }) | null;
  /** Why the config could not be read this poll (the last good one is used). */
  configError: string | null;
  /** Log problems short of failing. */
  logErrors?: string[];
  protocol?: BalancerState['protocol'];
  /** NGINX only. */
  nginx?: {
    upstreamAt: string | null;
    directives: string[];
    /** Cumulative `no live upstreams`. */
    noLiveUpstreams: number;
    formatMissing: string[];
    plus: boolean;
  };
}
