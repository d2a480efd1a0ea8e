/** GET /v1/admin/operators/health: each operator's endpoints, circuit, latency, success rate and load. */
import type { FastifyInstance } from 'fastify';
import type { OperatorRuntime } from '../../engine/operator-runtime.js';
import { problemRef } from '../schemas.js';

export type OperatorStatus = 'healthy' | 'degraded' | 'down';

export interface TunnelHealth {
  readonly name: string;
  readonly up: boolean;
  /** VICI: the IKE_SA state (ESTABLISHED, CONNECTING, DOWN); CloudWatch: UP, DOWN or UNKNOWN. */
  readonly state?: string;
  /** Why the state could not be read (the source failed, no datapoint): the tunnel then reads as not up. */
  readonly error?: string;
}

export interface OperatorHealthOptions {
  readonly operators: () => ReadonlyMap<string, OperatorRuntime>;
  /** Tunnel states per operator, when a tunnel monitor runs (the lab, or AWS CloudWatch). */
  readonly tunnels?: (operatorId: string) => readonly TunnelHealth[];
}

export function operatorHealth(runtime: OperatorRuntime, tunnels: readonly TunnelHealth[]) {
  const stats = runtime.stats.summary();
  const endpoints = runtime.health.snapshot();
  const circuit = runtime.circuitState();
  const anyUp = endpoints.some((e) => e.up);
  const allUp = endpoints.every((e) => e.up);
  let status: OperatorStatus = 'healthy';
  if (circuit === 'open' || !anyUp || (tunnels.length > 0 && tunnels.every((t) => !t.up))) status = 'down';
  else if (
    circuit === 'half-open' ||
    !allUp ||
    tunnels.some((t) => !t.up) ||
    (stats.successRate !== null && stats.calls >= 5 && stats.successRate < 0.9)
  )
    status = 'degraded';
  return {
    id: runtime.config.id,
    name: runtime.config.name,
    dialect: runtime.config.api.dialect,
    status,
    circuit,
    inFlight: runtime.inFlight(),
    latencyMs: { p50: stats.p50Ms, p95: stats.p95Ms },
    successRate5m: stats.successRate,
    calls5m: stats.calls,
    endpoints: endpoints.map((e) => ({
      url: e.url,
      up: e.up,
      reason: e.reason,
      lastProbeAt: e.lastProbeAt === null ? null : new Date(e.lastProbeAt).toISOString(),
      latencyMs: e.lastProbeMs,
    })),
    tunnels,
  };
}

const nullableNumber = { type: ['number', 'null'] } as const;

export function operatorHealthRoutes(options: OperatorHealthOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/v1/admin/operators/health',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['admin'],
          summary:
            "Each operator's health: endpoints, circuit, latency p50/p95, success rate over 5 minutes, in flight",
          response: {
            200: {
              type: 'object',
              properties: {
                at: { type: 'string' },
                operators: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'string' },
                      name: { type: 'string' },
                      dialect: { type: 'string' },
                      status: { type: 'string', enum: ['healthy', 'degraded', 'down'] },
                      circuit: { type: 'string', enum: ['closed', 'open', 'half-open'] },
                      inFlight: { type: 'integer' },
                      latencyMs: { type: 'object', properties: { p50: nullableNumber, p95: nullableNumber } },
                      successRate5m: nullableNumber,
                      calls5m: { type: 'integer' },
                      endpoints: {
                        type: 'array',
                        items: {
                          type: 'object',
                          properties: {
                            url: { type: 'string' },
                            up: { type: 'boolean' },
                            reason: { type: ['string', 'null'] },
                            lastProbeAt: { type: ['string', 'null'] },
                            latencyMs: nullableNumber,
                          },
                        },
                      },
                      tunnels: {
                        type: 'array',
                        items: {
                          type: 'object',
                          properties: {
                            name: { type: 'string' },
                            up: { type: 'boolean' },
                            state: { type: 'string' },
                            error: { type: 'string', description: 'why the state could not be read' },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
            '4xx': problemRef,
          },
        },
      },
      async () => ({
        at: new Date().toISOString(),
        operators: [...options.operators().values()].map((r) =>
          operatorHealth(r, options.tunnels?.(r.config.id) ?? []),
        ),
      }),
    );
  };
}
