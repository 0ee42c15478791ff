// Runs once when the Next.js server starts: validate the config (a bad one stops start-up with
// one clear message) and start one poll loop per cluster before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServer } = await import('./lib/engine/boot');
  startServer();
}
