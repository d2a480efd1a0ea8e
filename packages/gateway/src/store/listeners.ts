/** A tiny synchronous listener set: a listener's failure is not the caller's. */
export function createListeners<T>() {
  const listeners = new Set<(value: T) => void>();
  return {
    subscribe(listener: (value: T) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify(value: T): void {
      for (const listener of listeners) {
        try {
          listener(value);
        } catch {
          // the revocation stands whatever an observer does
        }
      }
    },
  };
}
