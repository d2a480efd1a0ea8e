/** Lookups and the operator catalogue: which operator serves a number, and what it sells. */
import {
  type MnogateConfig,
  MnogateError,
  normalizeMsisdn,
  type OperatorConfig,
  type Router,
} from '@mnogate/core';
import type { FastifyInstance } from 'fastify';
import { operatorSchema, problemRef, productSchema } from '../schemas.js';

export interface CatalogueRoutesOptions {
  readonly config: () => MnogateConfig;
  readonly router: () => Router;
}

function operatorView(op: OperatorConfig) {
  return {
    id: op.id,
    name: op.name,
    country: op.country,
    currency: op.currency,
    prefixes: op.prefixes,
    dialect: op.api.dialect,
  };
}

function productsView(op: OperatorConfig) {
  return op.products.map((p) => ({
    id: p.id,
    kind: p.kind,
    name: p.name ?? null,
    currency: op.currency,
    denominations: p.denominations ?? [],
    range: p.range ?? null,
  }));
}

export async function catalogueRoutes(app: FastifyInstance, options: CatalogueRoutesOptions): Promise<void> {
  const findOperator = (id: string): OperatorConfig => {
    const op = options.config().operators.find((o) => o.id === id);
    if (!op) throw new MnogateError('MNOGATE_ERR_REQUEST_NOT_FOUND', `no operator ${id}`, { operatorId: id });
    return op;
  };

  app.post<{ Body: { msisdn: string } }>(
    '/v1/lookups',
    {
      config: { scope: ['recharge:read', 'recharge:write'] },
      schema: {
        tags: ['catalogue'],
        summary: 'Which operator serves a number, and its products',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['msisdn'],
          properties: { msisdn: { type: 'string', minLength: 1, maxLength: 32 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              msisdn: { type: 'string' },
              operator: operatorSchema,
              via: { type: 'string' },
              products: { type: 'array', items: productSchema },
            },
          },
          '4xx': problemRef,
        },
      },
    },
    async (request) => {
      const config = options.config();
      const countries = [...new Set(config.operators.map((o) => o.country))];
      const msisdn = normalizeMsisdn(request.body.msisdn, {
        country: countries.length === 1 ? countries[0] : undefined,
      });
      const route = options.router().route(msisdn);
      const op = findOperator(route.operatorId);
      return { msisdn, operator: operatorView(op), via: route.via, products: productsView(op) };
    },
  );

  app.get(
    '/v1/operators',
    {
      config: { scope: ['recharge:read', 'recharge:write'] },
      schema: {
        tags: ['catalogue'],
        summary: 'The operators this gateway serves',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: operatorSchema } } },
          '4xx': problemRef,
        },
      },
    },
    async () => ({ items: options.config().operators.map(operatorView) }),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/operators/:id/products',
    {
      config: { scope: ['recharge:read', 'recharge:write'] },
      schema: {
        tags: ['catalogue'],
        summary: "An operator's products",
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: productSchema } } },
          '4xx': problemRef,
        },
      },
    },
    async (request) => ({ items: productsView(findOperator(request.params.id)) }),
  );
}
