import { z } from 'zod';
import { parseQuery } from '@/lib/api/parse';
import { clusterOr404, handle, json } from '@/lib/api/respond';
import type { MemberLogsResponse } from '@/lib/api/types';
import { NotFoundError, ValidationError } from '@/lib/errors';
import { MAX_CURSOR_CHARS } from '@/lib/logs/cursor';
import { hasRole } from '@/lib/auth/access';
import { findMember } from '@/lib/logs/members';
import { presentLogPage } from '@/lib/logs/present';
import { configSecrets } from '@/lib/snapshots/scrub';
import { MAX_LIMIT, MAX_Q_CHARS, MAX_WINDOW_MS, queryLogs } from '@/lib/logs/query';
import { LOG_LEVELS } from '@/lib/logs/types';

export const dynamic = 'force-dynamic';

// No parameter names a file or a URL: the member is looked up among the configured ones and
// its log sources come from the config only.
const Query = z
  .object({
    from: z.coerce.number().int().positive(),
    to: z.coerce.number().int().positive(),
    q: z.string().max(MAX_Q_CHARS).optional(),
    level: z.enum(LOG_LEVELS).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(200),
    cursor: z
      .string()
      .max(MAX_CURSOR_CHARS)
      .regex(/^[A-Za-z0-9_-]+$/, 'not a cursor from this API')
      .optional(),
    source: z.enum(['member', 'balancer', 'both']).default('both'),
    /** 1: only lines that carry a known signal. */
    signals: z.enum(['0', '1']).default('0'),
  })
  .strict();

/**
 * One page of a member's log lines and the balancer's lines about it, newest first:
 * `?from&to` (ms since epoch, at most 24 h apart), `q` (text), `level` (minimum), `limit`
 * (≤ 1000), `cursor` (from the previous page), `source` (member | balancer | both), `signals=1`
 * (only lines with a known signal).
 * The member is its configured name, its URL-encoded endpoint URL, or host:port.
 * Who may read: auth.logs (viewer by default). Lines are scrubbed of secrets and credentials;
 * error texts name files only to admins.
 */
export const GET = handle<{ name: string; member: string }>('logs', async ({ req, rt, params, access }) => {
  const q = parseQuery(req.url, Query);
  if (q.from >= q.to) throw new ValidationError('invalid parameter from: must be before to');
  if (q.to - q.from > MAX_WINDOW_MS)
    throw new ValidationError(`invalid parameter from: window longer than ${MAX_WINDOW_MS / 3600_000} h`);
  const engine = clusterOr404(rt, params.name);
  const names = new Map(engine.state().members.map((m) => [m.endpoint, m.name]));
  const member = params.member;
  const ep = typeof member === 'string' && member.length <= 600 ? findMember(engine.cluster, member, names) : null;
  if (!ep)
    throw new NotFoundError(`no member ${JSON.stringify(String(member).slice(0, 80))} in cluster ${engine.name}`);
  const { signals, ...rest } = q;
  const page = await queryLogs(engine.cluster, ep.url, { ...rest, signalsOnly: signals === '1' }, { names });
  const shown = presentLogPage(page, { secrets: configSecrets(rt.config), admin: hasRole(access, 'admin') });
  return json<MemberLogsResponse>({ cluster: engine.name, member: ep.url, from: q.from, to: q.to, ...shown });
});
