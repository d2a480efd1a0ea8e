/** A small History API router under /console: the gateway answers index.html for every page. */
import { useEffect, useState } from 'react';

export const BASE = '/console';

export function currentPath(): string {
  const p = window.location.pathname;
  const rest = p.startsWith(BASE) ? p.slice(BASE.length) : p;
  return rest === '' ? '/' : rest;
}

export function navigate(to: string): void {
  const url = `${BASE}${to}`;
  if (url !== window.location.pathname + window.location.search) window.history.pushState(null, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return path;
}

/** The query string of the current URL, as an object. */
export function currentQuery(): URLSearchParams {
  return new URLSearchParams(window.location.search);
}
