/** Shown instead of a page when the runtime can't start (e.g. an invalid config file). */
export function StartupError({ message }: { message: string }) {
  return (
    <main data-testid="startup-error">
      <h1 className="text-2xl font-bold">Fulcrum can’t start</h1>
      <pre className="mt-4 whitespace-pre-wrap rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
        {message}
      </pre>
    </main>
  );
}
