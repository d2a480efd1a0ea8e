/**
 * What a dialect is to the simulator: a request handler over one operator's context. A dialect only
 * speaks its wire format; the ledger, faults and transport behaviour are the context's.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { OperatorConfig } from '@mnogate/core';
import type { Transaction, TransactionState } from './ledger.js';

/** How the server delivers a reply: answer it, hold the connection open, reset it, or answer HTTP 500. */
export type Transport = 'answer' | 'hang' | 'reset' | 'http-500';

export interface SimRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface SimReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Default `answer`. */
  readonly transport?: Transport;
  /** Wait this long before delivering. */
  readonly delayMs?: number;
}

/** A top-up as a dialect parsed it. */
export interface TopupRequest {
  readonly reference: string;
  /** As sent: the context normalises it against the operator's prefixes. */
  readonly msisdn: string;
  /** undefined when the amount could not be read. */
  readonly amountMinor: number | undefined;
  /** undefined when the dialect carries no currency (or a numeric currency id). */
  readonly currency?: string | undefined;
  readonly productId?: string | undefined;
}

export type TopupDecision =
  /** The reference is already logged: nothing was credited now. */
  | {
      readonly kind: 'duplicate';
      readonly original: Transaction;
      /** The reuse carries the same number, amount, currency and product. */
      readonly sameRequest: boolean;
      readonly transport: Transport;
      readonly delayMs: number;
    }
  /** "System busy": nothing logged, nothing credited. */
  | { readonly kind: 'busy'; readonly transport: Transport; readonly delayMs: number }
  /** Nothing logged, nothing credited, and no answer (transport is hang, reset or http-500). */
  | { readonly kind: 'dropped'; readonly transport: Transport; readonly delayMs: number }
  /** Logged (credited or refused, see txn.outcome and txn.credited). */
  | {
      readonly kind: 'logged';
      readonly txn: Transaction;
      readonly transport: Transport;
      readonly delayMs: number;
    };

export interface StatusDecision {
  /** The status query itself is answered "system busy". */
  readonly busy: boolean;
  readonly transport: Transport;
  readonly delayMs: number;
}

export interface DialectContext {
  readonly operator: OperatorConfig;
  readonly credentials: Readonly<Record<string, string>>;
  random(): number;
  now(): number;
  /** Compares presented credentials with the configured ones (fields the config lacks are not checked). */
  checkCredentials(presented: Readonly<Record<string, string | undefined>>): boolean;
  /** Counts an authentication failure the dialect found by itself. */
  authFailure(): void;
  /** Counts a request the dialect could not read. */
  badRequest(): void;
  /** Applies the fault model and the ledger to a top-up. */
  topup(request: TopupRequest): TopupDecision;
  /** Applies the status-query faults; `about` are the transactions the answer will describe. */
  statusQuery(about: readonly Transaction[]): StatusDecision;
  find(reference: string): Transaction | undefined;
  findByOperatorReference(operatorReference: string): Transaction | undefined;
  transactions(): readonly Transaction[];
  state(t: Transaction): TransactionState;
  normalizeMsisdn(raw: string): string | undefined;
}

export interface DialectHandler {
  handle(request: SimRequest): Promise<SimReply> | SimReply;
}

/** The path of the operator's first endpoint, where its dialect is served ('' for a bare origin). */
export function endpointPath(operator: OperatorConfig): string {
  return new URL(operator.api.endpoints[0]!).pathname.replace(/\/+$/, '');
}

export type DialectFactory = (ctx: DialectContext) => DialectHandler;
