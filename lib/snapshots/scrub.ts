// Defence in depth: the public config is built from an allow-list, but error messages and log
// lines are free text. Before a snapshot is stored, every string in it is scrubbed of the
// secrets this Fulcrum knows (passwords, tokens, TLS key material, the database URL) and of
// credential-looking fields (Authorization headers, password=…, token=…).
import type { FulcrumConfig } from '../config/load';

const MIN_SECRET = 6;
export const REDACTED = '[redacted]';

/** Every secret value in the config (and the pieces of it that could show up alone). */
export function configSecrets(cfg: FulcrumConfig, env: Record<string, string | undefined> = process.env): string[] {
  const out = new Set<string>();
  const add = (s: string | null | undefined) => {
    if (s && s.length >= MIN_SECRET) out.add(s);
  };
  for (const c of cfg.clusters) {
    add(c.auth?.password.reveal());
    // Loki's token is read from its env var at query time: scrub its value too.
    const lokiEnv = c.logs?.loki?.bearerTokenEnv;
    if (lokiEnv) add(env[lokiEnv]);
    const key = c.tls?.key?.reveal();
    if (key) {
      const text = key.toString('utf8');
      add(text.trim());
      // PEM body lines: any one of them alone is key material.
      for (const line of text.split(/\r?\n/))
        if (!line.startsWith('-----') && line.trim().length >= 16) add(line.trim());
    }
  }
  add(cfg.prometheus?.bearerToken?.reveal());
  add(cfg.auth.adminToken?.reveal());
  const db = cfg.snapshots.databaseUrl?.reveal();
  if (db) {
    add(db);
    try {
      add(decodeURIComponent(new URL(db).password));
    } catch {
      // not a URL: the whole value is already listed
    }
  }
  // Longest first, so a secret containing another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

const CREDENTIAL_PATTERNS: RegExp[] = [
  // Authorization: Bearer xyz / "authorization":"Basic xyz"
  /(\b(?:proxy-)?authorization\b["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token|digest)\s+)?[^\s"',;]+/gi,
  // password=xyz, "token": "xyz", api_key: xyz
  /(\b(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key)\b["']?\s*[:=]\s*["']?)[^\s"',;&}]+/gi,
  // scheme://user:password@host
  /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+:)[^\s@/"']+(?=@)/gi,
];

export function scrubText(s: string, secrets: readonly string[]): string {
  let out = s;
  for (const sec of secrets) if (out.includes(sec)) out = out.split(sec).join(REDACTED);
  for (const re of CREDENTIAL_PATTERNS) out = out.replace(re, `$1${REDACTED}`);
  return out;
}

/** A deep copy of `value` with every string scrubbed (object keys are left alone). */
export function scrubDeep<T>(value: T, secrets: readonly string[]): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrubText(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = walk(x);
      return o;
    }
    return v;
  };
  return walk(value) as T;
}
