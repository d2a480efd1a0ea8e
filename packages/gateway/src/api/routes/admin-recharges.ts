/** One recharge with its state history and its redacted operator exchanges, for the console (admin only). */
import { MnogateError } from '@mnogate/core';
import type { FastifyInstance } from 'fastify';
import { rechargeView } from '../../engine/recharge-view.js';
import type { Store } from '../../store/store.js';
import { problemRef, rechargeSchema } from '../schemas.js';

export interface AdminRechargeRoutesOptions {
  readonly store: Store;
}

const historySchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      from: { type: ['string', 'null'], description: 'null for the first state' },
      to: { type: 'string' },
      at: { type: 'string', format: 'date-time' },
      cause: { type: 'string', description: 'api, submit, reconciler, recovery or admin:<key name>' },
      detail: { type: ['object', 'null'], additionalProperties: true },
    },
  },
} as const;

const messageSchema = (extra: Record<string, unknown>) =>
  ({
    type: 'object',
    properties: {
      ...extra,
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      body: { type: 'string' },
      truncated: { type: 'boolean', description: 'the body was cut to gateway.exchanges.maxBodyBytes' },
    },
  }) as const;

const exchangesSchema = {
  type: 'array',
  description:
    'The HTTP exchanges with the operator, oldest first, with credentials replaced by [redacted] (empty when gateway.exchanges.record is off)',
  items: {
    type: 'object',
    properties: {
      operation: { type: 'string', enum: ['recharge', 'status'] },
      startedAt: { type: 'string', format: 'date-time' },
      durationMs: { type: ['number', 'null'], description: 'null when the call ended unfinished' },
      request: messageSchema({ method: { type: 'string' }, url: { type: 'string' } }),
      response: {
        anyOf: [messageSchema({ statusCode: { type: 'integer' } }), { type: 'null' }],
        description: 'null when no answer started',
      },
      sent: { type: 'boolean', description: 'whether any byte of the request reached a connected socket' },
      error: { type: ['string', 'null'], description: 'the transport error, if the answer was not complete' },
    },
  },
} as const;

export async function adminRechargeRoutes(
  app: FastifyInstance,
  options: AdminRechargeRoutesOptions,
): Promise<void> {
  const { store } = options;

  app.get<{ Params: { id: string } }>(
    '/v1/admin/recharges/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'A recharge (of any client), the history of its states and its operator exchanges',
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
        response: {
          200: {
            type: 'object',
            properties: { recharge: rechargeSchema, history: historySchema, exchanges: exchangesSchema },
          },
          '4xx': problemRef,
        },
      },
    },
    async (request) => {
      const record = await store.getRecharge(request.params.id);
      if (!record)
        throw new MnogateError('MNOGATE_ERR_RECHARGE_NOT_FOUND', undefined, { id: request.params.id });
      const [history, exchanges] = await Promise.all([
        store.getHistory(record.id),
        store.getExchanges(record.id),
      ]);
      return {
        recharge: rechargeView(record),
        // internal statuses (accepted, submitting) are kept: the timeline shows each step
        history: [...history]
          .sort((a, b) => a.seq - b.seq)
          .map((e) => ({
            from: e.from,
            to: e.to,
            at: new Date(e.at).toISOString(),
            cause: e.cause,
            detail: e.detail,
          })),
        exchanges: exchanges.map((x) => ({ ...x, startedAt: new Date(x.startedAt).toISOString() })),
      };
    },
  );
}
