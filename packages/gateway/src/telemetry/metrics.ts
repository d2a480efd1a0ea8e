/**
 * Prometheus metrics (prom-client) on a registry per gateway, so several gateways in one process
 * (tests) never share or clash. Fed three ways: the engine's events seam (operator calls,
 * transitions, refusals), setters the operator runtimes call (circuit, endpoint, tunnel), and
 * collectors that read the store and the engine at scrape time (backlogs, in flight). Labels are
 * operator ids, operations, outcomes and endpoint URLs from the configuration: never an MSISDN, a
 * key or anything a client sends.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineEvents } from '../engine/engine-events.js';
import type { Store } from '../store/store.js';

export const METRICS_PREFIX = 'mnogate_';

/** 0 closed, 1 half-open, 2 open: alert on `> 0`. */
const CIRCUIT_VALUE: Readonly<Record<string, number>> = { closed: 0, 'half-open': 1, open: 2 };

export interface GatewayMetrics {
  readonly registry: Registry;
  /** The engine's observer: pass it as (or combine it into) the engine's `events`. */
  readonly events: EngineEvents;
  setCircuitState(operatorId: string, state: 'closed' | 'half-open' | 'open' | string): void;
  setEndpointUp(operatorId: string, endpoint: string, up: boolean): void;
  setTunnelUp(operatorId: string, tunnel: string, up: boolean): void;
  /** A POST /v1/recharges answered from the idempotency store. */
  idempotencyReplay(): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface GatewayMetricsOptions {
  readonly store: Pick<Store, 'backlog' | 'webhookBacklog'>;
  /** The operators configured now (for per-operator gauges read at scrape time). */
  readonly operatorIds: () => Iterable<string>;
  /** Recharges being sent to an operator right now. */
  readonly inFlight?: (operatorId: string) => number;
  readonly now?: () => number;
  /** Node process metrics (CPU, memory, event loop lag, GC). @default true */
  readonly processMetrics?: boolean;
}

/** Seconds, from 5 ms to 60 s: operator calls over VPNs sit between 50 ms and a timeout. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createGatewayMetrics(options: GatewayMetricsOptions): GatewayMetrics {
  const registry = new Registry();
  const now = options.now ?? Date.now;
  if (options.processMetrics !== false) {
    collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
    // gauges that prom-client names `_total` (promtool's lint refuses that for a non-counter); the
    // same counts stay available per type in nodejs_active_{handles,requests,resources}
    for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
      registry.removeSingleMetric(`${METRICS_PREFIX}nodejs_${name}`);
    }
  }

  const recharges = new Counter({
    name: `${METRICS_PREFIX}recharges_total`,
    help: 'Recharges reaching a state, per operator and outcome (accepted, submitting, succeeded, failed, unknown).',
    labelNames: ['operator', 'outcome'],
    registers: [registry],
  });
  const operatorCalls = new Counter({
    name: `${METRICS_PREFIX}operator_calls_total`,
    help: 'Calls to an operator, per operation (recharge, status) and classified outcome.',
    labelNames: ['operator', 'operation', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: `${METRICS_PREFIX}operator_call_duration_seconds`,
    help: 'Duration of calls to an operator, per operation.',
    labelNames: ['operator', 'operation'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const refused = new Counter({
    name: `${METRICS_PREFIX}policy_refusals_total`,
    help: 'Recharges a policy refused before sending, per operator and error code.',
    labelNames: ['operator', 'code'],
    registers: [registry],
  });
  const replays = new Counter({
    name: `${METRICS_PREFIX}idempotency_replays_total`,
    help: 'POST /v1/recharges answered from the idempotency store (a client retried).',
    registers: [registry],
  });
  const circuit = new Gauge({
    name: `${METRICS_PREFIX}circuit_state`,
    help: "An operator's circuit breaker: 0 closed, 1 half-open, 2 open.",
    labelNames: ['operator'],
    registers: [registry],
  });
  const endpointUp = new Gauge({
    name: `${METRICS_PREFIX}endpoint_up`,
    help: "Whether an operator endpoint is healthy (1) or not (0), from the gateway's health checks.",
    labelNames: ['operator', 'endpoint'],
    registers: [registry],
  });
  const tunnelUp = new Gauge({
    name: `${METRICS_PREFIX}tunnel_up`,
    help: 'Whether a VPN tunnel to an operator is up (1) or down (0).',
    labelNames: ['operator', 'tunnel'],
    registers: [registry],
  });
  const inFlight = options.inFlight;
  new Gauge({
    name: `${METRICS_PREFIX}operator_in_flight`,
    help: 'Recharges being sent to an operator right now.',
    labelNames: ['operator'],
    registers: [registry],
    collect() {
      this.reset();
      if (!inFlight) return;
      for (const id of options.operatorIds()) this.set({ operator: id }, inFlight(id));
    },
  });

  // One store read per scrape, shared by the backlog gauges.
  let backlogRead: Promise<Awaited<ReturnType<Store['backlog']>>> | undefined;
  const backlog = () => {
    backlogRead ??= options.store.backlog().finally(() => {
      setImmediate(() => {
        backlogRead = undefined;
      });
    });
    return backlogRead;
  };
  new Gauge({
    name: `${METRICS_PREFIX}reconciler_backlog`,
    help: 'Recharges waiting for the reconciler or an admin, by state (unknown, needs_admin, submitting).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const b = await backlog();
      this.set({ state: 'unknown' }, b.unknown);
      this.set({ state: 'needs_admin' }, b.needsAdmin);
      this.set({ state: 'submitting' }, b.submitting);
    },
  });
  new Gauge({
    name: `${METRICS_PREFIX}oldest_unknown_age_seconds`,
    help: 'Age of the oldest recharge in unknown state (0 when there is none).',
    registers: [registry],
    async collect() {
      const b = await backlog();
      this.set(b.oldestUnknownAt === null ? 0 : Math.max(0, (now() - b.oldestUnknownAt) / 1000));
    },
  });
  new Gauge({
    name: `${METRICS_PREFIX}webhook_backlog`,
    help: 'Webhooks not yet delivered and not given up.',
    registers: [registry],
    async collect() {
      this.set(await options.store.webhookBacklog());
    },
  });

  const events: EngineEvents = {
    operatorCall(e) {
      operatorCalls.inc({ operator: e.operatorId, operation: e.operation, outcome: e.outcome });
      latency.observe({ operator: e.operatorId, operation: e.operation }, e.durationMs / 1000);
    },
    transition(e) {
      recharges.inc({ operator: e.operatorId, outcome: e.to });
    },
    refused(e) {
      refused.inc({ operator: e.operatorId, code: e.code });
    },
  };

  return {
    registry,
    events,
    setCircuitState(operatorId, state) {
      circuit.set({ operator: operatorId }, CIRCUIT_VALUE[state] ?? 2);
    },
    setEndpointUp(operatorId, endpoint, up) {
      endpointUp.set({ operator: operatorId, endpoint }, up ? 1 : 0);
    },
    setTunnelUp(operatorId, tunnel, up) {
      tunnelUp.set({ operator: operatorId, tunnel }, up ? 1 : 0);
    },
    idempotencyReplay() {
      replays.inc();
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** Several observers behind one `events`: each hook calls every observer that has it. */
export function combineEvents(...all: readonly (EngineEvents | undefined)[]): EngineEvents {
  const list = all.filter((e): e is EngineEvents => e !== undefined);
  const each =
    <K extends keyof EngineEvents>(name: K) =>
    (event: Parameters<NonNullable<EngineEvents[K]>>[0]) => {
      for (const e of list) {
        try {
          (e[name] as ((x: typeof event) => void) | undefined)?.(event);
        } catch {
          // one observer's failure is not the others'
        }
      }
    };
  return { operatorCall: each('operatorCall'), transition: each('transition'), refused: each('refused') };
}
