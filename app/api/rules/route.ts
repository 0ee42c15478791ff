import { configRulesFile } from '@/lib/analysis/rules';
import { handle } from '@/lib/api/respond';

export const dynamic = 'force-dynamic';

/**
 * Prometheus alerting rules equivalent to the detectors, as a rules file (YAML); with discovery,
 * the fleet's recording rules too.
 */
export const GET = handle('read', ({ rt }) => {
  return new Response(configRulesFile(rt.config), {
    headers: { 'Content-Type': 'application/yaml; charset=utf-8', 'Cache-Control': 'no-store' },
  });
});
