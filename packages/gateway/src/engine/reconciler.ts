/**
 * The reconciler resolves every ambiguous outcome by asking the operator, never by resubmitting.
 *
 * It leases work from the store (so with many replicas each recharge has one reconciler at a time,
 * and a dead replica's leases expire and are taken over) and handles:
 * - `unknown` whose next attempt is due: a status query by our reference;
 * - `submitting` whose submitter's lease expired (a crash mid-call): the same status query;
 * - `accepted` whose lease expired: the gateway stopped before sending, so it fails, as never sent.
 *
 * When the operator says it never saw the reference and the settle window (from acceptance) has
 * passed, the recharge failed. After `maxAttempts` queries, or for an operator without a status
 * query, it waits for an admin in the unresolved queue.
 */
import type { MnogateConfig } from '@mnogate/core';
import type { Logger } from 'pino';
import type { StatusOutcome } from '../connectors/connector.js';
import type { OperatorExchange, RechargeRecord, Store, TransitionPatch } from '../store/store.js';
import type { CompletionHub } from './completion.js';
import { type EngineEvents, emit } from './engine-events.js';
import { recorderFor } from './exchange-recorder.js';
import type { OperatorRuntime } from './operator-runtime.js';
import { createPollingLoop } from './polling-loop.js';
import { rechargeCall } from './recharge-engine.js';
import { webhookFor } from './webhook-event.js';

export interface ReconcilerOptions {
  readonly config: MnogateConfig;
  readonly store: Store;
  /** A getter: a configuration reload swaps the operators. */
  readonly operators: () => ReadonlyMap<string, OperatorRuntime>;
  readonly completions: CompletionHub;
  readonly logger: Logger;
  readonly owner: string;
  readonly webhookTarget: (clientId: string) => Promise<{ url: string } | null>;
  readonly events?: EngineEvents;
  /** Recharges leased per pass. @default 50 */
  readonly batchSize?: number;
  /** Take only this operator's recharges (a gateway that fronts one operator). */
  readonly operatorScope?: string | undefined;
  readonly now?: () => number;
}

export interface Reconciler {
  start(): void;
  /** Stops the loop and waits for the pass in progress. */
  stop(): Promise<void>;
  /** Runs one pass now; resolves with how many recharges it looked at. */
  runOnce(): Promise<number>;
}

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { store, operators, logger, owner, completions } = options;
  const settings = options.config.gateway.reconciler;
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? 50;

  function backoffMs(attempts: number): number {
    const base = Math.min(settings.maxBackoffMs, settings.initialBackoffMs * 2 ** Math.min(attempts, 30));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  async function transitionTo(
    record: RechargeRecord,
    to: 'succeeded' | 'failed' | 'unknown',
    patch: TransitionPatch,
    detail: Record<string, unknown>,
    exchanges?: readonly OperatorExchange[],
  ): Promise<void> {
    const at = now();
    const fullPatch: TransitionPatch = { leaseOwner: null, leaseExpiresAt: null, ...patch };
    const webhook =
      to === 'unknown'
        ? undefined
        : await webhookFor({ ...record, ...fullPatch, status: to, updatedAt: at }, options);
    const next = await store.transition({
      id: record.id,
      from: record.status,
      to,
      at,
      cause: 'reconciler',
      detail,
      patch: fullPatch,
      webhook,
      exchanges,
    });
    if (next) {
      completions.notify(next);
      emit(options.events, 'transition', {
        rechargeId: record.id,
        operatorId: record.operatorId,
        from: record.status,
        to,
        cause: 'reconciler',
      });
    }
  }

  async function reschedule(
    record: RechargeRecord,
    status: StatusOutcome,
    needsAdmin: boolean,
    exchanges?: readonly OperatorExchange[],
  ): Promise<void> {
    const attempts = record.reconcileAttempts + 1;
    const patch: TransitionPatch = {
      reconcileAttempts: attempts,
      nextAttemptAt: needsAdmin ? null : now() + backoffMs(attempts),
      needsAdmin,
      leaseOwner: null,
      leaseExpiresAt: null,
    };
    const detail = {
      status: status.status,
      message: 'message' in status ? status.message : undefined,
      attempts,
    };
    if (record.status === 'submitting') {
      await transitionTo(record, 'unknown', patch, detail, exchanges);
    } else {
      await store.updateRecharge(record.id, record.status, patch, now(), exchanges);
    }
    if (needsAdmin) {
      logger.warn(
        { rechargeId: record.id, operatorId: record.operatorId, attempts },
        'recharge needs an admin decision',
      );
    }
  }

  async function resolve(record: RechargeRecord): Promise<void> {
    const runtime = operators().get(record.operatorId);
    if (record.status === 'accepted') {
      await transitionTo(
        record,
        'failed',
        {
          failure: {
            code: 'MNOGATE_ERR_RECHARGE_INTERRUPTED',
            message: 'the gateway stopped before sending the recharge; nothing was sent',
          },
        },
        { reason: 'lease expired before submitting' },
      );
      return;
    }
    if (!runtime) {
      await reschedule(record, { status: 'error', message: 'the operator is no longer configured' }, true);
      return;
    }
    const op = runtime.config;
    if (!op.api.statusQuery) {
      await reschedule(record, { status: 'error', message: 'the operator has no status query' }, true);
      return;
    }
    // a status query is safe on any endpoint: ask the healthiest, not necessarily the one that timed out
    const endpoint = runtime.endpoints()[0] ?? record.endpoint!;
    const started = performance.now();
    const recorder = recorderFor(options.config.gateway.exchanges, runtime, 'status');
    let status: StatusOutcome;
    try {
      status = await runtime.connector.status(rechargeCall(record, op), {
        endpoint,
        dispatcher: recorder?.dispatcher ?? runtime.dispatcher,
        timeoutMs: op.api.timeouts.statusMs,
      });
    } catch (err) {
      status = { status: 'error', message: (err as Error).message };
    }
    const durationMs = performance.now() - started;
    const exchanges = recorder?.take();
    emit(options.events, 'operatorCall', {
      operatorId: op.id,
      operation: 'status',
      endpoint,
      outcome: status.status,
      durationMs,
    });
    logger.info(
      {
        rechargeId: record.id,
        operatorId: op.id,
        dialect: op.api.dialect,
        operation: 'status',
        endpoint,
        durationMs: Math.round(durationMs),
        outcome: status.status,
      },
      'operator call',
    );
    switch (status.status) {
      case 'succeeded':
        await transitionTo(
          record,
          'succeeded',
          { operatorTransactionId: status.operatorTransactionId ?? record.operatorTransactionId },
          { via: 'status query', operatorCode: status.operatorCode },
          exchanges,
        );
        return;
      case 'failed':
        await transitionTo(
          record,
          'failed',
          {
            failure: {
              code: 'MNOGATE_ERR_OPERATOR_REJECTED',
              message: status.message,
              operatorCode: status.operatorCode,
            },
          },
          { via: 'status query', operatorCode: status.operatorCode },
          exchanges,
        );
        return;
      case 'not-found':
        if (now() - record.createdAt >= op.api.settleWindowMs) {
          await transitionTo(
            record,
            'failed',
            {
              failure: {
                code: 'MNOGATE_ERR_OPERATOR_NOT_FOUND',
                message: 'the operator has no record of the recharge after its settle window',
                operatorCode: status.operatorCode,
              },
            },
            { via: 'status query', settleWindowMs: op.api.settleWindowMs },
            exchanges,
          );
          return;
        }
        break;
      default:
        break;
    }
    await reschedule(record, status, record.reconcileAttempts + 1 >= settings.maxAttempts, exchanges);
  }

  async function runOnce(): Promise<number> {
    const work = await store.claimReconcileWork(
      owner,
      now(),
      settings.leaseMs,
      batchSize,
      options.operatorScope !== undefined ? [options.operatorScope] : undefined,
    );
    await Promise.all(
      work.map((record) =>
        resolve(record).catch((err: unknown) => {
          logger.error(
            { err, rechargeId: record.id },
            'reconcile failed; the lease will expire and it is retried',
          );
        }),
      ),
    );
    return work.length;
  }

  const loop = createPollingLoop({
    pass: runOnce,
    intervalMs: settings.intervalMs,
    fullBatch: batchSize, // a full batch means more is waiting: go again at once
    onError: (err) => logger.error({ err }, 'reconciler pass failed'),
  });

  return {
    start: () => loop.start(),
    stop: () => loop.stop(),
    runOnce,
  };
}
