import Link from 'next/link';

export default function SnapshotNotFound() {
  return (
    <main className="py-16 text-center" data-testid="snapshot-not-found">
      <h1 className="text-2xl font-bold">No such snapshot</h1>
      <p className="mt-2 text-slate-500 dark:text-slate-400">
        The link is wrong, or the snapshot has expired or was deleted.
      </p>
      <Link href="/" className="mt-6 inline-block font-semibold text-sky-700 underline dark:text-sky-400">
        ← All clusters
      </Link>
    </main>
  );
}
