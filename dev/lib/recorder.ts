// Records what Fulcrum's sources return from the real local stack, poll by poll, through a
// scenario, into a fixture that unit tests replay through the engine (lib/engine/recording.ts).
// The engine is ticked directly (no scheduler), so a busy machine slows the recording but never
// makes it skip polls. Each member's probe (the timed Status call) is recorded with its poll.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseConfig } from '../../lib/config/load';
import { ClusterEngine } from '../../lib/engine/cluster';
import { encodeSamples, type RecordedTick, type Recording } from '../../lib/engine/recording';
import { EtcdMemberSource, type MemberPoll } from '../../lib/sources/etcd';
import { type HaproxySnapshot, HaproxySource } from '../../lib/sources/haproxy';
import { injectFault } from '../faults';
import type { FaultName } from '../faults/fault';
import { type Stack, type StackOptions, startStack } from '../stack';

/** Records `n` polls under the phase name; logs what the engine concluded. */
export type RunPhase = (phase: string, n: number) => Promise<void>;
/** Injects the fault, records `n` polls under the phase name, then undoes the fault. */
export type RunFaultPhase = (fault: FaultName, phase: string, n: number) => Promise<void>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function recordScenario(
  stackOptions: Omit<StackOptions, 'dir'>,
  out: string,
  scenario: (stack: Stack, run: RunPhase, runUnder: RunFaultPhase) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-record-'));
  const stack = await startStack({ ...stackOptions, dir });
  try {
    const text = readFileSync(stack.configFile, 'utf8');
    const cfg = parseConfig(text, stack.configFile, {});
    const cluster = cfg.clusters[0];
    const real = new Map(cluster.endpoints.map((e) => [e.url, new EtcdMemberSource(e, cluster, cfg.timeoutMs)]));
    const b = cluster.balancer!;
    const realB = new HaproxySource(
      b.type === 'haproxy' ? b.runtimeApi : '',
      b.type === 'haproxy' ? b.backend : 'etcd',
      cfg.timeoutMs,
      // Its config file says which check runs (path, expectation): recorded with each snapshot.
      b.type === 'haproxy' ? (b.configFile ?? null) : null,
    );
    let current: RecordedTick = { t: 0, phase: '', polls: {}, balancer: null, balancerError: null };
    const ticks: RecordedTick[] = [];
    const engine = new ClusterEngine(cfg, cluster, {
      now: () => current.t,
      memberSource: (e) => ({
        endpoint: e.url,
        probe: () => real.get(e.url)!.probe(),
        async poll(o): Promise<MemberPoll> {
          const p = await real.get(e.url)!.poll(o);
          current.polls[e.url] = p;
          return p;
        },
        close: () => real.get(e.url)!.close(),
      }),
      balancerSource: {
        async poll(): Promise<HaproxySnapshot> {
          try {
            const s = await realB.poll();
            current.balancer = s;
            return s;
          } catch (err) {
            current.balancerError = (err as Error).message;
            throw err;
          }
        },
      },
    });
    const run: RunPhase = async (phase, n) => {
      for (let i = 0; i < n; i++) {
        const start = Date.now();
        current = { t: start, phase, polls: {}, balancer: null, balancerError: null };
        await engine.tick();
        ticks.push(current);
        await sleep(Math.max(0, cfg.pollIntervalMs - (Date.now() - start)));
      }
      const s = engine.state();
      console.log(
        `${phase}: ${n} polls, members ${s.members.map((m) => `${m.name}=${m.status}`).join(' ')}, findings ${s.findings.map((f) => `${f.kind}/${f.severity}`).join(',') || 'none'}`,
      );
    };
    const runUnder: RunFaultPhase = async (fault, phase, n) => {
      const f = await injectFault(stack, fault);
      await run(phase, n);
      await f.undo();
    };
    await scenario(stack, run, runUnder);
    await engine.stop();
    const recording: Recording = {
      recordedAt: new Date().toISOString(),
      // Paths and sockets of the run dir mean nothing later: replay uses recorded answers only.
      config: text.replace(/\n\s*logs:[\s\S]*$/, '\n').replace(/runtimeApi: .*/, 'runtimeApi: /replay/haproxy.sock'),
      members: stack.cluster.members.map((m) => ({ name: m.name, url: m.clientUrl })),
      ticks,
    };
    writeFileSync(out, gzipSync(encodeSamples(recording)));
    console.log(`wrote ${out} (${ticks.length} polls)`);
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `--out <file>` from the command line, else the default. */
export const outArg = (fallback: string) =>
  process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : fallback;
