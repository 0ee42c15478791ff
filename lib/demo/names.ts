// The demo's fault names and their help: plain constants, safe for the browser bundle.

/** The faults dev/faults/ implements (its registry is typed by this list: one fault per name). */
export const DEMO_FAULTS = [
  'skew-weights',
  'pin-load',
  'leader-churn',
  'quota',
  'freeze',
  'kill',
  'tcp-check',
  'freeze-behind-tcp-check',
  'cpu-throttle',
  'check-path',
  'drain',
  'slow-wal',
] as const;
export type DemoFault = (typeof DEMO_FAULTS)[number];

/** One line per fault for the panel. */
export const DEMO_FAULT_HELP: Record<DemoFault, string> = {
  'skew-weights': 'HAProxy runtime weights: one member 80, the others 10 (default: the last member)',
  'pin-load': 'a second load generator on one long-lived gRPC connection (lands where it lands)',
  'leader-churn': 'etcdctl move-leader every 2 s',
  quota: 'fill the small-quota member until NOSPACE is raised',
  freeze: 'SIGSTOP a member (default: etcd-2)',
  kill: 'kill -9 a member (default: etcd-2)',
  'tcp-check': 'reload HAProxy with plain TCP (L4) checks',
  'freeze-behind-tcp-check': 'TCP checks + SIGSTOP: HAProxy keeps the frozen member UP',
  'cpu-throttle': 'CFS quota of 4 ms per 200 ms on a member: it stalls many times a second (default: etcd-2)',
  'check-path': 'reload HAProxy checking /livez, which etcd 3.4 does not serve: every server DOWN',
  drain: 'drain a member at the balancer on purpose (default: the last member)',
  'slow-wal': "throttle writes to the loop device holding a member's WAL (stack started with one)",
};

/** Faults that take a member; pin-load and the cluster-wide ones refuse one (dev/faults.test.ts keeps this equal to dev/faults/). */
export const DEMO_FAULTS_WITH_MEMBER: ReadonlySet<DemoFault> = new Set([
  'skew-weights',
  'quota',
  'freeze',
  'kill',
  'freeze-behind-tcp-check',
  'cpu-throttle',
  'drain',
]);
