/**
 * The SQLite store: one better-sqlite3 connection per process, WAL with synchronous=FULL so a commit
 * is on disk when the call returns. Statements are prepared once (lazily, after the schema exists);
 * writes go through a group commit: the writes issued in one turn of the event loop run in one
 * BEGIN IMMEDIATE transaction, each in its own savepoint (so each is still all-or-nothing on its own),
 * and every caller's promise resolves only after that transaction's COMMIT, i.e. after the fsync. Many
 * concurrent requests then share one fsync instead of paying one each. IMMEDIATE takes the write lock
 * up front, so several processes on one file never deadlock upgrading a read lock.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { auditHash, GENESIS_HASH } from '../../audit/chain.js';
import {
  acceptAudit,
  apiKeyCreateAudit,
  apiKeyRevokeAudit,
  auditPage,
  buildAuditListQuery,
  type EncodedAudit,
  encodeAudit,
  toAuditEntry,
  transitionAudit,
} from '../audit-rows.js';
import { encodeCursor } from '../cursor.js';
import { newId } from '../ids.js';
import { buildListQuery } from '../list-query.js';
import { createListeners } from '../listeners.js';
import {
  effectivePatch,
  PATCH_COLUMNS,
  patchValues,
  RECHARGE_COLUMNS,
  type Row,
  toApiKey,
  toEvent,
  toRecharge,
  toWebhook,
} from '../rows.js';
import type {
  AcceptResult,
  ApiKeyRecord,
  AuditEntry,
  IdempotencyClaim,
  OperatorExchange,
  RechargeFilter,
  RechargeRecord,
  RechargeStatus,
  Store,
  StoredResponse,
  TransitionInput,
  TransitionPatch,
  WebhookInput,
} from '../store.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a private in-process database (tests, throwaway demos). */
  readonly path: string;
  /** How long a write waits for another process's lock before failing with SQLITE_BUSY. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Most writes committed together by one group commit. Default 256. */
  readonly maxBatchWrites?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BATCH_WRITES = 256;

interface PendingWrite {
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

type Db = Database.Database;

function patchSql(): string {
  return PATCH_COLUMNS.map(
    ({ column }, i) => `${column} = CASE WHEN @s${i} = 1 THEN @v${i} ELSE ${column} END`,
  ).join(', ');
}

function patchParams(patch: TransitionPatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  patchValues(patch).forEach(({ set, value }, i) => {
    out[`s${i}`] = set ? 1 : 0;
    out[`v${i}`] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  });
  return out;
}

function prepareAll(db: Db) {
  const live = `status IN ('accepted', 'submitting', 'unknown')`;
  return {
    insertRecharge: db.prepare(
      `INSERT INTO recharges (${RECHARGE_COLUMNS}, event_seq) VALUES (@id, @client_id, @status, @msisdn,
        @operator_id, @product_id, @amount_minor, @currency, @client_reference, @operator_reference,
        @operator_transaction_id, @endpoint, @failure, @reconcile_attempts, @next_attempt_at, @needs_admin,
        @lease_owner, @lease_expires_at, @created_at, @updated_at, 1)`,
    ),
    insertEvent: db.prepare(
      `INSERT INTO recharge_events (recharge_id, seq, from_status, to_status, at, cause, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    getIdem: db.prepare(
      `SELECT body_hash, recharge_id, status_code, response_body, expires_at
       FROM idempotency_keys WHERE client_id = ? AND key = ?`,
    ),
    deleteIdem: db.prepare('DELETE FROM idempotency_keys WHERE client_id = ? AND key = ?'),
    insertIdem: db.prepare(
      `INSERT INTO idempotency_keys (client_id, key, body_hash, recharge_id, expires_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    saveResponse: db.prepare(
      'UPDATE idempotency_keys SET status_code = ?, response_body = ? WHERE client_id = ? AND key = ?',
    ),
    purgeIdem: db.prepare('DELETE FROM idempotency_keys WHERE expires_at <= ?'),
    transition: db.prepare(
      `UPDATE recharges SET status = @to, updated_at = @at, event_seq = event_seq + 1, ${patchSql()}
       WHERE id = @id AND status = @from RETURNING ${RECHARGE_COLUMNS}, event_seq`,
    ),
    update: db.prepare(
      `UPDATE recharges SET updated_at = @at, ${patchSql()} WHERE id = @id AND status = @from`,
    ),
    getRecharge: db.prepare(`SELECT ${RECHARGE_COLUMNS} FROM recharges WHERE id = ?`),
    getHistory: db.prepare('SELECT * FROM recharge_events WHERE recharge_id = ? ORDER BY seq'),
    insertExchange: db.prepare(
      'INSERT INTO operator_exchanges (recharge_id, started_at, exchange) VALUES (?, ?, ?)',
    ),
    getExchanges: db.prepare('SELECT exchange FROM operator_exchanges WHERE recharge_id = ? ORDER BY id'),
    purgeExchanges: db.prepare('DELETE FROM operator_exchanges WHERE started_at < ?'),
    claimReconcile: db.prepare(
      `UPDATE recharges SET lease_owner = @owner, lease_expires_at = @until WHERE id IN (
         SELECT id FROM recharges
         WHERE ${live} AND needs_admin = 0
           AND COALESCE(lease_expires_at, 0) <= @now AND COALESCE(next_attempt_at, 0) <= @now
           AND (@operators IS NULL OR operator_id IN (SELECT value FROM json_each(@operators)))
         ORDER BY COALESCE(next_attempt_at, 0), created_at, id LIMIT @limit)
       RETURNING ${RECHARGE_COLUMNS}`,
    ),
    releaseRecharges: db.prepare(
      'UPDATE recharges SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = ?',
    ),
    releaseWebhooks: db.prepare(
      'UPDATE webhooks SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = ?',
    ),
    backlog: db.prepare(
      `SELECT COUNT(*) FILTER (WHERE status = 'unknown') AS unknown,
              COUNT(*) FILTER (WHERE needs_admin = 1) AS needs_admin,
              COUNT(*) FILTER (WHERE status = 'submitting') AS submitting,
              MIN(created_at) FILTER (WHERE status = 'unknown') AS oldest_unknown_at
       FROM recharges WHERE ${live}`,
    ),
    insertWebhook: db.prepare(
      `INSERT INTO webhooks (id, recharge_id, client_id, url, event_type, payload, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    claimWebhooks: db.prepare(
      `UPDATE webhooks SET lease_owner = @owner, lease_expires_at = @until WHERE id IN (
         SELECT id FROM webhooks
         WHERE delivered_at IS NULL AND dead = 0 AND next_attempt_at <= @now
           AND COALESCE(lease_expires_at, 0) <= @now
         ORDER BY next_attempt_at, created_at, id LIMIT @limit)
       RETURNING *`,
    ),
    deliverWebhook: db.prepare(
      `UPDATE webhooks SET delivered_at = ?, attempts = attempts + 1, lease_owner = NULL, lease_expires_at = NULL
       WHERE id = ? AND delivered_at IS NULL`,
    ),
    failWebhook: db.prepare(
      `UPDATE webhooks SET attempts = attempts + 1, last_error = @error,
         next_attempt_at = COALESCE(@next, next_attempt_at), dead = CASE WHEN @next IS NULL THEN 1 ELSE 0 END,
         lease_owner = NULL, lease_expires_at = NULL
       WHERE id = @id AND delivered_at IS NULL`,
    ),
    webhookBacklog: db
      .prepare('SELECT COUNT(*) FROM webhooks WHERE delivered_at IS NULL AND dead = 0')
      .pluck(),
    insertApiKey: db.prepare(
      `INSERT INTO api_keys (id, client_id, name, hash, scopes, webhook_url, webhook_secret, created_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    findApiKey: db.prepare('SELECT * FROM api_keys WHERE hash = ?'),
    listApiKeys: db.prepare('SELECT * FROM api_keys ORDER BY created_at, id'),
    listClientApiKeys: db.prepare('SELECT * FROM api_keys WHERE client_id = ? ORDER BY created_at, id'),
    revokeApiKey: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    auditHead: db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1'),
    moveAuditHead: db.prepare('UPDATE audit_head SET seq = ?, prev_hash = ?, hash = ? WHERE id = 1'),
    insertAudit: db.prepare(
      `INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    auditEntries: db.prepare(
      `SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log
       WHERE seq > ? ORDER BY seq LIMIT ?`,
    ),
  };
}

function rechargeParams(r: RechargeRecord): Record<string, unknown> {
  return {
    id: r.id,
    client_id: r.clientId,
    status: r.status,
    msisdn: r.msisdn,
    operator_id: r.operatorId,
    product_id: r.productId,
    amount_minor: r.amountMinor,
    currency: r.currency,
    client_reference: r.clientReference,
    operator_reference: r.operatorReference,
    operator_transaction_id: r.operatorTransactionId,
    endpoint: r.endpoint,
    failure: r.failure === null ? null : JSON.stringify(r.failure),
    reconcile_attempts: r.reconcileAttempts,
    next_attempt_at: r.nextAttemptAt,
    needs_admin: r.needsAdmin ? 1 : 0,
    lease_owner: r.leaseOwner,
    lease_expires_at: r.leaseExpiresAt,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

/** Applies pending SQLite migrations, each in its own IMMEDIATE transaction; safe to run from several processes. */
export function migrateSqlite(db: Db): void {
  db.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
  );
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of SQLITE_MIGRATIONS) {
    if (isApplied.get(migration.version)) continue;
    db.transaction(() => {
      if (isApplied.get(migration.version)) return; // another process got there first
      for (const statement of migration.statements) db.exec(statement);
      record.run(migration.version, migration.name, Date.now());
    }).immediate();
  }
}

export function createSqliteStore(options: SqliteStoreOptions): Store {
  const memory = options.path === ':memory:';
  if (!memory) mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
  if (!memory) db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit, so a state written is a state kept across a power cut.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');

  let prepared: ReturnType<typeof prepareAll> | undefined;
  const s = () => {
    prepared ??= prepareAll(db);
    return prepared;
  };
  const listCache = new Map<string, Database.Statement>();

  const maxBatch = Math.max(1, options.maxBatchWrites ?? DEFAULT_MAX_BATCH_WRITES);
  const pending: PendingWrite[] = [];
  let flushScheduled = false;
  // Called inside the batch's transaction, a better-sqlite3 transaction function runs as a savepoint.
  const atomically = db.transaction((fn: () => unknown) => fn());

  const flush = () => {
    flushScheduled = false;
    const batch = pending.splice(0, maxBatch);
    if (batch.length === 0) return; // close() flushed it already
    if (pending.length > 0) {
      flushScheduled = true;
      setImmediate(flush);
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      db.exec('BEGIN IMMEDIATE');
      for (const write of batch) {
        try {
          outcomes.push({ ok: true, value: atomically(write.run) });
        } catch (err) {
          outcomes.push({ ok: false, value: err }); // rolled back to its savepoint; the others stand
        }
      }
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      for (const write of batch) write.reject(err);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.value);
    });
  };

  /** Runs `fn` atomically in the next group commit; resolves once that commit is durable. */
  const write = <T>(fn: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!db.open) {
        reject(new TypeError('The database connection is not open'));
        return;
      }
      pending.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });

  /**
   * Appends to the audit chain inside the caller's transaction. SQLite has one writer at a time
   * (BEGIN IMMEDIATE, also across processes), so reading and moving the head here is linear.
   */
  const appendAuditInTx = (entry: EncodedAudit, at: number): AuditEntry => {
    const st = s();
    const head = st.auditHead.get() as Row;
    const seq = Number(head.seq) + 1;
    const prevHash = Number(head.seq) === 0 ? GENESIS_HASH : (head.hash as string);
    const hash = auditHash({ seq, at, ...entry, prevHash });
    st.insertAudit.run(seq, at, entry.actor, entry.action, entry.subject, entry.detail, prevHash, hash);
    st.moveAuditHead.run(seq, prevHash, hash);
    return toAuditEntry({ seq, at, ...entry, prev_hash: prevHash, hash });
  };

  const acceptTx = db.transaction((r: RechargeRecord, idem: IdempotencyClaim | undefined): AcceptResult => {
    const st = s();
    if (idem) {
      const existing = st.getIdem.get(idem.clientId, idem.key) as Row | undefined;
      if (existing) {
        if ((existing.expires_at as number) > r.createdAt) {
          return {
            kind: 'existing',
            rechargeId: existing.recharge_id as string,
            bodyHash: existing.body_hash as string,
            response:
              existing.status_code === null
                ? null
                : { statusCode: existing.status_code as number, body: existing.response_body as string },
          };
        }
        st.deleteIdem.run(idem.clientId, idem.key); // expired: the key is free again
      }
    }
    st.insertRecharge.run(rechargeParams(r));
    st.insertEvent.run(r.id, 1, null, r.status, r.createdAt, 'api', null);
    if (idem) st.insertIdem.run(idem.clientId, idem.key, idem.bodyHash, r.id, idem.expiresAt, r.createdAt);
    appendAuditInTx(acceptAudit(r), r.createdAt);
    return { kind: 'created', recharge: r };
  });

  const transitionTx = db.transaction((input: TransitionInput): RechargeRecord | null => {
    const st = s();
    const row = st.transition.get({
      id: input.id,
      from: input.from,
      to: input.to,
      at: input.at,
      ...patchParams(effectivePatch(input.to, input.patch)),
    }) as Row | undefined;
    if (!row) return null;
    st.insertEvent.run(
      input.id,
      row.event_seq,
      input.from,
      input.to,
      input.at,
      input.cause,
      input.detail === undefined ? null : JSON.stringify(input.detail),
    );
    const w = input.webhook;
    if (w)
      st.insertWebhook.run(
        newId('wh', input.at),
        input.id,
        w.clientId,
        w.url,
        w.eventType,
        w.payload,
        input.at,
        input.at,
      );
    appendAuditInTx(transitionAudit(input), input.at);
    insertExchanges(input.id, input.exchanges);
    return toRecharge(row);
  });

  function insertExchanges(rechargeId: string, exchanges: readonly OperatorExchange[] | undefined): void {
    for (const x of exchanges ?? []) s().insertExchange.run(rechargeId, x.startedAt, JSON.stringify(x));
  }

  const updateTx = db.transaction(
    (
      id: string,
      from: RechargeStatus,
      patch: TransitionPatch,
      at: number,
      exchanges?: readonly OperatorExchange[],
    ) => {
      const changed = s().update.run({ id, from, at, ...patchParams(patch) }).changes > 0;
      if (changed) insertExchanges(id, exchanges);
      return changed;
    },
  );

  const revocations = createListeners<string>();
  const store: Store = {
    backend: 'sqlite',

    async migrate() {
      migrateSqlite(db);
      prepared = undefined; // re-prepare against the migrated schema
    },

    async ping() {
      db.prepare('SELECT 1').get();
    },

    async close() {
      if (!db.open) return;
      while (pending.length > 0) flush(); // writes already issued are committed, not dropped
      db.close();
    },

    async acceptRecharge(recharge, idempotency) {
      return write(() => acceptTx(recharge, idempotency));
    },

    async saveIdempotentResponse(clientId, key, response: StoredResponse) {
      await write(() => s().saveResponse.run(response.statusCode, response.body, clientId, key));
    },

    async purgeIdempotencyKeys(now) {
      return write(() => s().purgeIdem.run(now).changes);
    },

    async transition(input) {
      return write(() => transitionTx(input));
    },

    async updateRecharge(id, expectedStatus, patch, at, exchanges) {
      return write(() => updateTx(id, expectedStatus, patch, at, exchanges));
    },

    async getRecharge(id) {
      const row = s().getRecharge.get(id) as Row | undefined;
      return row ? toRecharge(row) : null;
    },

    async getHistory(id) {
      return (s().getHistory.all(id) as Row[]).map(toEvent);
    },

    async getExchanges(rechargeId) {
      return (s().getExchanges.all(rechargeId) as { exchange: string }[]).map(
        (r) => JSON.parse(r.exchange) as OperatorExchange,
      );
    },

    async purgeExchanges(before) {
      return write(() => s().purgeExchanges.run(before).changes);
    },

    async listRecharges(filter: RechargeFilter, limit: number, cursor?: string | null) {
      const q = buildListQuery(
        filter,
        limit,
        cursor,
        () => '?',
        (b) => (b ? 1 : 0),
      );
      let stmt = listCache.get(q.sql);
      if (!stmt) {
        stmt = db.prepare(q.sql);
        listCache.set(q.sql, stmt); // bounded: one entry per combination of filters
      }
      const rows = (stmt.all(...q.params) as Row[]).map(toRecharge);
      const items = rows.slice(0, q.pageSize);
      const last = items[items.length - 1];
      return {
        items,
        nextCursor: rows.length > q.pageSize && last ? encodeCursor(last) : null,
      };
    },

    async claimReconcileWork(owner, now, leaseMs, limit, operatorIds) {
      if (limit <= 0 || operatorIds?.length === 0) return [];
      const st = s();
      const operators = operatorIds ? JSON.stringify(operatorIds) : null;
      const rows = await write(
        () => st.claimReconcile.all({ owner, now, until: now + leaseMs, limit, operators }) as Row[],
      );
      return rows.map(toRecharge);
    },

    async releaseLeases(owner) {
      const st = s();
      return write(() => st.releaseRecharges.run(owner).changes + st.releaseWebhooks.run(owner).changes);
    },

    async backlog() {
      const row = s().backlog.get() as Row;
      return {
        unknown: Number(row.unknown),
        needsAdmin: Number(row.needs_admin),
        submitting: Number(row.submitting),
        oldestUnknownAt: row.oldest_unknown_at === null ? null : Number(row.oldest_unknown_at),
      };
    },

    async enqueueWebhook(input: WebhookInput & { rechargeId: string | null }, at: number) {
      const id = newId('wh', at);
      await write(() =>
        s().insertWebhook.run(
          id,
          input.rechargeId,
          input.clientId,
          input.url,
          input.eventType,
          input.payload,
          at,
          at,
        ),
      );
      return id;
    },

    async claimWebhooks(owner, now, leaseMs, limit) {
      if (limit <= 0) return [];
      const st = s();
      const rows = await write(
        () => st.claimWebhooks.all({ owner, now, until: now + leaseMs, limit }) as Row[],
      );
      return rows
        .map(toWebhook)
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt);
    },

    async markWebhookDelivered(id, at) {
      await write(() => s().deliverWebhook.run(at, id));
    },

    async markWebhookFailed(id, error, nextAttemptAt) {
      await write(() => s().failWebhook.run({ id, error, next: nextAttemptAt }));
    },

    async webhookBacklog() {
      return Number(s().webhookBacklog.get());
    },

    async createApiKey(key: ApiKeyRecord, actor?: string) {
      await write(() => {
        s().insertApiKey.run(
          key.id,
          key.clientId,
          key.name,
          key.hash,
          JSON.stringify(key.scopes),
          key.webhookUrl,
          key.webhookSecret,
          key.createdAt,
          key.revokedAt,
        );
        appendAuditInTx(apiKeyCreateAudit(key, actor), key.createdAt);
      });
    },

    async findApiKeyByHash(hash) {
      const row = s().findApiKey.get(hash) as Row | undefined;
      return row ? toApiKey(row) : null;
    },

    async listApiKeys(clientId) {
      const st = s();
      const rows = (
        clientId === undefined ? st.listApiKeys.all() : st.listClientApiKeys.all(clientId)
      ) as Row[];
      return rows.map(toApiKey);
    },

    async revokeApiKey(id, at, actor) {
      const revoked = await write(() => {
        if (s().revokeApiKey.run(at, id).changes === 0) return false;
        appendAuditInTx(apiKeyRevokeAudit(id, actor), at);
        return true;
      });
      if (revoked) revocations.notify(id);
      return revoked;
    },

    onApiKeyRevoked: revocations.subscribe,

    async appendAudit(input, at) {
      return write(() => appendAuditInTx(encodeAudit(input), at));
    },

    async listAudit(filter, limit, cursor) {
      const q = buildAuditListQuery(filter, limit, cursor, () => '?');
      let stmt = listCache.get(q.sql);
      if (!stmt) {
        stmt = db.prepare(q.sql);
        listCache.set(q.sql, stmt); // bounded: one entry per combination of filters
      }
      return auditPage((stmt.all(...q.params) as Row[]).map(toAuditEntry), q.pageSize);
    },

    async auditEntries(afterSeq, limit) {
      return (s().auditEntries.all(afterSeq, Math.max(1, Math.floor(limit))) as Row[]).map(toAuditEntry);
    },

    async auditHead() {
      const row = s().auditHead.get() as Row | undefined;
      return row && Number(row.seq) > 0 ? { seq: Number(row.seq), hash: row.hash as string } : null;
    },
  };
  return store;
}
