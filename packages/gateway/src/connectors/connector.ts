/**
 * A connector speaks one operator dialect: it builds the request, sends it over the operator's
 * egress dispatcher, and classifies the answer. It never retries and never resubmits: the engine
 * owns that decision, using `sent` to know whether trying another endpoint is safe.
 */
import type { OperatorConfig, ProductConfig } from '@mnogate/core';
import type { Dispatcher } from 'undici';

export interface RechargeCall {
  /** Our reference, unique per recharge: the dialect's client reference / EXTREFNUM / serial no. */
  readonly reference: string;
  /** E.164 with the leading +; each dialect formats it as its operator expects. */
  readonly msisdn: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly product: ProductConfig;
  /** When the recharge was accepted (ms since epoch); status queries by time window use it. */
  readonly acceptedAt: number;
}

export interface CallContext {
  /** The endpoint URL to call (one of operator.api.endpoints). */
  readonly endpoint: string;
  /** The operator's egress agent: bound to its source address, with connect timeout. */
  readonly dispatcher: Dispatcher;
  /** Total time allowed for this call. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** What the operator's answer means for the recharge. */
export type RechargeOutcome =
  | {
      readonly status: 'succeeded';
      readonly operatorTransactionId?: string | undefined;
      readonly operatorCode: string;
      readonly message?: string | undefined;
    }
  | {
      /** The operator definitively refused: nothing was credited. */
      readonly status: 'failed';
      readonly operatorCode: string;
      readonly message: string;
      /** true when the request never left (connection failed before any byte was written). */
      readonly sent: boolean;
    }
  | {
      /** Sent (or maybe sent), no definitive answer: only a status query can tell. */
      readonly status: 'unknown';
      readonly reason: 'timeout' | 'reset' | 'ambiguous-code' | 'http-error' | 'unparseable';
      readonly operatorCode?: string | undefined;
      readonly message: string;
    };

export type StatusOutcome =
  | {
      readonly status: 'succeeded';
      readonly operatorTransactionId?: string | undefined;
      readonly operatorCode: string;
    }
  | { readonly status: 'failed'; readonly operatorCode: string; readonly message: string }
  /** The operator has it but has not finished. */
  | { readonly status: 'pending'; readonly operatorCode?: string | undefined; readonly message: string }
  /** The operator has no record of our reference. */
  | { readonly status: 'not-found'; readonly operatorCode?: string | undefined; readonly message: string }
  /**
   * The query itself failed (timeout, busy, unreadable, refused): ask again later, whatever the
   * reason. `reason: 'auth'` when the operator refused our credentials or our access (a wrong or
   * rotated secret): the answer says nothing about the recharge, but tells an operator's admin why.
   */
  | { readonly status: 'error'; readonly message: string; readonly reason?: 'auth' | undefined };

export interface Connector {
  readonly dialect: string;
  recharge(call: RechargeCall, ctx: CallContext): Promise<RechargeOutcome>;
  status(call: RechargeCall, ctx: CallContext): Promise<StatusOutcome>;
}

/** What a connector factory receives: the operator's config and its resolved credentials. */
export interface ConnectorOptions {
  readonly operator: OperatorConfig;
  /** Credential fields resolved from the secrets provider (e.g. { userId, password }). */
  readonly credentials: Readonly<Record<string, string>>;
  /** Injected clock for dates in requests. */
  readonly now?: () => Date;
}

/** A dialect: a factory from options to connector. A handler module named in the config exports `createConnector`. */
export type ConnectorFactory = (options: ConnectorOptions) => Connector;
