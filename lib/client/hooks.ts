import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { serializeViewParams, type ViewParams } from './viewParams';

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

/**
 * The page's view (dimension, range, mode), kept in its URL: a change replaces the URL's view keys
 * (other keys kept; no reload, no new stream, no scroll).
 */
export function useViewInUrl(initialView: ViewParams): [ViewParams, (v: ViewParams) => void] {
  const router = useRouter();
  const [view, setView] = useState(initialView);
  const onViewChange = useCallback(
    (v: ViewParams) => {
      setView(v);
      const qs = serializeViewParams(v, new URLSearchParams(window.location.search));
      router.replace(`${window.location.pathname}?${qs}`, { scroll: false });
    },
    [router],
  );
  return [view, onViewChange];
}
