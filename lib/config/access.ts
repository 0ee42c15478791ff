// Who may do what, and how Fulcrum sits on the network: the `auth` and `server` sections of the
// config. Tokens come from environment variables (never the file); proxy headers are believed
// only from the addresses in server.trustedProxies.
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { Secret } from './secret';

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const HEADER_NAME = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,64}$/, 'an HTTP header name such as X-Forwarded-User')
  .refine((h) => !['authorization', 'cookie', 'host', 'x-forwarded-for'].includes(h.toLowerCase()), {
    message: 'not a credentials, host or address header',
  });
const GROUP = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\s,\u0000-\u001f\u007f]+$/, 'a group name without spaces, commas or control characters');

export const AuthSchema = z
  .object({
    /** Name of the environment variable holding the shared admin token. Never the token itself. */
    adminTokenEnv: z.string().regex(ENV_NAME, 'an environment variable name such as FULCRUM_ADMIN_TOKEN').optional(),
    /** Name of the environment variable holding viewer tokens (read-only), separated by commas or spaces. */
    viewerTokensEnv: z
      .string()
      .regex(ENV_NAME, 'an environment variable name such as FULCRUM_VIEWER_TOKENS')
      .optional(),
    /** Header an authenticating proxy sets to the user's name (X-Forwarded-User); only from server.trustedProxies. */
    userHeader: HEADER_NAME.optional(),
    /** Header an authenticating proxy sets to the user's groups, comma-separated (X-Forwarded-Groups). */
    groupsHeader: HEADER_NAME.optional(),
    /** Proxy users in any of these groups are admins. */
    adminGroups: z.array(GROUP).max(64).default([]),
    /** Proxy users in any of these groups are viewers; empty: every user the proxy lets through is. */
    viewerGroups: z.array(GROUP).max(64).default([]),
    /** Who may read member logs through the API and the member page. */
    logs: z.enum(['viewer', 'admin'], { message: 'viewer or admin' }).default('viewer'),
    /** How long a login lasts. */
    sessionHours: z
      .number()
      .min(0.1)
      .max(24 * 30)
      .default(12),
  })
  .strict();

/** `10.0.0.0/8`, `192.168.1.7`, `::1`, `fd00::/8`. */
export function parseCidr(s: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const m = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(s.trim());
  if (!m) return null;
  const v = isIP(m[1]);
  if (v === 0) return null;
  const max = v === 4 ? 32 : 128;
  const prefix = m[2] === undefined ? max : Number(m[2]);
  if (prefix > max) return null;
  return { address: m[1], prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** A CSP host-source for frame-ancestors: 'none', 'self', or a scheme://host[:port] (host may start with *.). */
const FRAME_ANCESTOR = /^(?:'none'|'self'|https?:\/\/(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?)$/;

export const ServerSchema = z
  .object({
    /** The URL people reach Fulcrum at (https://fulcrum.example.com): absolute links are built from it, never from request headers. */
    publicUrl: z
      .string()
      .max(2048)
      .refine(
        (s) => {
          try {
            const u = new URL(s);
            return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && !u.search;
          } catch {
            return false;
          }
        },
        { message: 'an http(s) URL such as https://fulcrum.example.com (no credentials or query)' },
      )
      .optional(),
    /** Addresses (CIDRs) of reverse proxies whose X-Forwarded-For and user/group headers are believed. */
    trustedProxies: z
      .array(z.string().refine((s) => parseCidr(s) !== null, { message: 'an IP address or CIDR such as 10.0.0.0/8' }))
      .max(256)
      .default([]),
    /** CSP frame-ancestors: who may embed Fulcrum's pages in a frame ('none' by default). */
    frameAncestors: z
      .array(z.string().regex(FRAME_ANCESTOR, "'none', 'self' or an origin such as https://grafana.example.com"))
      .min(1)
      .max(32)
      .default(["'none'"])
      .refine((a) => !a.includes("'none'") || a.length === 1, { message: "'none' goes alone" }),
    /** Open streams (cluster and fleet together) one client may hold; more get 429. */
    maxStreamsPerClient: z.number().int().min(1).max(10_000).default(20),
    /** A stream is closed after this long (the browser reconnects by itself): revoked logins and rebalancing take effect. */
    maxStreamAgeMs: z
      .number()
      .int()
      .min(10_000)
      .max(7 * 24 * 3600_000)
      .default(30 * 60_000),
  })
  .strict();

export type RawAuth = z.infer<typeof AuthSchema>;
export type RawServer = z.infer<typeof ServerSchema>;

export interface AuthConfig {
  /** Shared admin token (from the env var named by auth.adminTokenEnv); null: none. */
  adminToken: Secret | null;
  adminTokenEnv: string | null;
  /** Viewer (read-only) tokens from auth.viewerTokensEnv. */
  viewerTokens: Secret[];
  /** Header naming the user, set by an authenticating proxy (believed only from trusted proxies). */
  userHeader: string | null;
  groupsHeader: string | null;
  adminGroups: string[];
  viewerGroups: string[];
  /** Who may read logs. */
  logs: 'viewer' | 'admin';
  sessionTtlMs: number;
  /** Reads (pages, streams, the read API) need a viewer or admin. */
  readRequired: boolean;
  /** Writes need an admin. False: no access control at all (anyone who reaches Fulcrum may write, from this site). */
  writeRequired: boolean;
}

export interface ServerConfig {
  publicUrl: string | null;
  trustedProxies: string[];
  /** A matcher over trustedProxies. */
  trusted: BlockList;
  frameAncestors: string[];
  maxStreamsPerClient: number;
  maxStreamAgeMs: number;
}

export const MIN_TOKEN_CHARS = 16;

/** Checks the access sections against each other and the environment; throws Error with the field's name. */
export function resolveAccess(
  a: RawAuth,
  s: RawServer,
  env: Record<string, string | undefined>,
): { auth: AuthConfig; server: ServerConfig } {
  let adminToken: Secret | null = null;
  if (a.adminTokenEnv) {
    const tok = env[a.adminTokenEnv];
    if (!tok) throw new Error(`auth.adminTokenEnv: environment variable ${a.adminTokenEnv} is not set`);
    if (tok.length < MIN_TOKEN_CHARS)
      throw new Error(
        `auth.adminTokenEnv: the token in ${a.adminTokenEnv} is shorter than ${MIN_TOKEN_CHARS} characters`,
      );
    adminToken = new Secret(tok);
  }
  const viewerTokens: Secret[] = [];
  if (a.viewerTokensEnv) {
    const raw = env[a.viewerTokensEnv];
    if (!raw) throw new Error(`auth.viewerTokensEnv: environment variable ${a.viewerTokensEnv} is not set`);
    const toks = raw.split(/[\s,]+/).filter(Boolean);
    if (toks.length > 1000) throw new Error(`auth.viewerTokensEnv: more than 1000 tokens in ${a.viewerTokensEnv}`);
    toks.forEach((t, i) => {
      if (t.length < MIN_TOKEN_CHARS)
        throw new Error(
          `auth.viewerTokensEnv: token ${i + 1} in ${a.viewerTokensEnv} is shorter than ${MIN_TOKEN_CHARS} characters`,
        );
      if (adminToken && t === adminToken.reveal())
        throw new Error(`auth.viewerTokensEnv: token ${i + 1} in ${a.viewerTokensEnv} is the admin token`);
      viewerTokens.push(new Secret(t));
    });
  }
  const trusted = new BlockList();
  for (const c of s.trustedProxies) {
    const p = parseCidr(c)!;
    trusted.addSubnet(p.address, p.prefix, p.family);
  }
  if ((a.userHeader || a.groupsHeader) && s.trustedProxies.length === 0)
    throw new Error(
      'auth.userHeader/groupsHeader: set server.trustedProxies to the addresses of the proxy that sets them (headers from anyone else are ignored)',
    );
  if ((a.adminGroups.length || a.viewerGroups.length) && !a.groupsHeader)
    throw new Error('auth.adminGroups/viewerGroups: set auth.groupsHeader (e.g. X-Forwarded-Groups)');
  if (a.groupsHeader && !a.userHeader) throw new Error('auth.groupsHeader: set auth.userHeader too');
  const proxyUsers = Boolean(a.userHeader);
  const readRequired = viewerTokens.length > 0 || proxyUsers;
  const adminSource = adminToken !== null || a.adminGroups.length > 0;
  const writeRequired = adminSource || readRequired;
  if (readRequired && !adminSource)
    throw new Error(
      'auth: viewers are configured but no admin (auth.adminTokenEnv or auth.adminGroups): nobody could create snapshots or wall links',
    );
  if (adminToken === null && a.adminGroups.length === 0 && a.userHeader === undefined && a.logs === 'admin')
    throw new Error('auth.logs: admin needs access control (auth.adminTokenEnv or auth.adminGroups)');
  return {
    auth: {
      adminToken,
      adminTokenEnv: a.adminTokenEnv ?? null,
      viewerTokens,
      userHeader: a.userHeader ?? null,
      groupsHeader: a.groupsHeader ?? null,
      adminGroups: a.adminGroups,
      viewerGroups: a.viewerGroups,
      logs: a.logs,
      sessionTtlMs: Math.round(a.sessionHours * 3600_000),
      readRequired,
      writeRequired,
    },
    server: {
      publicUrl: s.publicUrl ? s.publicUrl.replace(/\/+$/, '') : null,
      trustedProxies: s.trustedProxies,
      trusted,
      frameAncestors: s.frameAncestors,
      maxStreamsPerClient: s.maxStreamsPerClient,
      maxStreamAgeMs: s.maxStreamAgeMs,
    },
  };
}
