/**
 * Row <-> record mapping shared by both backends. Column names are the same in both dialects; the
 * differences (0/1 vs boolean, JSON text vs jsonb, scopes as JSON text vs text[]) are absorbed here.
 */
import type {
  ApiKeyRecord,
  ApiScope,
  RechargeEvent,
  RechargeFailure,
  RechargeRecord,
  RechargeStatus,
  TransitionPatch,
  WebhookRecord,
} from './store.js';

export type Row = Record<string, unknown>;

export const FINAL_STATUSES: readonly RechargeStatus[] = ['succeeded', 'failed'];

export function isFinal(status: RechargeStatus): boolean {
  return status === 'succeeded' || status === 'failed';
}

function json<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function toRecharge(row: Row): RechargeRecord {
  return {
    id: row.id as string,
    clientId: row.client_id as string,
    status: row.status as RechargeStatus,
    msisdn: row.msisdn as string,
    operatorId: row.operator_id as string,
    productId: row.product_id as string,
    amountMinor: num(row.amount_minor),
    currency: row.currency as string,
    clientReference: strOrNull(row.client_reference),
    operatorReference: row.operator_reference as string,
    operatorTransactionId: strOrNull(row.operator_transaction_id),
    endpoint: strOrNull(row.endpoint),
    failure: json<RechargeFailure>(row.failure),
    reconcileAttempts: num(row.reconcile_attempts),
    nextAttemptAt: numOrNull(row.next_attempt_at),
    needsAdmin: Boolean(row.needs_admin),
    leaseOwner: strOrNull(row.lease_owner),
    leaseExpiresAt: numOrNull(row.lease_expires_at),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

export function toEvent(row: Row): RechargeEvent {
  return {
    rechargeId: row.recharge_id as string,
    seq: num(row.seq),
    from: (row.from_status as RechargeStatus | null) ?? null,
    to: row.to_status as RechargeStatus,
    at: num(row.at),
    cause: row.cause as string,
    detail: json<Record<string, unknown>>(row.detail),
  };
}

export function toWebhook(row: Row): WebhookRecord {
  return {
    id: row.id as string,
    rechargeId: strOrNull(row.recharge_id),
    clientId: row.client_id as string,
    url: row.url as string,
    eventType: row.event_type as string,
    payload: row.payload as string,
    attempts: num(row.attempts),
    nextAttemptAt: num(row.next_attempt_at),
    deliveredAt: numOrNull(row.delivered_at),
    lastError: strOrNull(row.last_error),
    createdAt: num(row.created_at),
  };
}

export function toApiKey(row: Row): ApiKeyRecord {
  return {
    id: row.id as string,
    clientId: row.client_id as string,
    name: row.name as string,
    hash: row.hash as string,
    scopes: (json<ApiScope[]>(row.scopes) ?? []) as readonly ApiScope[],
    webhookUrl: strOrNull(row.webhook_url),
    webhookSecret: strOrNull(row.webhook_secret),
    createdAt: num(row.created_at),
    revokedAt: numOrNull(row.revoked_at),
  };
}

/**
 * The patch a transition actually applies. Entering a final state clears what only a live recharge
 * needs (nextAttemptAt is null when final, the lease is over, it leaves the admin queue) unless the
 * caller sets those fields explicitly.
 */
export function effectivePatch(to: RechargeStatus, patch: TransitionPatch | undefined): TransitionPatch {
  if (!isFinal(to)) return patch ?? {};
  const merged: Record<string, unknown> = {
    nextAttemptAt: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    needsAdmin: false,
  };
  for (const [k, v] of Object.entries(patch ?? {})) if (v !== undefined) merged[k] = v;
  return merged as TransitionPatch;
}

/** The patchable columns, in a fixed order so each backend can prepare one statement for any patch. */
export const PATCH_COLUMNS = [
  { field: 'operatorTransactionId', column: 'operator_transaction_id', pgType: 'text' },
  { field: 'endpoint', column: 'endpoint', pgType: 'text' },
  { field: 'failure', column: 'failure', pgType: 'jsonb' },
  { field: 'nextAttemptAt', column: 'next_attempt_at', pgType: 'bigint' },
  { field: 'reconcileAttempts', column: 'reconcile_attempts', pgType: 'integer' },
  { field: 'needsAdmin', column: 'needs_admin', pgType: 'boolean' },
  { field: 'leaseOwner', column: 'lease_owner', pgType: 'text' },
  { field: 'leaseExpiresAt', column: 'lease_expires_at', pgType: 'bigint' },
] as const satisfies readonly { field: keyof TransitionPatch; column: string; pgType: string }[];

/** For each patch column: whether it is set, and its value (JSON-encoded for `failure`). */
export function patchValues(patch: TransitionPatch): { set: boolean; value: unknown }[] {
  return PATCH_COLUMNS.map(({ field }) => {
    const value = patch[field];
    if (value === undefined) return { set: false, value: null };
    if (field === 'failure') return { set: true, value: value === null ? null : JSON.stringify(value) };
    return { set: true, value };
  });
}

export const RECHARGE_COLUMNS =
  'id, client_id, status, msisdn, operator_id, product_id, amount_minor, currency, client_reference, ' +
  'operator_reference, operator_transaction_id, endpoint, failure, reconcile_attempts, next_attempt_at, ' +
  'needs_admin, lease_owner, lease_expires_at, created_at, updated_at';
