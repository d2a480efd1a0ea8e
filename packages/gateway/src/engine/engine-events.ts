/**
 * What the engine and the reconciler report as they work, for metrics and other observers. Every
 * hook is optional and must not throw or block: it runs on the recharge's path.
 */
export interface OperatorCallEvent {
  readonly operatorId: string;
  readonly operation: 'recharge' | 'status';
  readonly endpoint: string;
  /** recharge: succeeded | failed | unknown | not-sent; status: succeeded | failed | pending | not-found | error. */
  readonly outcome: string;
  readonly durationMs: number;
}

export interface TransitionEvent {
  readonly rechargeId: string;
  readonly operatorId: string;
  readonly from: string | null;
  readonly to: string;
  readonly cause: string;
}

export interface EngineEvents {
  operatorCall?(event: OperatorCallEvent): void;
  transition?(event: TransitionEvent): void;
  /** A recharge a policy refused before sending (rate limit, bulkhead, circuit). */
  refused?(event: { readonly operatorId: string; readonly code: string }): void;
}

/** Calls a hook, swallowing what it throws: observers never break a recharge. */
export function emit<K extends keyof EngineEvents>(
  events: EngineEvents | undefined,
  name: K,
  event: Parameters<NonNullable<EngineEvents[K]>>[0],
): void {
  try {
    (events?.[name] as ((e: typeof event) => void) | undefined)?.(event);
  } catch {
    // an observer's failure is not the recharge's
  }
}
