// Absolute URLs Fulcrum hands out (snapshot links, wall links) come from server.publicUrl only,
// never from request headers (Host or X-Forwarded-Host can be anything a client likes). Without
// a publicUrl the answer is null and the browser makes the link from its own location.
import type { ServerConfig } from '../config/access';

export function absoluteUrl(server: Pick<ServerConfig, 'publicUrl'>, path: string): string | null {
  return server.publicUrl ? `${server.publicUrl}${path}` : null;
}
