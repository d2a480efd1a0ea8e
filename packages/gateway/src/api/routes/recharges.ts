/**
 * /v1/recharges: create (with an Idempotency-Key), fetch, and list with filters and cursor pages.
 *
 * Idempotency per API client (Mojaloop's rules): the same key with the same body returns the stored
 * response (409 while the first request is still in flight); the same key with another body is
 * refused with 422.
 */
import { createHash } from 'node:crypto';
import { isFinalState, MnogateError, normalizeMsisdn } from '@mnogate/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { CompletionHub } from '../../engine/completion.js';
import type { RechargeEngine } from '../../engine/recharge-engine.js';
import { type RechargeView, rechargeView } from '../../engine/recharge-view.js';
import type { RechargeRecord, RechargeStatus, Store, StoredResponse } from '../../store/store.js';
import { requireKey } from '../auth.js';
import { pageLimit, pageQueryProperties, pageSchema, problemRef, rechargeSchema } from '../schemas.js';

export interface RechargeRoutesOptions {
  readonly store: Store;
  readonly engine: RechargeEngine;
  readonly completions: CompletionHub;
  readonly syncWindowMs: number;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
/** A first request that has not stored its answer this long after its sync window is presumed dead (a crash). */
const ABANDONED_AFTER_MS = 30_000;

/** sha256 over the body with its keys sorted, so that key order does not change the hash. */
export function bodyHash(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v as object)
            .sort()
            .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        )
      : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

function responseFor(record: RechargeRecord): StoredResponse {
  return { statusCode: isFinalState(record.status) ? 201 : 202, body: JSON.stringify(rechargeView(record)) };
}

function sendStored(reply: FastifyReply, stored: StoredResponse, replayed: boolean): FastifyReply {
  if (replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(stored.statusCode).type('application/json; charset=utf-8').send(stored.body);
}

interface CreateBody {
  msisdn: string;
  amount: string;
  currency: string;
  productId?: string;
  operatorId?: string;
  reference?: string;
}

interface ListQuery {
  status?: string;
  operatorId?: string;
  msisdn?: string;
  reference?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

const STATUS_FILTER: Record<string, RechargeStatus> = {
  succeeded: 'succeeded',
  failed: 'failed',
  unknown: 'unknown',
  pending: 'submitting',
};

function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new MnogateError('MNOGATE_ERR_REQUEST_INVALID', `${name} must be an ISO 8601 time`);
  return t;
}

export async function rechargeRoutes(app: FastifyInstance, options: RechargeRoutesOptions): Promise<void> {
  const { store, engine, completions, syncWindowMs } = options;

  app.post<{ Body: CreateBody }>(
    '/v1/recharges',
    {
      config: { scope: 'recharge:write' },
      schema: {
        tags: ['recharges'],
        summary: 'Recharge a phone',
        description:
          'Routes the number to its operator and recharges it. Answers 201 with the final recharge when it completes within the sync window, else 202 with status pending (a webhook follows).',
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['msisdn', 'amount', 'currency'],
          properties: {
            msisdn: { type: 'string', minLength: 1, maxLength: 32, description: 'E.164, or national format' },
            amount: {
              type: 'string',
              pattern: '^\\d{1,15}(\\.\\d{1,4})?$',
              description: 'decimal string, major units',
            },
            currency: { type: 'string', pattern: '^[A-Z]{3}$' },
            productId: { type: 'string', minLength: 1, maxLength: 64 },
            operatorId: { type: 'string', minLength: 1, maxLength: 64, description: 'overrides detection' },
            reference: {
              type: 'string',
              minLength: 1,
              maxLength: 128,
              description: "the client's own reference",
            },
          },
        },
        response: { 201: rechargeSchema, 202: rechargeSchema, '4xx': problemRef, '5xx': problemRef },
      },
    },
    async (request, reply) => {
      const key = requireKey(request);
      const idempotencyKey = request.headers['idempotency-key'];
      if (idempotencyKey === undefined) throw new MnogateError('MNOGATE_ERR_IDEMPOTENCY_KEY_MISSING');
      if (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new MnogateError(
          'MNOGATE_ERR_IDEMPOTENCY_KEY_INVALID',
          'Idempotency-Key must be 1 to 255 visible ASCII characters',
        );
      }
      const hash = bodyHash(request.body);
      const result = await engine.accept(
        { clientId: key.clientId, ...request.body },
        { key: idempotencyKey, bodyHash: hash },
        { logger: request.log as Logger }, // the operator call's log lines carry this request's id
      );
      if (result.kind === 'existing') {
        if (result.bodyHash !== hash) throw new MnogateError('MNOGATE_ERR_IDEMPOTENCY_BODY_MISMATCH');
        if (result.response) return sendStored(reply, result.response, true);
        const existing = await store.getRecharge(result.rechargeId);
        if (existing && Date.now() - existing.createdAt > syncWindowMs + ABANDONED_AFTER_MS) {
          // the first request died before answering (a crash): answer from the recharge as it is now
          const stored = responseFor(existing);
          await store.saveIdempotentResponse(key.clientId, idempotencyKey, stored);
          return sendStored(reply, stored, true);
        }
        throw new MnogateError('MNOGATE_ERR_IDEMPOTENCY_IN_FLIGHT');
      }
      const created = result.recharge;
      const settled = await completions.wait(created.id, syncWindowMs);
      const latest = settled ?? (await store.getRecharge(created.id)) ?? created;
      const stored = responseFor(latest);
      await store.saveIdempotentResponse(key.clientId, idempotencyKey, stored);
      return sendStored(reply, stored, false);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/recharges/:id',
    {
      config: { scope: 'recharge:read' },
      schema: {
        tags: ['recharges'],
        summary: 'Fetch a recharge',
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
        response: { 200: rechargeSchema, '4xx': problemRef },
      },
    },
    async (request): Promise<RechargeView> => {
      const key = requireKey(request);
      const record = await store.getRecharge(request.params.id);
      // another client's recharge is as good as absent, unless the key is an admin's
      if (!record || (record.clientId !== key.clientId && !key.scopes.includes('admin'))) {
        throw new MnogateError('MNOGATE_ERR_RECHARGE_NOT_FOUND', undefined, { id: request.params.id });
      }
      return rechargeView(record);
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/v1/recharges',
    {
      config: { scope: 'recharge:read' },
      schema: {
        tags: ['recharges'],
        summary: 'List recharges, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['succeeded', 'failed', 'pending', 'unknown'] },
            operatorId: { type: 'string', maxLength: 64 },
            msisdn: { type: 'string', maxLength: 32 },
            reference: { type: 'string', maxLength: 128 },
            from: { type: 'string', description: 'ISO 8601: created at or after' },
            to: { type: 'string', description: 'ISO 8601: created before' },
            ...pageQueryProperties,
          },
        },
        response: {
          200: pageSchema(rechargeSchema),
          '4xx': problemRef,
        },
      },
    },
    async (request) => {
      const key = requireKey(request);
      const q = request.query;
      const limit = pageLimit(q.limit);
      const page = await store.listRecharges(
        {
          clientId: key.scopes.includes('admin') ? undefined : key.clientId,
          status: q.status ? STATUS_FILTER[q.status] : undefined,
          operatorId: q.operatorId,
          msisdn: q.msisdn ? normalizeMsisdn(q.msisdn) : undefined,
          clientReference: q.reference,
          createdFrom: parseTime(q.from, 'from'),
          createdTo: parseTime(q.to, 'to'),
        },
        limit,
        q.cursor ?? null,
      );
      return { items: page.items.map(rechargeView), nextCursor: page.nextCursor };
    },
  );
}
