import { ConfigError } from '../config/load';
import { getRuntime, getRuntimeIfStarted } from './runtime';

/** Called by instrumentation.ts at server start. */
export function startServer(): void {
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
    const names = [...rt.clusters.keys()].join(', ');
    console.log(`fulcrum: watching ${rt.clusters.size} cluster(s): ${names}; config ${rt.config.file}`);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`fulcrum: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}
