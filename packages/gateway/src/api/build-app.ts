/**
 * buildApp(): the Fastify application, apart from listen() so that tests use inject() and the
 * service wraps it in TLS, graceful shutdown and the background loops (see ../gateway.ts).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { MnogateConfig, Router } from '@mnogate/core';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { CompletionHub } from '../engine/completion.js';
import type { RechargeEngine } from '../engine/recharge-engine.js';
import type { Store } from '../store/store.js';
import { type KeyRateLimit, registerAuth } from './auth.js';
import { consoleStatic } from './console-static.js';
import { problemErrorHandler, problemOf, sendProblem } from './problem.js';
import { adminRoutes } from './routes/admin.js';
import { adminRechargeRoutes } from './routes/admin-recharges.js';
import { auditRoutes } from './routes/audit.js';
import { catalogueRoutes } from './routes/catalogue.js';
import { healthRoutes } from './routes/health.js';
import { rechargeRoutes } from './routes/recharges.js';

export interface BuildAppOptions {
  readonly config: () => MnogateConfig;
  readonly router: () => Router;
  readonly store: Store;
  readonly engine: RechargeEngine;
  readonly completions: CompletionHub;
  readonly webhookTarget: (clientId: string) => Promise<{ url: string } | null>;
  readonly logger?: Logger | false;
  /** Largest accepted request body. @default 16_384 */
  readonly bodyLimitBytes?: number;
  readonly readiness?: () => Promise<Record<string, boolean>>;
  /** Extra routes (console, metrics, admin health) registered by the service. */
  readonly plugins?: readonly ((app: FastifyInstance) => Promise<void>)[];
  /** Requests per API key (token bucket per key id). @default 100 per second, bursts of 200; false: none */
  readonly apiKeyRateLimit?: KeyRateLimit | false;
  /** Passed to Fastify (TLS options, for instance). */
  readonly server?: Readonly<Record<string, unknown>>;
  /**
   * Serve every route under this prefix too (`/operators/<id>`, the load balancer's path rule for an
   * operator's gateway): it is stripped before routing, so `/operators/mtn/v1/recharges` is
   * `/v1/recharges`. @default none
   */
  readonly pathPrefix?: string;
}

/** `url` without `prefix` when it starts with it (as a whole path segment), else `url`. */
export function stripPathPrefix(url: string, prefix: string): string {
  if (!url.startsWith(prefix)) return url;
  const rest = url.slice(prefix.length);
  if (rest === '') return '/';
  if (rest.startsWith('?')) return `/${rest}`;
  return rest.startsWith('/') ? rest : url;
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const serverOptions: FastifyServerOptions & Record<string, unknown> = {
    ...(options.server ?? {}),
    loggerInstance: (options.logger || undefined) as FastifyServerOptions['loggerInstance'],
    // one access line per request (onResponse below) instead of Fastify's two
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? 16_384,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : `req_${crypto.randomUUID()}`;
    },
    requestIdHeader: false,
    ...(options.pathPrefix
      ? { rewriteUrl: (req: { url?: string }) => stripPathPrefix(req.url ?? '/', options.pathPrefix!) }
      : {}),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  };
  const app = Fastify(serverOptions as never) as unknown as FastifyInstance;

  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, {
      ...problemOf(
        'MNOGATE_ERR_REQUEST_NOT_FOUND',
        `no route ${request.method} ${request.url.split('?')[0]}`,
      ),
    }),
  );
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url, // MSISDNs in queries are masked by the logger
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'mnogate',
        version: '0.1.0',
        description:
          'Recharge mobile airtime and data through many operators. Errors are problem+json with MNOGATE_ERR_* codes.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'mnogate API key' } },
      },
    },
    transform: ({ schema, url, route }) => {
      const scope = (route.config as { scope?: unknown } | undefined)?.scope;
      const transformed = { ...(schema ?? {}) } as Record<string, unknown>;
      if (scope) {
        transformed.security = [{ apiKey: [] }];
        transformed['x-scopes'] = [scope].flat();
      }
      return { schema: transformed as never, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerAuth(app, { store: options.store, rateLimit: options.apiKeyRateLimit });
  await app.register(healthRoutes, { store: options.store, readiness: options.readiness });
  await app.register(catalogueRoutes, { config: options.config, router: options.router });
  await app.register(rechargeRoutes, {
    store: options.store,
    engine: options.engine,
    completions: options.completions,
    syncWindowMs: options.config().gateway.syncWindowMs,
  });
  await app.register(adminRoutes, {
    store: options.store,
    completions: options.completions,
    webhookTarget: options.webhookTarget,
  });
  await app.register(auditRoutes, { store: options.store });
  await app.register(adminRechargeRoutes, { store: options.store });
  await app.register(consoleStatic);
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app;
}
