/** In-process notification of a recharge reaching an outcome, for the API's sync window. */
import type { RechargeRecord } from '../store/store.js';

export interface CompletionHub {
  /** Resolves with the record when `notify` is called for it, or with null after `timeoutMs`. */
  wait(id: string, timeoutMs: number): Promise<RechargeRecord | null>;
  notify(record: RechargeRecord): void;
}

export function createCompletionHub(): CompletionHub {
  const waiters = new Map<string, Set<(r: RechargeRecord) => void>>();
  return {
    wait(id, timeoutMs) {
      return new Promise((resolve) => {
        const set = waiters.get(id) ?? new Set();
        waiters.set(id, set);
        const done = (record: RechargeRecord | null) => {
          clearTimeout(timer);
          set.delete(onRecord);
          if (set.size === 0) waiters.delete(id);
          resolve(record);
        };
        const onRecord = (r: RechargeRecord) => done(r);
        const timer = setTimeout(() => done(null), timeoutMs);
        timer.unref();
        set.add(onRecord);
      });
    },
    notify(record) {
      const set = waiters.get(record.id);
      if (!set) return;
      for (const fn of [...set]) fn(record);
    },
  };
}
