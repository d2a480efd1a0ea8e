/**
 * rest-json: an aggregator-style REST API. `POST /topups` with
 * `{ externalId, msisdn, amount, currency, productId }` and an `X-API-Key` header, answering
 * `{ transactionId, externalId, status: SUCCESSFUL | PROCESSING | FAILED }`; status by
 * `GET /topups?externalId=...`.
 */
import type {
  CallContext,
  Connector,
  ConnectorFactory,
  ConnectorOptions,
  RechargeCall,
  RechargeOutcome,
  StatusOutcome,
} from '../connector.js';
import { excerpt, majorUnits, msisdnE164, option, productCode } from '../format.js';
import { httpCall } from '../http-call.js';
import {
  type CodeTable,
  guardHttpStatus,
  transportRechargeOutcome,
  transportStatusOutcome,
  unparseable,
} from '../outcomes.js';

/** The `status` values of a top-up and what they mean for us. */
export const REST_JSON_STATUSES = {
  SUCCESSFUL: {
    name: 'SUCCESSFUL',
    recharge: 'succeeded',
    status: 'succeeded',
    meaning: 'the subscriber was credited',
  },
  PROCESSING: {
    name: 'PROCESSING',
    recharge: 'unknown',
    status: 'pending',
    meaning: 'accepted, not finished: only a later status query can tell',
  },
  FAILED: {
    name: 'FAILED',
    recharge: 'failed',
    status: 'failed',
    meaning: 'refused; nothing was credited',
  },
} as const satisfies CodeTable;

/** HTTP statuses of a status query that refuse our API key: `error`, reason `auth`. */
export const REST_JSON_AUTH_FAILED_STATUSES: readonly number[] = [401, 403];

/** How `amount` is written: a decimal string in major units (default), a JSON number in major units, or integer minor units. */
export type RestJsonAmountFormat = 'major-string' | 'major-number' | 'minor';

interface TopupView {
  readonly status?: string;
  readonly transactionId?: string;
  readonly externalId?: string;
  readonly code?: string;
  readonly message?: string;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function view(value: unknown): TopupView | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  const error = o.error && typeof o.error === 'object' ? (o.error as Record<string, unknown>) : undefined;
  return {
    status: str(o.status)?.toUpperCase(),
    transactionId: str(o.transactionId) ?? str(o.id),
    externalId: str(o.externalId),
    code: str(o.errorCode) ?? str(o.code) ?? str(error?.code),
    message: str(o.message) ?? str(o.errorMessage) ?? str(error?.message) ?? str(o.detail),
  };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Find our top-up in a status answer: the object itself, or an entry of an array / {items|data|topups}. */
function findTopup(value: unknown, reference: string): TopupView | 'absent' | undefined {
  let list: unknown[] | undefined;
  if (Array.isArray(value)) list = value;
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const key of ['items', 'data', 'topups', 'results']) {
      if (Array.isArray(o[key])) list = o[key] as unknown[];
    }
  }
  if (list) {
    const match = list.map(view).find((v) => v?.externalId === reference);
    return match ?? 'absent';
  }
  return view(value);
}

function classifyRecharge(v: TopupView | undefined, reference: string): RechargeOutcome | undefined {
  if (!v?.status) return undefined;
  if (v.externalId !== undefined && v.externalId !== reference) {
    return {
      status: 'unknown',
      reason: 'unparseable',
      message: `answer is for externalId ${v.externalId}, not ${reference}`,
    };
  }
  const entry = (REST_JSON_STATUSES as CodeTable)[v.status];
  const message = v.message ?? entry?.meaning ?? `status ${v.status}`;
  switch (entry?.recharge) {
    case 'succeeded':
      return { status: 'succeeded', operatorCode: v.status, operatorTransactionId: v.transactionId, message };
    case 'failed':
      return { status: 'failed', operatorCode: v.code ?? v.status, message, sent: true };
    case 'unknown':
      return { status: 'unknown', reason: 'ambiguous-code', operatorCode: v.status, message };
    default:
      return {
        status: 'unknown',
        reason: 'ambiguous-code',
        operatorCode: v.status,
        message: `unknown status ${v.status}`,
      };
  }
}

function baseUrl(endpoint: string): string {
  return endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
}

export const createRestJsonConnector: ConnectorFactory = (options: ConnectorOptions): Connector => {
  const { operator, credentials } = options;
  const amountFormat = option(operator, 'amountFormat', 'major-string') as RestJsonAmountFormat;
  const apiKeyHeader = option(operator, 'apiKeyHeader', 'X-API-Key');
  const apiKey = credentials.apiKey ?? '';

  function amountValue(call: RechargeCall): string | number {
    if (amountFormat === 'minor') return call.amountMinor;
    const major = majorUnits(call.amountMinor, call.currency);
    return amountFormat === 'major-number' ? Number(major) : major;
  }

  return {
    dialect: 'rest-json',

    async recharge(call: RechargeCall, ctx: CallContext): Promise<RechargeOutcome> {
      const body = JSON.stringify({
        externalId: call.reference,
        msisdn: msisdnE164(call.msisdn),
        amount: amountValue(call),
        currency: call.currency,
        productId: productCode(call.product),
      });
      const res = await httpCall(ctx, {
        method: 'POST',
        url: new URL('topups', baseUrl(ctx.endpoint)).href,
        headers: { 'content-type': 'application/json', accept: 'application/json', [apiKeyHeader]: apiKey },
        body,
      });
      if (res.kind !== 'response') return transportRechargeOutcome(res);
      const json = parseJson(res.body);
      const parsed = classifyRecharge(view(json), call.reference);
      if (res.statusCode >= 200 && res.statusCode < 300 && !parsed) {
        return unparseable(res.statusCode, `no top-up status in ${excerpt(res.body)}`);
      }
      return guardHttpStatus(res.statusCode, parsed, excerpt(res.body));
    },

    async status(call: RechargeCall, ctx: CallContext): Promise<StatusOutcome> {
      const url = new URL('topups', baseUrl(ctx.endpoint));
      url.searchParams.set('externalId', call.reference);
      const res = await httpCall(ctx, {
        method: 'GET',
        url: url.href,
        headers: { accept: 'application/json', [apiKeyHeader]: apiKey },
      });
      if (res.kind !== 'response') return transportStatusOutcome(res);
      if (res.statusCode === 404) {
        return {
          status: 'not-found',
          operatorCode: 'HTTP_404',
          message: 'the operator has no such externalId',
        };
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        const message = `status query HTTP ${res.statusCode}: ${excerpt(res.body)}`;
        // 401: the key was refused; 403: not allowed for this key (API gateways also answer 403 for a bad key)
        if (REST_JSON_AUTH_FAILED_STATUSES.includes(res.statusCode))
          return { status: 'error', reason: 'auth', message };
        return { status: 'error', message };
      }
      const found = findTopup(parseJson(res.body), call.reference);
      if (found === 'absent') {
        return { status: 'not-found', message: 'the operator lists no top-up with this externalId' };
      }
      if (!found?.status)
        return { status: 'error', message: `unreadable status answer: ${excerpt(res.body)}` };
      if (found.externalId !== undefined && found.externalId !== call.reference) {
        return { status: 'error', message: `status answer is for externalId ${found.externalId}` };
      }
      const entry = (REST_JSON_STATUSES as CodeTable)[found.status];
      switch (entry?.status) {
        case 'succeeded':
          return {
            status: 'succeeded',
            operatorCode: found.status,
            operatorTransactionId: found.transactionId,
          };
        case 'failed':
          return {
            status: 'failed',
            operatorCode: found.code ?? found.status,
            message: found.message ?? entry.meaning,
          };
        case 'pending':
          return { status: 'pending', operatorCode: found.status, message: found.message ?? entry.meaning };
        default:
          return { status: 'error', message: `unknown status ${found.status}` };
      }
    },
  };
};
