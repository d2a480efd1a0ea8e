/** The unresolved queue and the admin's decision on a recharge no machine could settle. */
import { MnogateError } from '@mnogate/core';
import type { FastifyInstance } from 'fastify';
import type { CompletionHub } from '../../engine/completion.js';
import { rechargeView } from '../../engine/recharge-view.js';
import { webhookFor } from '../../engine/webhook-event.js';
import type { Store } from '../../store/store.js';
import { requireKey } from '../auth.js';
import { pageLimit, pageQueryProperties, pageSchema, problemRef, rechargeSchema } from '../schemas.js';

export interface AdminRoutesOptions {
  readonly store: Store;
  readonly completions: CompletionHub;
  readonly webhookTarget: (clientId: string) => Promise<{ url: string } | null>;
}

export async function adminRoutes(app: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const { store } = options;

  app.get<{ Querystring: { cursor?: string; limit?: string; all?: string } }>(
    '/v1/admin/unresolved',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Recharges in unknown state: by default those waiting for an admin decision',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            all: {
              type: 'string',
              enum: ['true', 'false'],
              description: 'include those the reconciler is still working on',
            },
            ...pageQueryProperties,
          },
        },
        response: {
          200: pageSchema({
            type: 'object',
            properties: {
              recharge: rechargeSchema,
              needsAdmin: { type: 'boolean' },
              reconcileAttempts: { type: 'integer' },
              ageSeconds: { type: 'integer' },
              nextAttemptAt: { type: ['string', 'null'] },
            },
          }),
          '4xx': problemRef,
        },
      },
    },
    async (request) => {
      const limit = pageLimit(request.query.limit);
      const page = await store.listRecharges(
        { status: 'unknown', needsAdmin: request.query.all === 'true' ? undefined : true },
        limit,
        request.query.cursor ?? null,
      );
      const t = Date.now();
      return {
        items: page.items.map((r) => ({
          recharge: rechargeView(r),
          needsAdmin: r.needsAdmin,
          reconcileAttempts: r.reconcileAttempts,
          ageSeconds: Math.floor((t - r.createdAt) / 1000),
          nextAttemptAt: r.nextAttemptAt === null ? null : new Date(r.nextAttemptAt).toISOString(),
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post<{ Params: { id: string }; Body: { status: 'succeeded' | 'failed'; reason: string } }>(
    '/v1/admin/recharges/:id/resolve',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Settle an unknown recharge by hand (audited; the reason is required)',
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['status', 'reason'],
          properties: {
            status: { type: 'string', enum: ['succeeded', 'failed'] },
            reason: { type: 'string', minLength: 3, maxLength: 1000 },
            operatorTransactionId: { type: 'string', maxLength: 128 },
          },
        },
        response: { 200: rechargeSchema, '4xx': problemRef },
      },
    },
    async (request) => {
      const key = requireKey(request);
      const record = await store.getRecharge(request.params.id);
      if (!record)
        throw new MnogateError('MNOGATE_ERR_RECHARGE_NOT_FOUND', undefined, { id: request.params.id });
      if (record.status !== 'unknown') {
        throw new MnogateError('MNOGATE_ERR_RECHARGE_NOT_UNRESOLVED', `the recharge is ${record.status}`, {
          rechargeStatus: record.status,
        });
      }
      const { status, reason } = request.body;
      const at = Date.now();
      const patch = {
        needsAdmin: false,
        nextAttemptAt: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        ...(status === 'failed'
          ? { failure: { code: 'MNOGATE_ERR_RECHARGE_RESOLVED_BY_ADMIN', message: reason } }
          : {}),
      };
      const next = await store.transition({
        id: record.id,
        from: 'unknown',
        to: status,
        at,
        cause: `admin:${key.name}`,
        detail: { reason, keyId: key.id },
        patch,
        webhook: await webhookFor({ ...record, ...patch, status, updatedAt: at }, options),
      });
      if (!next)
        throw new MnogateError('MNOGATE_ERR_STORE_CONFLICT', 'the recharge changed meanwhile; look again');
      options.completions.notify(next);
      request.log.info({ rechargeId: record.id, status, admin: key.name }, 'recharge resolved by an admin');
      return rechargeView(next);
    },
  );
}
