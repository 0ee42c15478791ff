// The access every route declares, in one table: a new route, or a route whose need changes,
// fails here until the table (and the thought behind it) is updated.
import { describe, expect, it } from 'vitest';
import { appRoutes } from '../../dev/lib/routes';

const EXPECTED: Record<string, string> = {
  'POST /api/auth/login': 'public', // the login form itself
  'POST /api/auth/logout': 'public', // ends whatever session the caller has (same-site only)
  'GET /api/clusters': 'read',
  'GET /api/clusters/[name]': 'read',
  'GET /api/clusters/[name]/history': 'read',
  'GET /api/clusters/[name]/members/[member]/logs': 'logs', // viewer or admin, per auth.logs
  'GET /api/clusters/[name]/stream': 'read',
  'GET /api/clusters/[name]/weights': 'read', // the what-if panel
  'GET /api/clusters/[name]/weights/audit': 'read', // the agent's audit log, shown on the cluster page
  'GET /api/demo/faults': 'read',
  'POST /api/demo/faults/[name]': 'write',
  'DELETE /api/demo/faults/[name]': 'write',
  'GET /api/fleet': 'read',
  'GET /api/fleet/stream': 'read',
  'GET /api/health': 'public', // liveness for load balancers
  'GET /api/metrics': 'public', // Prometheus scrapes it
  'GET /api/rules': 'read',
  'GET /api/snapshots': 'write', // the list shows every snapshot's link
  'POST /api/snapshots': 'write',
  'GET /api/snapshots/[id]': 'public', // the unguessable link is the credential
  'DELETE /api/snapshots/[id]': 'public', // the delete key (or an admin) decides, same-site only
  'GET /api/snapshots/[id]/export': 'public',
  'POST /api/snapshots/import': 'write',
  'GET /api/wall-links': 'write',
  'POST /api/wall-links': 'write',
  'DELETE /api/wall-links/[id]': 'write',
  'GET /w/[token]': 'public', // a wall link: its signature and row decide
};

describe('route access', () => {
  const routes = appRoutes();
  it('every route handler goes through handle(need, …)', () => {
    expect(routes.filter((r) => r.need === null).map((r) => `${r.method} ${r.pattern}`)).toEqual([]);
  });
  it('each declares the access in the table (a new route must be added to it)', () => {
    expect(Object.fromEntries(routes.map((r) => [`${r.method} ${r.pattern}`, r.need]))).toEqual(EXPECTED);
  });
  it('nothing that changes state is open to viewers', () => {
    for (const r of routes)
      if (r.method !== 'GET') expect(['write', 'public'], `${r.method} ${r.pattern}`).toContain(r.need);
  });
});
