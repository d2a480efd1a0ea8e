/**
 * Out-of-order answers: a list page may fire a second request (a new filter, a toggle) while the
 * first is still in flight, and the first can answer last. Each request takes a ticket; only the
 * newest ticket may write the page's state, so a slow stale answer never overwrites a newer one.
 */
import { useRef } from 'react';

/** Returns `begin()`: call it when a request starts; the function it returns says whether that request is still the newest. */
export function useLatestRequest(): () => () => boolean {
  const newest = useRef(0);
  return () => {
    const ticket = ++newest.current;
    return () => ticket === newest.current;
  };
}
