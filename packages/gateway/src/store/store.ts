/**
 * The store: everything the gateway must not lose. One interface, one implementation per backend
 * (`sqlite/`, `postgres/`), one contract suite (test/store/contract.ts) that every backend passes.
 *
 * Every method that changes a recharge does it in one transaction with its history row (and, for a
 * final state, its webhook outbox row): a crash leaves either all of it or none.
 */
export type RechargeStatus = 'accepted' | 'submitting' | 'succeeded' | 'failed' | 'unknown';

export interface RechargeFailure {
  readonly code: string;
  readonly message: string;
  readonly operatorCode?: string | undefined;
}

export interface RechargeRecord {
  readonly id: string;
  readonly clientId: string;
  readonly status: RechargeStatus;
  /** E.164 with the leading +. */
  readonly msisdn: string;
  readonly operatorId: string;
  readonly productId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly clientReference: string | null;
  /** The reference we send the operator: unique per recharge, derived from its id. */
  readonly operatorReference: string;
  /** The operator's own transaction id, once known. */
  readonly operatorTransactionId: string | null;
  /** The endpoint URL the request went to, once sent. */
  readonly endpoint: string | null;
  readonly failure: RechargeFailure | null;
  /** Status queries made by the reconciler so far. */
  readonly reconcileAttempts: number;
  /** When the reconciler may look at it next (ms since epoch); null when final. */
  readonly nextAttemptAt: number | null;
  /** Set once the reconciler gave up: it waits for an admin in the unresolved queue. */
  readonly needsAdmin: boolean;
  /** Who holds it now (a submitter or a reconciler) and until when; a lease past expiry is free. */
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RechargeEvent {
  readonly rechargeId: string;
  readonly seq: number;
  readonly from: RechargeStatus | null;
  readonly to: RechargeStatus;
  readonly at: number;
  /** Who or what caused it: 'api', 'submit', 'reconciler', 'admin:<name>', 'recovery'. */
  readonly cause: string;
  readonly detail: Readonly<Record<string, unknown>> | null;
}

export interface IdempotencyClaim {
  readonly clientId: string;
  readonly key: string;
  /** sha256 of the canonical request body. */
  readonly bodyHash: string;
  readonly expiresAt: number;
}

/** What `acceptRecharge` found: a new recharge, or the one an earlier request with the same key made. */
export type AcceptResult =
  | { readonly kind: 'created'; readonly recharge: RechargeRecord }
  | {
      readonly kind: 'existing';
      readonly rechargeId: string;
      readonly bodyHash: string;
      /** The stored response, once the first request answered; null while it is still in flight. */
      readonly response: StoredResponse | null;
    };

export interface StoredResponse {
  readonly statusCode: number;
  readonly body: string;
}

export interface TransitionPatch {
  readonly operatorTransactionId?: string | null;
  readonly endpoint?: string | null;
  readonly failure?: RechargeFailure | null;
  readonly nextAttemptAt?: number | null;
  readonly reconcileAttempts?: number;
  readonly needsAdmin?: boolean;
  /** Set or clear the lease in the same write. */
  readonly leaseOwner?: string | null;
  readonly leaseExpiresAt?: number | null;
}

/**
 * One HTTP exchange with an operator, as kept for the console and for disputes: already redacted
 * (credentials replaced by [redacted]) and cut to the configured size before it reaches the store.
 * Diagnostic, not the truth of the recharge: it is written with the state change that follows the
 * call, so a crash in between loses the exchange, never the recharge.
 */
export interface OperatorExchange {
  /** A recharge request or a status query (by the reconciler). */
  readonly operation: 'recharge' | 'status';
  readonly startedAt: number;
  /** Until the answer's last byte or the error; null when the call was abandoned unfinished. */
  readonly durationMs: number | null;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
    readonly truncated: boolean;
  };
  /** Null when no answer started (not sent, timeout, reset before the headers). */
  readonly response: {
    readonly statusCode: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
    readonly truncated: boolean;
  } | null;
  /** Whether any byte of the request was handed to a connected socket. */
  readonly sent: boolean;
  /** The transport error, when the exchange did not end with a complete answer. */
  readonly error: string | null;
}

export interface TransitionInput {
  readonly id: string;
  /** Compare-and-set: the write happens only if the recharge is still in this state. */
  readonly from: RechargeStatus;
  readonly to: RechargeStatus;
  readonly at: number;
  readonly cause: string;
  readonly detail?: Record<string, unknown> | undefined;
  readonly patch?: TransitionPatch | undefined;
  /** For a final state: the webhook to enqueue in the same transaction. */
  readonly webhook?: WebhookInput | undefined;
  /** The operator exchanges that led to this change, kept in the same transaction (if it happens). */
  readonly exchanges?: readonly OperatorExchange[] | undefined;
}

export interface RechargeFilter {
  readonly clientId?: string | undefined;
  readonly status?: RechargeStatus | undefined;
  readonly operatorId?: string | undefined;
  readonly msisdn?: string | undefined;
  readonly clientReference?: string | undefined;
  readonly createdFrom?: number | undefined;
  readonly createdTo?: number | undefined;
  readonly needsAdmin?: boolean | undefined;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; pass back to get the next page. Null at the end. */
  readonly nextCursor: string | null;
}

export interface WebhookInput {
  readonly clientId: string;
  readonly url: string;
  readonly eventType: string;
  readonly payload: string;
}

export interface WebhookRecord extends WebhookInput {
  readonly id: string;
  readonly rechargeId: string | null;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly deliveredAt: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
}

export type ApiScope = 'recharge:write' | 'recharge:read' | 'admin' | 'metrics';

export interface ApiKeyRecord {
  readonly id: string;
  readonly clientId: string;
  readonly name: string;
  /** sha256 of the key; the key itself is never stored. */
  readonly hash: string;
  readonly scopes: readonly ApiScope[];
  readonly webhookUrl: string | null;
  /** Secret used to sign this client's webhooks. */
  readonly webhookSecret: string | null;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

/** What a caller appends to the audit trail; the store adds seq, time and the chain hashes. */
export interface AuditInput {
  /** Who: `admin:<name>`, `client:<id>`, `submit`, `reconciler`, `system`, ... */
  readonly actor: string;
  /** What: `recharge.accept`, `recharge.transition`, `recharge.resolve`, `apikey.create`, `config.reload`, ... */
  readonly action: string;
  /** Which thing: a recharge id, a key id, `config`. */
  readonly subject: string;
  /** Never a secret value; stored as canonical JSON. */
  readonly detail?: Readonly<Record<string, unknown>> | null | undefined;
}

/** One entry of the append-only, hash-chained audit trail (see audit/chain.ts). */
export interface AuditEntry {
  /** 1, 2, 3, ... without gaps. */
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly detail: Readonly<Record<string, unknown>> | null;
  /** The previous entry's hash (GENESIS_HASH for seq 1). */
  readonly prevHash: string;
  /** sha256 over seq, at, actor, action, subject, detail and prevHash. */
  readonly hash: string;
}

export interface AuditFilter {
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  readonly subject?: string | undefined;
  /** at >= from (ms). */
  readonly from?: number | undefined;
  /** at < to (ms). */
  readonly to?: number | undefined;
}

/** The last entry's seq and hash, kept in its own row so a truncated tail is detected too. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

export interface Store {
  /** 'sqlite' or 'postgres'. */
  readonly backend: string;
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<void>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /**
   * Persists a new recharge in `accepted` (with its first history row) and, when given, claims the
   * idempotency key for it, in one transaction. If the key exists (and has not expired), nothing is
   * written and the earlier claim is returned.
   */
  acceptRecharge(recharge: RechargeRecord, idempotency?: IdempotencyClaim): Promise<AcceptResult>;
  saveIdempotentResponse(clientId: string, key: string, response: StoredResponse): Promise<void>;
  /** Deletes expired idempotency keys; returns how many. */
  purgeIdempotencyKeys(now: number): Promise<number>;

  /** Compare-and-set transition with its history row. Returns the new record, or null if `from` no longer holds. */
  transition(input: TransitionInput): Promise<RechargeRecord | null>;
  /**
   * Changes bookkeeping fields without a state change (reconcile attempts, leases, needsAdmin), and
   * keeps the given operator exchanges in the same transaction (only if the status still holds).
   */
  updateRecharge(
    id: string,
    expectedStatus: RechargeStatus,
    patch: TransitionPatch,
    at: number,
    exchanges?: readonly OperatorExchange[],
  ): Promise<boolean>;
  getRecharge(id: string): Promise<RechargeRecord | null>;
  getHistory(id: string): Promise<readonly RechargeEvent[]>;
  /** The operator exchanges kept for a recharge, oldest first. */
  getExchanges(rechargeId: string): Promise<readonly OperatorExchange[]>;
  /** Deletes exchanges that started before `before` (retention); returns how many. */
  purgeExchanges(before: number): Promise<number>;
  /** Newest first, by (createdAt, id). */
  listRecharges(filter: RechargeFilter, limit: number, cursor?: string | null): Promise<Page<RechargeRecord>>;

  /**
   * Leases up to `limit` recharges that need the reconciler: `unknown` with nextAttemptAt <= now and
   * not needsAdmin, and `submitting` or `accepted` whose lease expired (a crashed or dead submitter).
   * Each is leased to `owner` until now + leaseMs. Safe with many replicas: each recharge goes to one.
   * With `operatorIds`, only those operators' recharges (a gateway that fronts one operator).
   */
  claimReconcileWork(
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
    operatorIds?: readonly string[],
  ): Promise<readonly RechargeRecord[]>;
  /** Clears every lease held by `owner` (graceful shutdown). */
  releaseLeases(owner: string): Promise<number>;
  /** Counts by status, and the oldest unknown's createdAt, for metrics and health. */
  backlog(): Promise<{
    unknown: number;
    needsAdmin: number;
    submitting: number;
    oldestUnknownAt: number | null;
  }>;

  enqueueWebhook(input: WebhookInput & { rechargeId: string | null }, at: number): Promise<string>;
  /** Leases due, undelivered webhooks to `owner`; each goes to one claimant at a time. */
  claimWebhooks(
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
  ): Promise<readonly WebhookRecord[]>;
  markWebhookDelivered(id: string, at: number): Promise<void>;
  markWebhookFailed(id: string, error: string, nextAttemptAt: number | null): Promise<void>;
  webhookBacklog(): Promise<number>;

  /** Creates a key and its audit entry (`apikey.create`, actor default `system`) in one transaction. */
  createApiKey(key: ApiKeyRecord, actor?: string): Promise<void>;
  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
  listApiKeys(clientId?: string): Promise<readonly ApiKeyRecord[]>;
  /** Revokes an active key with its audit entry (`apikey.revoke`); false if none was active. */
  revokeApiKey(id: string, at: number, actor?: string): Promise<boolean>;
  /**
   * Calls `listener` after each revocation made through this store instance (so this process's
   * auth cache drops the key at once). Returns the unsubscribe function.
   */
  onApiKeyRevoked?(listener: (id: string) => void): () => void;

  /**
   * The audit trail. acceptRecharge and transition append their own entries in their transaction
   * (`recharge.accept`; `recharge.transition`, or `recharge.resolve` for a cause `admin:<name>`,
   * whose actor is that cause). Appends are serialised, so the chain is linear across replicas.
   */
  appendAudit(input: AuditInput, at: number): Promise<AuditEntry>;
  /** Newest first (by seq), filtered; the cursor is opaque. */
  listAudit(filter: AuditFilter, limit: number, cursor?: string | null): Promise<Page<AuditEntry>>;
  /** Oldest first: the entries with seq > afterSeq, at most `limit` (for verification). */
  auditEntries(afterSeq: number, limit: number): Promise<readonly AuditEntry[]>;
  /** The chain head, or null before the first entry. */
  auditHead(): Promise<AuditHead | null>;
}
