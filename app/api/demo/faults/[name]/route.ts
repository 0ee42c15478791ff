import { z } from 'zod';
import { parseQuery } from '@/lib/api/parse';
import { handle } from '@/lib/api/respond';
import {
  CHANGE_TIMEOUT_MS,
  DemoFaultName,
  DemoMember,
  demoControlOr404,
  faultPath,
  forwardToControl,
} from '@/lib/demo/faults';
import { ValidationError } from '@/lib/errors';

export const dynamic = 'force-dynamic';

function faultName(raw: string) {
  const r = DemoFaultName.safeParse(raw);
  if (!r.success) throw new ValidationError(`invalid fault: ${r.error.issues[0].message}`);
  return r.data;
}

const InjectQuery = z.object({ member: DemoMember.optional() }).strict();

/**
 * Demo mode only (404 otherwise): inject a fault, `?member=` an index 0..14 or etcd-N. Write
 * access: the admin token when one is configured, and always from this site (the demo may run
 * without a token).
 */
export const POST = handle<{ name: string }>('write', ({ req, rt, params }) => {
  const base = demoControlOr404(rt.config);
  const fault = faultName(params.name);
  const q = parseQuery(req.url, InjectQuery);
  return forwardToControl(base, 'POST', faultPath(fault, q.member), CHANGE_TIMEOUT_MS);
});

/** Demo mode only (404 otherwise): undo an active fault. */
export const DELETE = handle<{ name: string }>('write', ({ req, rt, params }) => {
  const base = demoControlOr404(rt.config);
  const fault = faultName(params.name);
  parseQuery(req.url, z.object({}).strict());
  return forwardToControl(base, 'DELETE', faultPath(fault), CHANGE_TIMEOUT_MS);
});
