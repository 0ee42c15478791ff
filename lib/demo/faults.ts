// Demo mode's fault buttons: Fulcrum proxies to the local stack's control endpoint
// (dev/control.ts) named by FULCRUM_DEMO_CONTROL_URL, only when it runs with FULCRUM_DEMO=1.
// In any other mode the routes answer 404 and the page shows nothing. Inputs are checked
// against a fixed list before anything is forwarded; every call has a timeout.
import { z } from 'zod';
import { errorJson, json } from '../api/respond';
import { NotFoundError } from '../errors';
import { DEMO_FAULTS, type DemoFault } from './names';

export { DEMO_FAULTS, DEMO_FAULT_HELP, DEMO_FAULTS_WITH_MEMBER, type DemoFault } from './names';

export const DemoFaultName = z.enum(DEMO_FAULTS, { message: `one of ${DEMO_FAULTS.join(', ')}` });

/** A 0-based member index 0..14, or an etcd member name etcd-1..etcd-15. */
export const DemoMember = z
  .string()
  .regex(/^(?:[0-9]|1[0-4]|etcd-(?:[1-9]|1[0-5]))$/, 'a member index 0..14 or a name etcd-1..etcd-15');

export const GET_TIMEOUT_MS = 5_000;
/** Injecting quota or pin-load can take tens of seconds; undoing quota compacts and defragments. */
export const CHANGE_TIMEOUT_MS = 90_000;
const MAX_BODY = 256 * 1024;

/** The control URL when demo mode is on and one is set; null otherwise (the routes answer 404). */
export function demoControlUrl(
  config: { demo: boolean },
  env: Record<string, string | undefined> = process.env,
): string | null {
  if (!config.demo) return null;
  const raw = env.FULCRUM_DEMO_CONTROL_URL?.trim();
  if (!raw) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) return null;
  return u.toString().replace(/\/+$/, '');
}

/** Throws NotFoundError (404) unless demo mode is on with a control URL. */
export function demoControlOr404(config: { demo: boolean }, env?: Record<string, string | undefined>): string {
  const url = demoControlUrl(config, env);
  if (url === null) throw new NotFoundError('not found');
  return url;
}

/**
 * Forwards one call to the control endpoint and answers with its status and JSON body;
 * 504 when it takes longer than timeoutMs, 502 when it can't be reached or answers non-JSON.
 */
export async function forwardToControl(
  base: string,
  method: 'GET' | 'POST' | 'DELETE',
  pathAndQuery: string,
  timeoutMs: number,
  fetchImpl: typeof fetch = fetch,
): Promise<Response> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const r = await fetchImpl(`${base}${pathAndQuery}`, {
      method,
      signal: ac.signal,
      redirect: 'error',
      cache: 'no-store',
    });
    const text = await r.text();
    if (text.length > MAX_BODY) return errorJson(502, 'demo control endpoint: answer too large');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return errorJson(502, `demo control endpoint answered ${r.status} without JSON`);
    }
    // The control endpoint's own answer, passed through (lib/api/types.ts DemoFaultsResponse, DemoFaultRun).
    return json<unknown>(body, r.status >= 200 && r.status < 600 ? r.status : 502);
  } catch (e) {
    if (ac.signal.aborted)
      return errorJson(504, `demo control endpoint did not answer within ${Math.round(timeoutMs / 1000)} s`);
    return errorJson(502, `demo control endpoint unreachable: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/** `/faults/<name>` with an optional `?member=`, from already validated parts. */
export function faultPath(name: DemoFault, member?: string): string {
  return `/faults/${encodeURIComponent(name)}${member !== undefined ? `?member=${encodeURIComponent(member)}` : ''}`;
}
