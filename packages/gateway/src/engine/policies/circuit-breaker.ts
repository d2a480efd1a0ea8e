/**
 * A circuit breaker per operator and per replica. Closed: calls pass; `failureThreshold`
 * consecutive failures (timeouts, resets, 5xx, unreachable) open it. Open: calls are refused for
 * `cooldownMs`. Half-open: one probe call passes; its success closes the circuit, its failure opens
 * it again. A definitive answer from the operator, even a refusal, counts as success: the operator
 * is there.
 */
import { MnogateError } from '@mnogate/core';
import type { CallResult, PolicyLayer } from './policy-layer.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  readonly operatorId: string;
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  readonly now?: () => number;
  readonly onStateChange?: (state: CircuitState) => void;
}

export interface CircuitBreaker extends PolicyLayer {
  state(): CircuitState;
}

export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
    throw new RangeError(
      `circuit failureThreshold must be a positive integer, got ${options.failureThreshold}`,
    );
  }
  if (!(options.cooldownMs > 0))
    throw new RangeError(`circuit cooldownMs must be positive, got ${options.cooldownMs}`);
  const now = options.now ?? Date.now;
  let state: CircuitState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probing = false;

  const set = (next: CircuitState) => {
    if (next === state) return;
    state = next;
    options.onStateChange?.(next);
  };

  const current = (): CircuitState => {
    if (state === 'open' && now() - openedAt >= options.cooldownMs) set('half-open');
    return state;
  };

  const refuse = () =>
    new MnogateError(
      'MNOGATE_ERR_POLICY_CIRCUIT_OPEN',
      `operator ${options.operatorId}'s circuit is ${state}`,
      {
        operatorId: options.operatorId,
        retryAfterMs: Math.max(0, options.cooldownMs - (now() - openedAt)),
      },
    );

  return {
    name: 'circuit-breaker',
    state: current,
    admit() {
      const s = current();
      if (s === 'open') throw refuse();
      if (s === 'half-open') {
        if (probing) throw refuse();
        probing = true;
      }
      const isProbe = s === 'half-open';
      return (result: CallResult) => {
        if (isProbe) probing = false;
        if (result === 'success') {
          failures = 0;
          set('closed');
          return;
        }
        // a call refused by a later layer says nothing about the operator
        if (result === 'refused') return;
        failures++;
        if (isProbe || failures >= options.failureThreshold) {
          openedAt = now();
          set('open');
        }
      };
    },
  };
}
