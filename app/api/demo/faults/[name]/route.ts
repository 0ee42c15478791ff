import { z } from 'zod';
import { ApiError, handle, parseQuery } from '@/lib/api/respond';
import { requireWrite } from '@/lib/auth/admin';
import {
  CHANGE_TIMEOUT_MS,
  DemoFaultName,
  DemoMember,
  demoControlOr404,
  faultPath,
  forwardToControl,
  requireSameSite,
} from '@/lib/demo/faults';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ name: string }> };

function faultName(raw: string) {
  const r = DemoFaultName.safeParse(raw);
  if (!r.success) throw new ApiError(400, `invalid fault: ${r.error.issues[0].message}`);
  return r.data;
}

const InjectQuery = z.object({ member: DemoMember.optional() }).strict();

/** Demo mode only (404 otherwise): inject a fault, `?member=` an index 0..14 or etcd-N. */
export async function POST(req: Request, ctx: Ctx) {
  const { name } = await ctx.params;
  return handle(async (rt) => {
    const base = demoControlOr404(rt.config);
    requireSameSite(req);
    requireWrite(req, rt.config.auth);
    const fault = faultName(name);
    const q = parseQuery(req.url, InjectQuery);
    return forwardToControl(base, 'POST', faultPath(fault, q.member), CHANGE_TIMEOUT_MS);
  });
}

/** Demo mode only (404 otherwise): undo an active fault. */
export async function DELETE(req: Request, ctx: Ctx) {
  const { name } = await ctx.params;
  return handle(async (rt) => {
    const base = demoControlOr404(rt.config);
    requireSameSite(req);
    requireWrite(req, rt.config.auth);
    const fault = faultName(name);
    parseQuery(req.url, z.object({}).strict());
    return forwardToControl(base, 'DELETE', faultPath(fault), CHANGE_TIMEOUT_MS);
  });
}
