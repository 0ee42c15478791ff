// The running server's build id: a wall screen reloads itself when it changes.
import { readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | null = null;

export function buildId(env: Record<string, string | undefined> = process.env): string {
  if (cached !== null) return cached;
  let id = env.FULCRUM_BUILD_ID ?? '';
  if (!id) {
    try {
      const file = path.join(/*turbopackIgnore: true*/ process.cwd(), env.FULCRUM_DIST_DIR || '.next', 'BUILD_ID');
      id = readFileSync(/*turbopackIgnore: true*/ file, 'utf8').trim().slice(0, 64);
    } catch {
      id = '';
    }
  }
  cached = id || 'dev';
  return cached;
}
