/**
 * Operator policies as layers wrapped around the connector call (undici's compose() style): each
 * layer may refuse before anything is sent, and learns the call's result when it ends. Options are
 * checked when a layer is built.
 */
import type { OperatorPolicy, PolicyTicket } from '../operator-runtime.js';

/** success: a definitive answer; failure: timeout, reset, 5xx; not-sent: unreachable; refused: a later layer said no. */
export type CallResult = 'success' | 'failure' | 'not-sent' | 'refused';

export interface PolicyLayer {
  readonly name: string;
  /** Admits one call or throws a MnogateError (MNOGATE_ERR_POLICY_*). Returns what to call when it ends. */
  admit(): Promise<(result: CallResult) => void> | ((result: CallResult) => void);
}

/**
 * Composes layers: admitted outermost first, released in reverse. A layer that refuses releases the
 * ones already passed as `refused`, so a refused call consumes nothing it did not use.
 */
export function composePolicies(layers: readonly PolicyLayer[]): OperatorPolicy {
  return {
    async admit(): Promise<PolicyTicket> {
      const releases: ((result: CallResult) => void)[] = [];
      try {
        for (const layer of layers) releases.push(await layer.admit());
      } catch (err) {
        for (const release of releases.reverse()) release('refused');
        throw err;
      }
      let released = false;
      return {
        release(result) {
          if (released) return;
          released = true;
          for (const release of [...releases].reverse()) release(result);
        },
      };
    },
  };
}
