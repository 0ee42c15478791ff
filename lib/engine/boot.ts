import { ConfigError } from '../config/load';
import { getRuntime } from './runtime';

/** Called by instrumentation.ts at server start. */
export function startServer(): void {
  process.on('unhandledRejection', (reason) => {
    // A source library's stray rejection must degrade a poll, never kill the server.
    console.error('fulcrum: unhandled rejection:', reason instanceof Error ? reason.message : reason);
  });
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
