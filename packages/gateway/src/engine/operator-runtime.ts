/**
 * Everything the engine needs to call one operator: its config, its connector, its egress agent
 * (bound to the whitelisted source address) and its policies.
 */
import type { OperatorConfig } from '@mnogate/core';
import type { Dispatcher } from 'undici';
import type { Connector } from '../connectors/connector.js';
import type { CallStats } from './call-stats.js';
import type { EndpointHealth } from './endpoint-health.js';
import type { CircuitState } from './policies/circuit-breaker.js';
import type { CallResult } from './policies/policy-layer.js';

/** A layer around the operator call that may refuse before anything is sent (rate limit, bulkhead, circuit). */
export interface OperatorPolicy {
  /**
   * Admits one call or throws a MnogateError (MNOGATE_ERR_POLICY_*). The returned release must be
   * called with the outcome once the call is over.
   */
  admit(): Promise<PolicyTicket>;
}

export interface PolicyTicket {
  /** `success`: a definitive answer; `failure`: timeout, reset, 5xx, unreadable; `not-sent`: no endpoint could be reached. */
  release(result: CallResult): void;
}

export interface OperatorRuntime {
  readonly config: OperatorConfig;
  readonly connector: Connector;
  readonly dispatcher: Dispatcher;
  /** The operator's resolved credential values: replaced by [redacted] wherever a kept exchange quotes them. */
  readonly secretValues: readonly string[];
  readonly policy: OperatorPolicy;
  readonly health: EndpointHealth;
  /** The last 5 minutes of calls. */
  readonly stats: CallStats;
  circuitState(): CircuitState;
  inFlight(): number;
  /** Endpoints to try, best first (by priority and health). */
  endpoints(): readonly string[];
  /** Passive health signal from a call's outcome on an endpoint. */
  observe(endpoint: string, result: 'success' | 'failure' | 'not-sent', latencyMs: number): void;
  close(): Promise<void>;
}
