// Light/dark theme in the browser: a `dark` class on <html> (set before first paint by
// THEME_SCRIPT), persisted in localStorage.
import { useSyncExternalStore } from 'react';
import type { Theme } from './color';
import { THEME_KEY } from './themeScript';

function read(): Theme {
  return document.documentElement.classList.contains('dark') ? 'dark' : 'light';
}

function subscribe(cb: () => void): () => void {
  const mo = new MutationObserver(cb);
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  return () => mo.disconnect();
}

/** The current theme (light during server rendering). */
export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, read, () => 'light');
}

export function setTheme(t: Theme): void {
  const d = document.documentElement;
  d.classList.toggle('dark', t === 'dark');
  d.style.colorScheme = t;
  try {
    localStorage.setItem(THEME_KEY, t);
  } catch {
    // private mode: the choice lasts for this page only
  }
}
