/**
 * `rest-json`: an aggregator-style REST API. POST /topups { externalId, msisdn, amount (major units,
 * number or decimal string), currency, productId } with the API key in `X-API-Key` (or
 * `Authorization: Bearer`); GET /topups?externalId=... and GET /topups/<transactionId> for status.
 */
import {
  type DialectContext,
  type DialectHandler,
  endpointPath,
  type SimReply,
  type SimRequest,
} from '../../dialect.js';
import type { Transaction, TransactionOutcome } from '../../ledger.js';
import { majorToMinor, minorToMajor } from '../../money.js';

const JSON_TYPE = 'application/json';

const FAILURES: Readonly<Partial<Record<TransactionOutcome, readonly [string, string]>>> = {
  rejected: ['REJECTED', 'the operator refused the top-up'],
  'rejected-subscriber': ['SUBSCRIBER_NOT_FOUND', 'no such subscriber'],
  'rejected-credit': ['INSUFFICIENT_BALANCE', 'the reseller balance is too low'],
  'invalid-msisdn': ['INVALID_MSISDN', 'the number is not one of this operator'],
  'invalid-amount': ['INVALID_AMOUNT', 'the amount or currency is not valid'],
};

function json(status: number, body: unknown, extra?: Partial<SimReply>): SimReply {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(body), ...extra };
}

function error(status: number, code: string, message: string, extra?: Partial<SimReply>): SimReply {
  return json(status, { error: { code, message } }, extra);
}

export function createRestJsonHandler(ctx: DialectContext): DialectHandler {
  const headerName = String(ctx.operator.api.options.apiKeyHeader ?? 'x-api-key').toLowerCase();

  const view = (t: Transaction, answering?: TransactionOutcome) => {
    const state = ctx.state(t);
    const status =
      answering === 'ambiguous' || state === 'pending'
        ? 'PROCESSING'
        : state === 'succeeded'
          ? 'SUCCESSFUL'
          : 'FAILED';
    const failure = FAILURES[t.outcome];
    return {
      transactionId: t.operatorReference,
      externalId: t.reference,
      status,
      msisdn: t.msisdn,
      amount: Number(minorToMajor(t.amountMinor, t.currency)),
      currency: t.currency,
      productId: t.productId ?? null,
      createdAt: new Date(t.createdAt).toISOString(),
      ...(status === 'SUCCESSFUL'
        ? { balanceAfter: Number(minorToMajor(t.balanceAfterMinor ?? 0, t.currency)) }
        : {}),
      ...(failure ? { errorCode: failure[0], errorMessage: failure[1] } : {}),
    };
  };

  const authorised = (req: SimRequest): boolean => {
    const raw = req.headers[headerName];
    let key = Array.isArray(raw) ? raw[0] : raw;
    const auth = req.headers.authorization;
    if (key === undefined && auth?.startsWith('Bearer ')) key = auth.slice(7).trim();
    return ctx.checkCredentials({ apiKey: key });
  };

  const unauthorised = () => error(401, 'UNAUTHORIZED', 'a valid API key is required');

  function post(req: SimRequest): SimReply {
    if (!authorised(req)) return unauthorised();
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(req.body);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      ctx.badRequest();
      return error(400, 'INVALID_REQUEST', 'the body must be a JSON object');
    }
    const { externalId, msisdn, amount, currency, productId } = body;
    const missing = [
      typeof externalId === 'string' && externalId !== '' ? undefined : 'externalId',
      typeof msisdn === 'string' ? undefined : 'msisdn',
      typeof amount === 'number' || typeof amount === 'string' ? undefined : 'amount',
      typeof currency === 'string' ? undefined : 'currency',
      productId === undefined || typeof productId === 'string' ? undefined : 'productId',
    ].filter(Boolean);
    if (missing.length > 0) {
      ctx.badRequest();
      return error(400, 'INVALID_REQUEST', `missing or invalid: ${missing.join(', ')}`);
    }
    const decision = ctx.topup({
      reference: externalId as string,
      msisdn: msisdn as string,
      amountMinor: majorToMinor(amount as string | number, currency as string),
      currency: currency as string,
      productId: productId as string | undefined,
    });
    const { transport, delayMs } = decision;
    switch (decision.kind) {
      case 'duplicate':
        return decision.sameRequest
          ? json(200, view(decision.original), { transport, delayMs })
          : error(409, 'DUPLICATE_EXTERNAL_ID', 'this externalId was used with another request', {
              transport,
              delayMs,
            });
      case 'busy':
        return error(503, 'SYSTEM_BUSY', 'the system is busy, try later', {
          transport,
          delayMs,
          headers: { 'retry-after': '1' },
        });
      case 'dropped':
        return error(500, 'INTERNAL_ERROR', 'dropped', { transport, delayMs });
      case 'logged':
        return json(201, view(decision.txn, decision.txn.outcome), { transport, delayMs });
    }
  }

  function get(req: SimRequest, transactionId: string | undefined): SimReply {
    if (!authorised(req)) return unauthorised();
    const externalId = req.url.searchParams.get('externalId');
    if (transactionId === undefined && !externalId) {
      ctx.badRequest();
      return error(400, 'INVALID_REQUEST', 'externalId is required');
    }
    const t =
      transactionId !== undefined ? ctx.findByOperatorReference(transactionId) : ctx.find(externalId!);
    const s = ctx.statusQuery(t ? [t] : []);
    const extra = { transport: s.transport, delayMs: s.delayMs };
    if (s.busy) return error(503, 'SYSTEM_BUSY', 'the system is busy, try later', extra);
    if (!t) return error(404, 'NOT_FOUND', 'no such top-up', extra);
    return json(200, view(t), extra);
  }

  const base = endpointPath(ctx.operator);
  return {
    handle(req) {
      const full = req.url.pathname.replace(/\/+$/, '');
      if (!full.startsWith(base))
        return error(404, 'NOT_FOUND', `no route ${req.method} ${req.url.pathname}`);
      const path = full.slice(base.length);
      if (path === '/topups') {
        if (req.method === 'POST') return post(req);
        if (req.method === 'GET') return get(req, undefined);
        return error(405, 'METHOD_NOT_ALLOWED', 'use POST or GET');
      }
      const m = /^\/topups\/([^/]+)$/.exec(path);
      if (m && req.method === 'GET') return get(req, decodeURIComponent(m[1]!));
      return error(404, 'NOT_FOUND', `no route ${req.method} ${req.url.pathname}`);
    },
  };
}
