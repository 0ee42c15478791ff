import { handle } from '@/lib/api/respond';
import { demoControlOr404, forwardToControl, GET_TIMEOUT_MS } from '@/lib/demo/faults';

export const dynamic = 'force-dynamic';

/** Demo mode only (404 otherwise): the faults the local stack's control endpoint has active (DemoFaultsResponse). */
export const GET = handle('read', ({ rt }) =>
  forwardToControl(demoControlOr404(rt.config), 'GET', '/faults', GET_TIMEOUT_MS),
);
