'use client';
// A component whose code loads when it first renders, in a Suspense of its own (`fallback`
// meanwhile). Unlike next/dynamic (components/lazy.tsx), the server still renders it: the page's
// HTML is whole, and the browser hydrates the component once its code arrives, after the page's
// own code. For what the first paint shows but the first click does not need.
import { type ComponentType, lazy, type ReactNode, Suspense } from 'react';

export function lazyComponent<P extends object>(
  load: () => Promise<ComponentType<P>>,
  fallback: ReactNode = null,
): ComponentType<P> {
  const Loaded = lazy(() => load().then((c) => ({ default: c })));
  // biome-ignore lint/correctness/noComponentHookFactories: called once per component at module level, never while rendering
  return function Lazy(props: P) {
    return (
      <Suspense fallback={fallback}>
        <Loaded {...props} />
      </Suspense>
    );
  };
}
