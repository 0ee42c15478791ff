import { ConfigError } from '../config/load';
import { installRequestGuard } from '../http/guard';
import { getRuntime, getRuntimeIfStarted } from './runtime';

/** An error at start-up as one line: `fulcrum: <what>` (a config error's field list joined by "; "). */
export function startupMessage(e: unknown): string {
  const text = e instanceof ConfigError ? e.message : `cannot start: ${e instanceof Error ? e.message : String(e)}`;
  const [first, ...rest] = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return `fulcrum: ${first}${rest.length ? ` ${rest.join('; ')}` : ''}`;
}

/** Called by instrumentation.ts at server start. */
export function startServer(): void {
  installRequestGuard();
  process.on('unhandledRejection', (reason) => {
    // A source library's stray rejection must degrade a poll, never kill the server.
    console.error('fulcrum: unhandled rejection:', reason instanceof Error ? reason.message : reason);
  });
  const shutdown = () => {
    // End every live stream so browsers reconnect (to this server when it is back); Next.js
    // itself finishes the exit.
    void getRuntimeIfStarted()?.stop();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  try {
    const rt = getRuntime();
    const names = [...rt.clusters.keys()];
    const shown =
      names.length > 20 ? `${names.slice(0, 20).join(', ')}, ... (${names.length - 20} more)` : names.join(', ');
    const d = rt.config.discovery;
    const more = d ? `, and the clusters Prometheus knows by label ${d.clusterLabel}` : '';
    console.log(`fulcrum: watching ${rt.clusters.size} cluster(s): ${shown}${more}; config ${rt.config.file}`);
  } catch (e) {
    // Any failure to start (a bad config, or anything else) stops the server with one line:
    // a server that serves nothing but errors is worse than one that does not start.
    console.error(startupMessage(e));
    process.exit(1);
  }
}
