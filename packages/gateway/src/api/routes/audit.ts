/** The audit trail for admins: page through it with filters, and verify its hash chain. */
import { MnogateError } from '@mnogate/core';
import type { FastifyInstance } from 'fastify';
import { verifyAuditChain } from '../../audit/verify.js';
import type { AuditEntry, Store } from '../../store/store.js';
import { pageLimit, pageQueryProperties, pageSchema, problemRef } from '../schemas.js';

export interface AuditRoutesOptions {
  readonly store: Store;
}

const entrySchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string' },
    action: { type: 'string' },
    subject: { type: 'string' },
    detail: { type: ['object', 'null'], additionalProperties: true },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
} as const;

const verificationSchema = {
  type: 'object',
  properties: {
    ok: { type: 'boolean' },
    checked: { type: 'integer' },
    head: {
      type: ['object', 'null'],
      properties: { seq: { type: 'integer' }, hash: { type: 'string' } },
    },
    firstBad: {
      type: 'object',
      properties: {
        seq: { type: 'integer' },
        problem: { type: 'string', enum: ['edited', 'deleted', 'reordered'] },
        message: { type: 'string' },
      },
    },
  },
} as const;

interface AuditQuery {
  actor?: string;
  action?: string;
  subject?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new MnogateError('MNOGATE_ERR_REQUEST_INVALID', `${name} must be an ISO 8601 time`);
  return t;
}

function entryView(e: AuditEntry) {
  return { ...e, at: new Date(e.at).toISOString() };
}

export async function auditRoutes(app: FastifyInstance, options: AuditRoutesOptions): Promise<void> {
  const { store } = options;

  app.get<{ Querystring: AuditQuery }>(
    '/v1/admin/audit',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'The audit trail, newest first: state changes, admin decisions, key changes, reloads',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            actor: {
              type: 'string',
              maxLength: 200,
              description: 'e.g. admin:alice, client:fintech-a, reconciler',
            },
            action: { type: 'string', maxLength: 100, description: 'e.g. recharge.resolve, apikey.create' },
            subject: { type: 'string', maxLength: 200, description: 'a recharge id, a key id, config' },
            from: { type: 'string', description: 'ISO 8601: at or after' },
            to: { type: 'string', description: 'ISO 8601: before' },
            ...pageQueryProperties,
          },
        },
        response: {
          200: pageSchema(entrySchema),
          '4xx': problemRef,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = pageLimit(q.limit);
      const page = await store.listAudit(
        {
          actor: q.actor,
          action: q.action,
          subject: q.subject,
          from: parseTime(q.from, 'from'),
          to: parseTime(q.to, 'to'),
        },
        limit,
        q.cursor ?? null,
      );
      return { items: page.items.map(entryView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/admin/audit/verify',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['admin'],
        summary: "Verify the audit trail's hash chain: the first edited, deleted or reordered entry",
        response: { 200: verificationSchema, '4xx': problemRef },
      },
    },
    async () => verifyAuditChain(store),
  );
}
