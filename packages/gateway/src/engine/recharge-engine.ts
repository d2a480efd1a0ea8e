/**
 * The engine: accept -> route -> submit -> settle (DESIGN.md, "A recharge, end to end").
 *
 * Durability rule: `accepted` and then `submitting` are committed before any byte goes to the
 * operator. A request goes to the operator at most once per recharge; the only retry is to the next
 * endpoint when the connection provably failed before the request was written. After an ambiguous
 * outcome nothing is resubmitted: the reconciler asks the operator instead.
 */
import {
  chooseProduct,
  isMnogateError,
  type MnogateConfig,
  MnogateError,
  normalizeMsisdn,
  type OperatorConfig,
  type Router,
} from '@mnogate/core';
import type { Logger } from 'pino';
import type { RechargeCall, RechargeOutcome } from '../connectors/connector.js';
import type {
  AcceptResult,
  OperatorExchange,
  RechargeFailure,
  RechargeRecord,
  Store,
} from '../store/store.js';
import { redactBody } from '../telemetry/redact.js';
import type { CompletionHub } from './completion.js';
import { type EngineEvents, emit } from './engine-events.js';
import { recorderFor } from './exchange-recorder.js';
import { newRechargeId, operatorReferenceFor } from './ids.js';
import type { OperatorRuntime } from './operator-runtime.js';
import { webhookFor } from './webhook-event.js';

export interface RechargeRequest {
  readonly clientId: string;
  readonly msisdn: string;
  readonly amount: string;
  readonly currency: string;
  readonly productId?: string | undefined;
  readonly operatorId?: string | undefined;
  readonly reference?: string | undefined;
}

/** Per-request context for accept: its logger (a child carrying the API's request id). */
export interface AcceptContext {
  readonly logger?: Logger | undefined;
}

export interface IdempotencyInput {
  readonly key: string;
  readonly bodyHash: string;
}

export interface EngineOptions {
  readonly config: MnogateConfig;
  readonly store: Store;
  /** Getters: a configuration reload swaps what they return. */
  readonly router: () => Router;
  readonly operators: () => ReadonlyMap<string, OperatorRuntime>;
  readonly completions: CompletionHub;
  readonly logger: Logger;
  /** This process's name in leases: unique per replica. */
  readonly owner: string;
  /** Where a client's webhooks go, if anywhere. */
  readonly webhookTarget: (clientId: string) => Promise<{ url: string } | null>;
  /** Observers (metrics). */
  readonly events?: EngineEvents;
  /** The one operator this gateway fronts, if it fronts one (see GatewayOptions.operatorScope). */
  readonly operatorScope?: string | undefined;
  /** Injected clock (ms since epoch). @default Date.now */
  readonly now?: () => number;
}

export interface RechargeEngine {
  /**
   * Validates, routes and persists a new recharge (claiming the idempotency key in the same
   * transaction), then starts submitting it in the background. Refusals before persisting throw a
   * MnogateError and write nothing.
   */
  accept(
    request: RechargeRequest,
    idempotency?: IdempotencyInput,
    context?: AcceptContext,
  ): Promise<AcceptResult>;
  /** The in-flight submissions, for graceful shutdown. */
  drain(): Promise<void>;
  /** Stop starting new submissions. */
  close(): void;
  inFlight(operatorId?: string): number;
}

/** Margin over the call's own timeouts before a submitter's lease counts as abandoned. */
const SUBMIT_LEASE_MARGIN_MS = 5_000;

export function createRechargeEngine(options: EngineOptions): RechargeEngine {
  const { store, router, operators, completions, logger, owner } = options;
  const now = options.now ?? Date.now;
  const running = new Set<Promise<void>>();
  const inFlightByOperator = new Map<string, number>();
  let closed = false;

  function operatorFor(id: string): OperatorRuntime {
    const runtime = operators().get(id);
    if (
      !runtime &&
      options.operatorScope !== undefined &&
      options.config.operators.some((o) => o.id === id)
    ) {
      throw new MnogateError('MNOGATE_ERR_ROUTE_OTHER_GATEWAY', undefined, {
        operatorId: id,
        thisGateway: options.operatorScope,
        path: `/operators/${id}`,
      });
    }
    if (!runtime) throw new MnogateError('MNOGATE_ERR_ROUTE_UNKNOWN_OPERATOR', undefined, { operatorId: id });
    return runtime;
  }

  function submitLeaseMs(op: OperatorConfig): number {
    return op.api.timeouts.requestMs * op.api.endpoints.length + SUBMIT_LEASE_MARGIN_MS;
  }

  async function accept(
    request: RechargeRequest,
    idempotency?: IdempotencyInput,
    context?: AcceptContext,
  ): Promise<AcceptResult> {
    const log = context?.logger ?? logger; // the submit's lines carry the request's id
    if (closed) throw new MnogateError('MNOGATE_ERR_POLICY_SHUTTING_DOWN');
    const explicit = request.operatorId !== undefined ? operatorFor(request.operatorId).config : undefined;
    // a national-format number is read in the operator's country, or the only country configured
    const countries = new Set([...operators().values()].map((r) => r.config.country));
    const country = explicit?.country ?? (countries.size === 1 ? [...countries][0] : undefined);
    const msisdn = normalizeMsisdn(request.msisdn, { country });
    const route = router().route(msisdn, request.operatorId);
    const runtime = operatorFor(route.operatorId);
    const { product, amountMinor } = chooseProduct(runtime.config, request);

    const at = now();
    const id = newRechargeId(at);
    const record: RechargeRecord = {
      id,
      clientId: request.clientId,
      status: 'accepted',
      msisdn,
      operatorId: runtime.config.id,
      productId: product.id,
      amountMinor,
      currency: request.currency,
      clientReference: request.reference ?? null,
      operatorReference: operatorReferenceFor(id),
      operatorTransactionId: null,
      endpoint: null,
      failure: null,
      reconcileAttempts: 0,
      nextAttemptAt: null,
      needsAdmin: false,
      leaseOwner: owner,
      leaseExpiresAt: at + submitLeaseMs(runtime.config),
      createdAt: at,
      updatedAt: at,
    };
    const claim = idempotency
      ? {
          clientId: request.clientId,
          key: idempotency.key,
          bodyHash: idempotency.bodyHash,
          expiresAt: at + options.config.gateway.idempotencyRetentionHours * 3_600_000,
        }
      : undefined;
    const result = await store.acceptRecharge(record, claim);
    if (result.kind === 'created') {
      const task = submit(result.recharge, runtime, log).catch((err: unknown) => {
        // the record stays leased in accepted/submitting: the reconciler picks it up when the lease expires
        log.error({ err, rechargeId: id }, 'submit failed unexpectedly');
      });
      running.add(task);
      void task.finally(() => running.delete(task));
    }
    return result;
  }

  async function finish(
    record: RechargeRecord,
    from: RechargeRecord['status'],
    to: 'succeeded' | 'failed' | 'unknown',
    cause: string,
    patch: Parameters<Store['transition']>[0]['patch'],
    detail?: Record<string, unknown>,
    exchanges?: readonly OperatorExchange[],
  ): Promise<RechargeRecord | null> {
    const at = now();
    const webhook =
      to === 'unknown'
        ? undefined
        : await webhookFor({ ...record, status: to, ...patch, updatedAt: at }, options);
    const next = await store.transition({
      id: record.id,
      from,
      to,
      at,
      cause,
      detail,
      patch,
      webhook,
      exchanges,
    });
    if (next) {
      completions.notify(next);
      emit(options.events, 'transition', {
        rechargeId: record.id,
        operatorId: record.operatorId,
        from,
        to,
        cause,
      });
    }
    return next;
  }

  async function submit(
    record: RechargeRecord,
    runtime: OperatorRuntime,
    log: Logger = logger,
  ): Promise<void> {
    const op = runtime.config;
    let ticket: Awaited<ReturnType<OperatorRuntime['policy']['admit']>>;
    try {
      if (closed) throw new MnogateError('MNOGATE_ERR_POLICY_SHUTTING_DOWN');
      ticket = await runtime.policy.admit();
    } catch (err) {
      const failure = failureOf(err);
      log.warn({ rechargeId: record.id, operatorId: op.id, code: failure.code }, 'refused before sending');
      emit(options.events, 'refused', { operatorId: op.id, code: failure.code });
      await finish(record, 'accepted', 'failed', 'policy', {
        failure,
        leaseOwner: null,
        leaseExpiresAt: null,
      });
      return;
    }
    inFlightByOperator.set(op.id, (inFlightByOperator.get(op.id) ?? 0) + 1);
    let policyResult: 'success' | 'failure' | 'not-sent' | 'refused' = 'refused';
    try {
      const endpoints = runtime.endpoints();
      const submitting = await store.transition({
        id: record.id,
        from: 'accepted',
        to: 'submitting',
        at: now(),
        cause: 'submit',
        patch: {
          endpoint: endpoints[0] ?? null,
          leaseOwner: owner,
          leaseExpiresAt: now() + submitLeaseMs(op),
        },
      });
      if (!submitting) return; // someone else (a reconciler after a lease expiry) took it
      emit(options.events, 'transition', {
        rechargeId: record.id,
        operatorId: op.id,
        from: 'accepted',
        to: 'submitting',
        cause: 'submit',
      });
      const call = rechargeCall(submitting, op);
      const recorder = recorderFor(options.config.gateway.exchanges, runtime, 'recharge');
      let outcome: RechargeOutcome | undefined;
      let endpoint = endpoints[0];
      for (const candidate of endpoints) {
        endpoint = candidate;
        if (candidate !== submitting.endpoint) {
          await store.updateRecharge(record.id, 'submitting', { endpoint: candidate }, now());
        }
        const started = performance.now();
        outcome = await runtime.connector.recharge(call, {
          endpoint: candidate,
          dispatcher: recorder?.dispatcher ?? runtime.dispatcher,
          timeoutMs: op.api.timeouts.requestMs,
        });
        const latencyMs = performance.now() - started;
        const notSent = outcome.status === 'failed' && !outcome.sent;
        runtime.observe(
          candidate,
          notSent ? 'not-sent' : outcome.status === 'unknown' ? 'failure' : 'success',
          latencyMs,
        );
        emit(options.events, 'operatorCall', {
          operatorId: op.id,
          operation: 'recharge',
          endpoint: candidate,
          outcome: notSent ? 'not-sent' : outcome.status,
          durationMs: latencyMs,
        });
        log.info(
          {
            rechargeId: record.id,
            operatorId: op.id,
            dialect: op.api.dialect,
            operation: 'recharge',
            endpoint: candidate,
            durationMs: Math.round(latencyMs),
            outcome: outcome.status,
            operatorCode: outcome.operatorCode,
            sent: !notSent,
          },
          'operator call',
        );
        if (!notSent) break; // anything that may have reached the operator is never sent again
      }
      if (!outcome) throw new MnogateError('MNOGATE_ERR_POLICY_NO_ENDPOINT');
      policyResult =
        outcome.status === 'failed' && !outcome.sent
          ? 'not-sent'
          : outcome.status === 'unknown'
            ? 'failure'
            : 'success';
      await settle(submitting, outcome, endpoint ?? null, recorder?.take());
    } finally {
      inFlightByOperator.set(op.id, (inFlightByOperator.get(op.id) ?? 1) - 1);
      ticket.release(policyResult);
    }
  }

  async function settle(
    record: RechargeRecord,
    outcome: RechargeOutcome,
    endpoint: string | null,
    exchanges: readonly OperatorExchange[] | undefined,
  ): Promise<void> {
    // the message may quote the operator's answer: never let a credential it echoes reach the store
    if (outcome.message) outcome = { ...outcome, message: redactBody(outcome.message) };
    const released = { leaseOwner: null, leaseExpiresAt: null, endpoint };
    if (outcome.status === 'succeeded') {
      await finish(
        record,
        'submitting',
        'succeeded',
        'submit',
        { ...released, operatorTransactionId: outcome.operatorTransactionId ?? null },
        undefined,
        exchanges,
      );
    } else if (outcome.status === 'failed') {
      const failure: RechargeFailure = outcome.sent
        ? {
            code: 'MNOGATE_ERR_OPERATOR_REJECTED',
            message: outcome.message,
            operatorCode: outcome.operatorCode,
          }
        : {
            code: 'MNOGATE_ERR_OPERATOR_CONNECT',
            message: outcome.message,
            operatorCode: outcome.operatorCode,
          };
      await finish(record, 'submitting', 'failed', 'submit', { ...released, failure }, undefined, exchanges);
    } else {
      await finish(
        record,
        'submitting',
        'unknown',
        'submit',
        { ...released, nextAttemptAt: now() + options.config.gateway.reconciler.initialBackoffMs },
        { reason: outcome.reason, operatorCode: outcome.operatorCode ?? null, message: outcome.message },
        exchanges,
      );
    }
  }

  return {
    accept,
    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    close() {
      closed = true;
    },
    inFlight(operatorId) {
      if (operatorId !== undefined) return inFlightByOperator.get(operatorId) ?? 0;
      let total = 0;
      for (const n of inFlightByOperator.values()) total += n;
      return total;
    },
  };
}

/** The connector's view of a stored recharge. */
export function rechargeCall(record: RechargeRecord, op: OperatorConfig): RechargeCall {
  const product = op.products.find((p) => p.id === record.productId);
  if (!product) {
    throw new MnogateError(
      'MNOGATE_ERR_PRODUCT_UNKNOWN',
      `operator ${op.id} no longer has product ${record.productId}`,
    );
  }
  return {
    reference: record.operatorReference,
    msisdn: record.msisdn,
    amountMinor: record.amountMinor,
    currency: record.currency,
    product,
    acceptedAt: record.createdAt,
  };
}

function failureOf(err: unknown): RechargeFailure {
  if (isMnogateError(err)) return { code: err.code, message: err.message };
  return { code: 'MNOGATE_ERR_INTERNAL_UNEXPECTED', message: 'internal error' };
}
