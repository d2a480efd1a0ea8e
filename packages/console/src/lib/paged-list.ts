/**
 * A cursor-paged list as the list pages show it: items, the next cursor, loading and error. A page
 * may fire a second request (a new filter, a toggle) while the first is in flight, and the first can
 * answer last: each request takes a ticket, and only the newest one may write the state, so a slow
 * stale answer never overwrites a newer one.
 */
import { useCallback, useRef, useState } from 'react';
import { describeError } from './api';
import type { Page } from './types';

export interface PagedList<T> {
  readonly items: readonly T[];
  /** The next page's cursor, or null at the end. */
  readonly cursor: string | null;
  readonly loading: boolean;
  readonly error: string | null;
  /** Loads the first page (`after` null: replaces the items) or the one after `after` (appends). */
  load(fetchPage: (after: string | null) => Promise<Page<T>>, after: string | null): Promise<void>;
}

/** `describe` turns a failed request into the message shown. @default describeError */
export function usePagedList<T>(describe: (err: unknown) => string = describeError): PagedList<T> {
  const [items, setItems] = useState<readonly T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const newest = useRef(0);
  const describeRef = useRef(describe);
  describeRef.current = describe;

  const load = useCallback(
    async (fetchPage: (after: string | null) => Promise<Page<T>>, after: string | null) => {
      const ticket = ++newest.current;
      const current = () => ticket === newest.current;
      setLoading(true);
      try {
        const page = await fetchPage(after);
        if (!current()) return;
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(null);
      } catch (err) {
        if (!current()) return;
        setError(describeRef.current(err));
        if (!after) setItems([]);
      } finally {
        if (current()) setLoading(false);
      }
    },
    [],
  );

  return { items, cursor, loading, error, load };
}
