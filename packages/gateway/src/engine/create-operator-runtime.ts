/** Builds an operator's runtime: connector, egress agent, endpoint health, and its policy layers. */
import type { OperatorConfig } from '@mnogate/core';
import { createEgressAgent } from '../connectors/egress-agent.js';
import { createConnector } from '../connectors/registry.js';
import { createCallStats } from './call-stats.js';
import { createEndpointHealth } from './endpoint-health.js';
import type { OperatorRuntime } from './operator-runtime.js';
import { createBulkhead } from './policies/bulkhead.js';
import { type CircuitState, createCircuitBreaker } from './policies/circuit-breaker.js';
import { composePolicies } from './policies/policy-layer.js';
import { createRateLimit, type RateLimitBackend } from './policies/rate-limit.js';

export interface OperatorRuntimeOptions {
  readonly credentials: Readonly<Record<string, string>>;
  /** The config file's directory, for handler modules. */
  readonly baseDir: string;
  readonly rateLimitBackend: RateLimitBackend;
  readonly now?: () => number;
  readonly onCircuitChange?: (operatorId: string, state: CircuitState) => void;
  readonly onEndpointChange?: (operatorId: string, endpoint: string, up: boolean) => void;
}

export async function createOperatorRuntime(
  op: OperatorConfig,
  options: OperatorRuntimeOptions,
): Promise<OperatorRuntime> {
  const connector = await createConnector(op, { credentials: options.credentials, baseDir: options.baseDir });
  const dispatcher = createEgressAgent(op);
  const health = createEndpointHealth({
    endpoints: op.api.endpoints,
    probeIntervalMs: op.limits.probeIntervalMs,
    connectTimeoutMs: op.api.timeouts.connectMs,
    localAddress: op.egress.sourceIp,
    now: options.now,
    onChange: (endpoint, up) => options.onEndpointChange?.(op.id, endpoint, up),
  });
  const stats = createCallStats({ now: options.now });
  const circuit = createCircuitBreaker({
    operatorId: op.id,
    failureThreshold: op.limits.circuit.failureThreshold,
    cooldownMs: op.limits.circuit.cooldownMs,
    now: options.now,
    onStateChange: (state) => options.onCircuitChange?.(op.id, state),
  });
  const bulkhead = createBulkhead({ operatorId: op.id, maxConcurrent: op.limits.concurrency });
  const rateLimit = createRateLimit({
    operatorId: op.id,
    ratePerSecond: op.limits.ratePerSecond,
    burst: op.limits.burst,
    backend: options.rateLimitBackend,
    now: options.now,
  });
  // cheapest and most local first: a refused call never spends a shared token
  const policy = composePolicies([circuit, bulkhead, rateLimit]);
  health.start();
  return {
    config: op,
    // a PIN of 4 digits is still a secret; anything shorter would only mangle the exchanges
    secretValues: Object.values(options.credentials).filter((v) => v.length >= 4),
    connector,
    dispatcher,
    policy,
    health,
    stats,
    circuitState: () => circuit.state(),
    inFlight: () => bulkhead.inFlight(),
    endpoints: () => health.ordered(),
    observe(endpoint, result, latencyMs) {
      health.observe(endpoint, result);
      if (result !== 'not-sent') stats.record(result === 'success', latencyMs);
    },
    async close() {
      health.stop();
      await dispatcher.close();
    },
  };
}
