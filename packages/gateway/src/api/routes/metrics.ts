/**
 * GET /metrics: the Prometheus exposition, for a key with the `metrics` scope (or `admin`). Also
 * counts idempotent replays, from the header the recharge route sets on them.
 */
import type { FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../../telemetry/metrics.js';
import { problemRef } from '../schemas.js';

/** A plugin for buildApp's `plugins`; not encapsulated, so its hook sees every route's replies. */
export function metricsRoutes(metrics: GatewayMetrics): (app: FastifyInstance) => Promise<void> {
  const plugin = async (app: FastifyInstance) => {
    app.addHook('onResponse', async (_request, reply) => {
      if (reply.getHeader('idempotent-replayed') === 'true') metrics.idempotencyReplay();
    });
    app.get(
      '/metrics',
      {
        config: { scope: ['metrics'] },
        logLevel: 'warn', // scraped every few seconds: keep it out of the info log
        schema: {
          tags: ['operations'],
          summary: 'Prometheus metrics (text exposition format)',
          response: { 200: { type: 'string' }, '4xx': problemRef },
        },
      },
      async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()),
    );
  };
  // fastify-plugin's marker: register into the parent context instead of a child one
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
}
