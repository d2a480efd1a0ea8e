/** One recharge with its state history, for the console's timeline (admin only). */
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
        summary: 'A recharge (of any client) and the history of its states',
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
        response: {
          200: {
            type: 'object',
            properties: { recharge: rechargeSchema, history: historySchema },
          },
          '4xx': problemRef,
        },
      },
    },
    async (request) => {
      const record = await store.getRecharge(request.params.id);
      if (!record)
        throw new MnogateError('MNOGATE_ERR_RECHARGE_NOT_FOUND', undefined, { id: request.params.id });
      const history = await store.getHistory(record.id);
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
      };
    },
  );
}
