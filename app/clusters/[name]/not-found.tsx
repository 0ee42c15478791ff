import Link from 'next/link';

export default function ClusterNotFound() {
  return (
    <main className="py-16 text-center">
      <h1 className="text-2xl font-bold">No such cluster</h1>
      <p className="mt-2 text-slate-500 dark:text-slate-400">It is not in Fulcrum’s configuration.</p>
      <Link href="/" className="mt-6 inline-block font-semibold text-sky-700 underline dark:text-sky-400">
        ← All clusters
      </Link>
    </main>
  );
}
