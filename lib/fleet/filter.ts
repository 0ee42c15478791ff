// Filters on the fleet (GET /api/fleet?name=&label=&source=). Pure.
import { z } from 'zod';
import type { FleetCluster } from './types';

export const FleetQuerySchema = z
  .object({
    /** Case-insensitive substring of the cluster name. */
    name: z.string().max(200).optional(),
    /** `key=value` selectors, comma-separated; every one must match. */
    label: z
      .string()
      .max(2000)
      .regex(/^([^=,]{1,63}=[^,]{0,128})(,[^=,]{1,63}=[^,]{0,128})*$/, 'key=value pairs separated by commas')
      .optional(),
    source: z.enum(['direct', 'prometheus']).optional(),
  })
  .strict();
export type FleetQuery = z.infer<typeof FleetQuerySchema>;

export function parseLabelSelector(s: string | undefined): Array<[string, string]> {
  if (!s) return [];
  return s.split(',').map((p) => {
    const i = p.indexOf('=');
    return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
  });
}

export function fleetFilter(q: FleetQuery): (c: FleetCluster) => boolean {
  const name = q.name?.toLowerCase() ?? '';
  const labels = parseLabelSelector(q.label);
  return (c) =>
    (!name || c.name.toLowerCase().includes(name)) &&
    (!q.source || c.source === q.source) &&
    labels.every(([k, v]) => c.labels[k] === v);
}
