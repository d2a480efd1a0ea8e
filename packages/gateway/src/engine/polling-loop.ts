/**
 * A background loop that runs a pass, then waits: at once again when the pass found a full batch
 * (more is waiting), else `intervalMs`. Used by the reconciler and the webhook dispatcher.
 */
export interface PollingLoop {
  start(): void;
  /** Stops the loop and waits for the pass in progress. */
  stop(): Promise<void>;
}

export interface PollingLoopOptions {
  /** One pass; resolves with how much work it did. */
  readonly pass: () => Promise<number>;
  readonly intervalMs: number;
  /** Work counts at or above this run the next pass at once. */
  readonly fullBatch: number;
  readonly onError: (err: unknown) => void;
}

export function createPollingLoop(options: PollingLoopOptions): PollingLoop {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<number> | undefined;
  let stopped = true;

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(async () => {
      current = options.pass().catch((err: unknown) => {
        options.onError(err);
        return 0;
      });
      const n = await current;
      current = undefined;
      schedule(n >= options.fullBatch ? 0 : options.intervalMs);
    }, delayMs);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
