import { useEffect, useState, useSyncExternalStore } from 'react';

const noop = () => () => {};

/** False during server rendering and hydration, true after: for browser-only text (local times). */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

/** The current time, ticking every `intervalMs`; null until hydrated (server and client agree). */
export function useNow(intervalMs = 1000): number | null {
  const hydrated = useHydrated();
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    if (!hydrated) return;
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [hydrated, intervalMs]);
  return now;
}
