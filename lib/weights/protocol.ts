// HAProxy agent-check, the agent's side: reading the `agent-send` line a check sends, naming the
// member it asks about, and reading the audit log back after a restart. Pure.
//
// HAProxy connects to the agent for every check (every `agent-inter`), sends the server's
// `agent-send` string verbatim (if configured), and reads one line back (configuration manual,
// "agent-check"/"agent-send"). Fulcrum asks that the string name the member, newline-terminated:
// its name (`etcd-2`), its client host:port (`10.0.1.12:2379`), or either prefixed with the
// cluster (`prod-main/etcd-2`) when several clusters share names.
import { z } from 'zod';
import { hostPortOf } from '../hostport';
import type { AgentAuditEntry } from '../types';

/** Longest agent-send line accepted (bytes, without the newline). */
export const MAX_LINE_BYTES = 256;

export type LineResult =
  | { kind: 'line'; line: string }
  | { kind: 'more' }
  | { kind: 'bad'; reason: 'too-long' | 'not-text' };

/** The first line of what a check sent so far: complete, not yet, or not acceptable. */
export function readLine(buf: Buffer): LineResult {
  const nl = buf.indexOf(0x0a);
  const end = nl >= 0 ? nl : buf.length;
  if (end > MAX_LINE_BYTES) return { kind: 'bad', reason: 'too-long' };
  for (let i = 0; i < end; i++) {
    const b = buf[i];
    // Printable ASCII, space, tab and a CR before the newline: anything else is not a name.
    if (!((b >= 0x20 && b <= 0x7e) || b === 0x09 || (b === 0x0d && i === end - 1)))
      return { kind: 'bad', reason: 'not-text' };
  }
  if (nl < 0) return { kind: 'more' };
  return { kind: 'line', line: buf.subarray(0, nl).toString('latin1').trim() };
}

export interface AgentCluster {
  name: string;
  members: ReadonlyArray<{ name: string; endpoint: string }>;
}

export type Resolved =
  | { ok: true; cluster: string; endpoint: string; member: string }
  | { ok: false; reason: 'empty' | 'unknown' | 'ambiguous' };

/** Names a member by the agent-send line: name, host:port, the URL, each optionally prefixed by `cluster/`. */
export function resolveMember(line: string, clusters: readonly AgentCluster[]): Resolved {
  const key = line.trim();
  if (!key) return { ok: false, reason: 'empty' };
  const slash = key.indexOf('/');
  const scoped = slash > 0 && !key.includes('://') ? { cluster: key.slice(0, slash), id: key.slice(slash + 1) } : null;
  const hits: Array<{ cluster: string; endpoint: string; member: string }> = [];
  for (const c of clusters) {
    if (scoped && scoped.cluster !== c.name) continue;
    const id = scoped ? scoped.id : key;
    for (const m of c.members) {
      if (m.name === id || hostPortOf(m.endpoint) === id || m.endpoint === id)
        hits.push({ cluster: c.name, endpoint: m.endpoint, member: m.name });
    }
  }
  if (hits.length === 0) return { ok: false, reason: 'unknown' };
  if (hits.length > 1) return { ok: false, reason: 'ambiguous' };
  return { ok: true, ...hits[0] };
}

const AuditLine = z.object({
  t: z.number().int().min(0),
  cluster: z.string().max(63),
  member: z.string().max(255),
  endpoint: z.string().max(2048),
  server: z.string().max(255).nullable(),
  peer: z.string().max(300),
  by: z.string().max(300),
  before: z.number().min(0).max(100_000).nullable(),
  after: z.number().min(0).max(100_000).nullable(),
  reply: z.string().max(200),
  why: z.string().max(1000),
});

/** The audit lines in `text` (JSON lines; a damaged or foreign line is skipped, never fatal). */
export function parseAudit(text: string): AgentAuditEntry[] {
  const out: AgentAuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = AuditLine.safeParse(JSON.parse(line));
      if (r.success) out.push(r.data);
    } catch {
      // a torn last line after a crash, or not ours: skip it
    }
  }
  return out;
}

/** One audit line as written to the file (no newline inside: JSON escapes them). */
export function auditLine(e: AgentAuditEntry): string {
  return `${JSON.stringify(e)}\n`;
}
