// CPU profiles for benchmarks: the V8 sampling profiler through node:inspector (in process, no
// flags), summarised as the functions with the most self time.
import { Session } from 'node:inspector/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

export class CpuProfiler {
  private session = new Session();

  async start(intervalUs = 500): Promise<void> {
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await this.session.post('Profiler.start');
  }

  /** Stops and returns the `top` functions by self time (same name and file merged). */
  async stop(top = 12): Promise<ProfileEntry[]> {
    const { profile } = (await this.session.post('Profiler.stop')) as unknown as { profile: Profile };
    this.session.disconnect();
    return summarise(profile, top);
  }
}

function shortUrl(url: string): string {
  if (!url) return '';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm + 'node_modules/'.length);
  return path.relative(process.cwd(), u);
}

export function summarise(p: Profile, top: number): ProfileEntry[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { name: string; where: string; us: number }>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const n = byId.get(id);
    if (!n) return;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)') return;
    const where = shortUrl(n.callFrame.url);
    const key = `${name}|${where}`;
    const e = self.get(key) ?? { name, where, us: 0 };
    e.us += dt;
    self.set(key, e);
    total += dt;
  });
  return [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, share: total ? e.us / total : 0 }));
}

export function profileTable(entries: ProfileEntry[]): string {
  const rows = entries.map((e) => `| ${(e.share * 100).toFixed(1)} % | \`${e.name}\` | ${e.where || '(native)'} |`);
  return ['| self time | function | where |', '|---:|---|---|', ...rows].join('\n');
}
