/** /healthz: the process is up. /readyz: the store answers and a configuration is loaded. */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';

const readySchema = { type: 'object', additionalProperties: true } as const;

export interface HealthRoutesOptions {
  readonly store: Store;
  /** Extra readiness checks (operators' health, draining): name -> ok. */
  readonly readiness?: () => Promise<Record<string, boolean>>;
}

export async function healthRoutes(app: FastifyInstance, options: HealthRoutesOptions): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'The process is up',
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'The store answers and the configuration is loaded',
        response: { 200: readySchema, 503: readySchema },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, boolean> = { config: true };
      try {
        await options.store.ping();
        checks.store = true;
      } catch {
        checks.store = false;
      }
      Object.assign(checks, (await options.readiness?.()) ?? {});
      const ok = Object.values(checks).every(Boolean);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
    },
  );
}
