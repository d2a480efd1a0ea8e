/**
 * Each operator's calls leave through its own undici Agent, bound to the source address the
 * operator whitelists, with its connect timeout. The per-call total timeout is enforced by
 * http-call; the agent only bounds connecting and pooling.
 */
import type { OperatorConfig } from '@mnogate/core';
import { Agent } from 'undici';

export interface EgressAgentOptions {
  /**
   * How long an idle connection is kept for reuse, unless the server's Keep-Alive header says
   * less. Kept short on purpose: reusing a connection the operator has just closed turns a POST into
   * an ambiguous reset. @default 4_000
   */
  readonly keepAliveTimeoutMs?: number;
  /** Upper bound on a server-suggested keep-alive timeout. @default 30_000 */
  readonly keepAliveMaxTimeoutMs?: number;
  /** Margin subtracted from the server's keep-alive hint, to close before it does. @default 2_000 */
  readonly keepAliveTimeoutThresholdMs?: number;
  /** Connections per origin (endpoint). @default operator.limits.concurrency */
  readonly connectionsPerOrigin?: number;
  /** Connect timeout; overrides operator.api.timeouts.connectMs. */
  readonly connectTimeoutMs?: number;
  /** Source address; overrides operator.egress.sourceIp (tests bind to other 127.0.0.x addresses). */
  readonly localAddress?: string;
}

export const EGRESS_AGENT_DEFAULTS = {
  keepAliveTimeoutMs: 4_000,
  keepAliveMaxTimeoutMs: 30_000,
  keepAliveTimeoutThresholdMs: 2_000,
} as const;

/** An undici Agent for one operator: its egress source address, connect timeout and pool limits. */
export function createEgressAgent(operator: OperatorConfig, options: EgressAgentOptions = {}): Agent {
  const localAddress = options.localAddress ?? operator.egress.sourceIp;
  const requestBudgetMs = Math.max(operator.api.timeouts.requestMs, operator.api.timeouts.statusMs);
  return new Agent({
    connect: { timeout: options.connectTimeoutMs ?? operator.api.timeouts.connectMs },
    // A Client option, not a connect option: undici passes the client's localAddress to every
    // connect and would override one given under `connect`.
    ...(localAddress ? { localAddress } : {}),
    connections: options.connectionsPerOrigin ?? operator.limits.concurrency,
    // Top-ups are not idempotent at the HTTP layer: never pipeline two on one connection.
    pipelining: 1,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? EGRESS_AGENT_DEFAULTS.keepAliveTimeoutMs,
    keepAliveMaxTimeout: options.keepAliveMaxTimeoutMs ?? EGRESS_AGENT_DEFAULTS.keepAliveMaxTimeoutMs,
    keepAliveTimeoutThreshold:
      options.keepAliveTimeoutThresholdMs ?? EGRESS_AGENT_DEFAULTS.keepAliveTimeoutThresholdMs,
    // Backstops only: each call sets its own (shorter) headers and body timeouts.
    headersTimeout: requestBudgetMs,
    bodyTimeout: requestBudgetMs,
  });
}
