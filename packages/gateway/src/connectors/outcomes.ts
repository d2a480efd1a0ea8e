/** Shared pieces of classification: code tables, and transport results turned into outcomes. */
import type { RechargeOutcome, StatusOutcome } from './connector.js';
import type { HttpCallResult } from './http-call.js';

/** How one vendor code reads, on a recharge answer and on a status-query answer. */
export interface CodeClass {
  /** The vendor's name for the code. */
  readonly name: string;
  readonly recharge: 'succeeded' | 'failed' | 'unknown';
  readonly status: StatusOutcome['status'];
  /** A short meaning, and why it is classified so. */
  readonly meaning: string;
  /** The code says the operator refused our credentials or access: a status query reads `error`, reason `auth`. */
  readonly authFailure?: boolean;
}

export type CodeTable = Readonly<Record<string, CodeClass>>;

type TransportFailure = Exclude<HttpCallResult, { kind: 'response' }>;

/** A recharge whose HTTP exchange broke: not-sent is a definitive failure, anything after the write is unknown. */
export function transportRechargeOutcome(result: TransportFailure): RechargeOutcome {
  switch (result.kind) {
    case 'not-sent':
      return { status: 'failed', operatorCode: result.code, message: result.message, sent: false };
    case 'timeout':
      return { status: 'unknown', reason: 'timeout', message: result.message };
    case 'reset':
      return { status: 'unknown', reason: 'reset', operatorCode: result.code, message: result.message };
  }
}

/** A status query whose HTTP exchange broke: ask again later. */
export function transportStatusOutcome(result: TransportFailure): StatusOutcome {
  const what = result.kind === 'not-sent' ? `not sent (${result.code})` : result.kind;
  return { status: 'error', message: `status query ${what}: ${result.message}` };
}

/** A status query that got no usable answer: ask again later; reason `auth` when `code` says our credentials were refused. */
export function statusQueryError(message: string, code?: CodeClass): StatusOutcome {
  return code?.authFailure ? { status: 'error', reason: 'auth', message } : { status: 'error', message };
}

/** An answer that was not what the dialect promised: only a status query can tell. */
export function unparseable(statusCode: number, detail: string): RechargeOutcome {
  return { status: 'unknown', reason: 'unparseable', message: `HTTP ${statusCode}: ${detail}` };
}

/** 4xx answers that do not prove the request was refused unprocessed. */
export const AMBIGUOUS_4XX: ReadonlySet<number> = new Set([408, 409, 429]);

/**
 * The HTTP-status rule every dialect shares, applied around a parsed recharge outcome:
 * - 2xx: the parsed answer, or unknown (unparseable) when there is none;
 * - 408, 409, 429: unknown, whatever the body says (a 409 means the reference is already known);
 * - any other status carrying a definitive vendor answer (succeeded or failed): that answer;
 * - 4xx: failed, the operator's HTTP layer refused it before processing;
 * - everything else (3xx, 5xx): unknown (http-error).
 */
export function guardHttpStatus(
  statusCode: number,
  parsed: RechargeOutcome | undefined,
  detail: string,
): RechargeOutcome {
  if (statusCode >= 200 && statusCode < 300) return parsed ?? unparseable(statusCode, detail);
  if (parsed && parsed.status !== 'unknown' && !AMBIGUOUS_4XX.has(statusCode)) return parsed;
  if (statusCode >= 400 && statusCode < 500 && !AMBIGUOUS_4XX.has(statusCode)) {
    return {
      status: 'failed',
      operatorCode: `HTTP_${statusCode}`,
      message: `HTTP ${statusCode}: ${detail}`,
      sent: true,
    };
  }
  return {
    status: 'unknown',
    reason: 'http-error',
    operatorCode: `HTTP_${statusCode}`,
    message: `HTTP ${statusCode}: ${detail}`,
  };
}

/** A vendor code read through its dialect's table (or the dialect's rule for codes not in it). */
export function rechargeFromCode(
  table: CodeTable,
  fallback: CodeClass,
  code: string,
  details: { readonly message?: string | undefined; readonly transactionId?: string | undefined },
): RechargeOutcome {
  const entry = table[code] ?? fallback;
  const message = details.message || `${entry.name}: ${entry.meaning}`;
  switch (entry.recharge) {
    case 'succeeded':
      return {
        status: 'succeeded',
        operatorCode: code,
        operatorTransactionId: details.transactionId,
        message,
      };
    case 'failed':
      return { status: 'failed', operatorCode: code, message, sent: true };
    case 'unknown':
      return { status: 'unknown', reason: 'ambiguous-code', operatorCode: code, message };
  }
}

export function statusFromCode(
  table: CodeTable,
  fallback: CodeClass,
  code: string,
  details: { readonly message?: string | undefined; readonly transactionId?: string | undefined },
): StatusOutcome {
  const entry = table[code] ?? fallback;
  const message = details.message || `${entry.name}: ${entry.meaning}`;
  switch (entry.status) {
    case 'succeeded':
      return { status: 'succeeded', operatorCode: code, operatorTransactionId: details.transactionId };
    case 'failed':
      return { status: 'failed', operatorCode: code, message };
    case 'pending':
      return { status: 'pending', operatorCode: code, message };
    case 'not-found':
      return { status: 'not-found', operatorCode: code, message };
    case 'error':
      return statusQueryError(`status query answered ${code}: ${message}`, entry);
  }
}
