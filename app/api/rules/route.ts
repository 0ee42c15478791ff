import { rulesFile } from '@/lib/analysis/rules';
import { handle } from '@/lib/api/respond';

export const dynamic = 'force-dynamic';

/** Prometheus alerting rules equivalent to the detectors, as a rules file (YAML). */
export const GET = handle('read', ({ rt }) => {
  return new Response(rulesFile(rt.config.clusters), {
    headers: { 'Content-Type': 'application/yaml; charset=utf-8', 'Cache-Control': 'no-store' },
  });
});
