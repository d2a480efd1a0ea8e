/**
 * The PostgreSQL store, for several gateway replicas on one database. Correctness across replicas
 * comes from the database, never from process memory: idempotency keys are a primary key claimed with
 * INSERT ... ON CONFLICT, and reconciler and webhook work is leased with FOR UPDATE SKIP LOCKED plus
 * an expiry, so a dead replica's work is picked up once its leases run out. Each operation is one
 * statement (data-modifying CTEs), so one round trip and atomic without an explicit transaction.
 */
import { MnogateError } from '@mnogate/core';
import pg from 'pg';
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
import type { AcceptResult, OperatorExchange, RechargeRecord, Store, TransitionPatch } from '../store.js';
import { auditCtes } from './audit-sql.js';
import { inLockedTransaction } from './locked-transaction.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database?sslmode=...` */
  readonly connectionString: string;
  /** Connections per replica. Default 10. */
  readonly poolMax?: number;
  /**
   * A PostgreSQL schema to keep the tables in: created by `migrate()` if missing and set as the
   * search_path of every pool connection. Lower-case letters, digits and `_`. Default: the server's
   * search_path (usually `public`).
   */
  readonly schema?: string;
  /** How long to wait for a new connection. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Errors of idle pooled connections (the server restarted, the network dropped); default: ignored, the pool reconnects. */
  readonly onIdleError?: (err: Error) => void;
}

const DEFAULTS = { poolMax: 10, connectTimeoutMs: 10_000 } as const;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const INT8_OID = 20;
const LIVE = `status IN ('accepted', 'submitting', 'unknown')`;

// bigint columns hold ms timestamps and minor units, all well inside 2^53: parse them to numbers.
// Set per pool, not on pg's global type table, so other pg users in the process are unaffected.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

function patchSql(first: number): string {
  return PATCH_COLUMNS.map(({ column, pgType }, i) => {
    const flag = first + 2 * i;
    return `${column} = CASE WHEN $${flag}::boolean THEN $${flag + 1}::${pgType} ELSE ${column} END`;
  }).join(', ');
}

function patchParams(patch: TransitionPatch): unknown[] {
  return patchValues(patch).flatMap(({ set, value }) => [set, value]);
}

const QUALIFIED_COLUMNS = RECHARGE_COLUMNS.split(', ')
  .map((c) => `r.${c}`)
  .join(', ');

const INSERT_RECHARGE_VALUES =
  '$1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::bigint, $8::text, $9::text, $10::text, ' +
  '$11::text, $12::text, $13::jsonb, $14::integer, $15::bigint, $16::boolean, $17::text, $18::bigint, ' +
  '$19::bigint, $20::bigint';

/** Keeps a JSON array of operator exchanges (parameter `param`) for the recharge the CTE `from` changed. */
function exchangesCte(from: string, param: number | null): string {
  if (param === null) return '';
  return `, x AS (
      INSERT INTO operator_exchanges (recharge_id, started_at, exchange)
      SELECT ${from}.id, (j.value->>'startedAt')::bigint, j.value::text
      FROM ${from}, json_array_elements($${param}::json) WITH ORDINALITY AS j(value, n)
      ORDER BY j.n
    )`;
}

const SQL = {
  accept: `WITH r AS (
      INSERT INTO recharges (${RECHARGE_COLUMNS}, event_seq) VALUES (${INSERT_RECHARGE_VALUES}, 1) RETURNING id
    ), e AS (
      INSERT INTO recharge_events (recharge_id, seq, from_status, to_status, at, cause, detail)
      SELECT id, 1, NULL, $3::text, $19::bigint, 'api', NULL FROM r
    )${auditCtes('r', { at: '$19', actor: '$21', action: '$22', subject: '$23', detail: '$24' })}
    SELECT 1`,
  // The key is claimed only if free or expired; the recharge is inserted only if the claim took.
  acceptWithKey: `WITH claim AS (
      INSERT INTO idempotency_keys AS k (client_id, key, body_hash, recharge_id, expires_at, created_at)
      VALUES ($21::text, $22::text, $23::text, $1::text, $24::bigint, $19::bigint)
      ON CONFLICT (client_id, key) DO UPDATE SET body_hash = EXCLUDED.body_hash,
        recharge_id = EXCLUDED.recharge_id, status_code = NULL, response_body = NULL,
        expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at
      WHERE k.expires_at <= EXCLUDED.created_at
      RETURNING recharge_id
    ), r AS (
      INSERT INTO recharges (${RECHARGE_COLUMNS}, event_seq)
      SELECT ${INSERT_RECHARGE_VALUES}, 1 FROM claim RETURNING id
    ), e AS (
      INSERT INTO recharge_events (recharge_id, seq, from_status, to_status, at, cause, detail)
      SELECT id, 1, NULL, $3::text, $19::bigint, 'api', NULL FROM r
    )${auditCtes('r', { at: '$19', actor: '$25', action: '$26', subject: '$27', detail: '$28' })}
    SELECT id FROM r`,
  getIdem: `SELECT body_hash, recharge_id, status_code, response_body, expires_at
    FROM idempotency_keys WHERE client_id = $1 AND key = $2`,
  saveResponse:
    'UPDATE idempotency_keys SET status_code = $3, response_body = $4 WHERE client_id = $1 AND key = $2',
  purgeIdem: 'DELETE FROM idempotency_keys WHERE expires_at <= $1',
  transition: (withWebhook: boolean, exchangesParam: number | null) => `WITH u AS (
      UPDATE recharges SET status = $3::text, updated_at = $4::bigint, event_seq = event_seq + 1, ${patchSql(7)}
      WHERE id = $1::text AND status = $2::text
      RETURNING ${RECHARGE_COLUMNS}, event_seq
    ), e AS (
      INSERT INTO recharge_events (recharge_id, seq, from_status, to_status, at, cause, detail)
      SELECT id, event_seq, $2::text, $3::text, $4::bigint, $5::text, $6::jsonb FROM u
    )${auditCtes('u', { at: '$4', actor: '$23', action: '$24', subject: '$25', detail: '$26' })}${
      withWebhook
        ? `, w AS (
      INSERT INTO webhooks (id, recharge_id, client_id, url, event_type, payload, next_attempt_at, created_at)
      SELECT $27::text, id, $28::text, $29::text, $30::text, $31::text, $4::bigint, $4::bigint FROM u
    )`
        : ''
    }${exchangesCte('u', exchangesParam)}
    SELECT ${RECHARGE_COLUMNS} FROM u`,
  update: `UPDATE recharges SET updated_at = $3::bigint, ${patchSql(4)} WHERE id = $1::text AND status = $2::text`,
  updateWithExchanges: (exchangesParam: number) => `WITH u AS (
      UPDATE recharges SET updated_at = $3::bigint, ${patchSql(4)} WHERE id = $1::text AND status = $2::text
      RETURNING id
    )${exchangesCte('u', exchangesParam)}
    SELECT count(*)::int AS n FROM u`,
  getExchanges: 'SELECT exchange FROM operator_exchanges WHERE recharge_id = $1 ORDER BY id',
  purgeExchanges: 'DELETE FROM operator_exchanges WHERE started_at < $1',
  getRecharge: `SELECT ${RECHARGE_COLUMNS} FROM recharges WHERE id = $1`,
  getHistory: 'SELECT * FROM recharge_events WHERE recharge_id = $1 ORDER BY seq',
  claimReconcile: `WITH c AS (
      SELECT id FROM recharges
      WHERE ${LIVE} AND NOT needs_admin
        AND COALESCE(lease_expires_at, 0) <= $2::bigint AND COALESCE(next_attempt_at, 0) <= $2::bigint
        AND ($5::text[] IS NULL OR operator_id = ANY($5::text[]))
      ORDER BY COALESCE(next_attempt_at, 0), created_at, id
      LIMIT $4
      FOR UPDATE SKIP LOCKED
    )
    UPDATE recharges r SET lease_owner = $1, lease_expires_at = $3::bigint FROM c WHERE r.id = c.id
    RETURNING ${QUALIFIED_COLUMNS}`,
  release: `WITH a AS (
      UPDATE recharges SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = $1 RETURNING 1
    ), b AS (
      UPDATE webhooks SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = $1 RETURNING 1
    )
    SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b) AS n`,
  backlog: `SELECT count(*) FILTER (WHERE status = 'unknown') AS unknown,
      count(*) FILTER (WHERE needs_admin) AS needs_admin,
      count(*) FILTER (WHERE status = 'submitting') AS submitting,
      min(created_at) FILTER (WHERE status = 'unknown') AS oldest_unknown_at
    FROM recharges WHERE ${LIVE}`,
  insertWebhook: `INSERT INTO webhooks (id, recharge_id, client_id, url, event_type, payload, next_attempt_at, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
  claimWebhooks: `WITH c AS (
      SELECT id FROM webhooks
      WHERE delivered_at IS NULL AND NOT dead AND next_attempt_at <= $2::bigint
        AND COALESCE(lease_expires_at, 0) <= $2::bigint
      ORDER BY next_attempt_at, created_at, id
      LIMIT $4
      FOR UPDATE SKIP LOCKED
    )
    UPDATE webhooks w SET lease_owner = $1, lease_expires_at = $3::bigint FROM c WHERE w.id = c.id
    RETURNING w.*`,
  deliverWebhook: `UPDATE webhooks SET delivered_at = $2, attempts = attempts + 1, lease_owner = NULL,
      lease_expires_at = NULL
    WHERE id = $1 AND delivered_at IS NULL`,
  failWebhook: `UPDATE webhooks SET attempts = attempts + 1, last_error = $2,
      next_attempt_at = COALESCE($3::bigint, next_attempt_at), dead = ($3::bigint IS NULL),
      lease_owner = NULL, lease_expires_at = NULL
    WHERE id = $1 AND delivered_at IS NULL`,
  webhookBacklog: 'SELECT count(*) AS n FROM webhooks WHERE delivered_at IS NULL AND NOT dead',
  insertApiKey: `WITH k AS (
      INSERT INTO api_keys (id, client_id, name, hash, scopes, webhook_url, webhook_secret, created_at, revoked_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
    )${auditCtes('k', { at: '$8', actor: '$10', action: '$11', subject: '$12', detail: '$13' })}
    SELECT 1`,
  findApiKey: 'SELECT * FROM api_keys WHERE hash = $1',
  listApiKeys: 'SELECT * FROM api_keys ORDER BY created_at, id',
  listClientApiKeys: 'SELECT * FROM api_keys WHERE client_id = $1 ORDER BY created_at, id',
  revokeApiKey: `WITH k AS (
      UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id
    )${auditCtes('k', { at: '$2', actor: '$3', action: '$4', subject: '$5', detail: '$6' })}
    SELECT count(*) AS n FROM k`,
  appendAudit: `WITH src AS (SELECT 1)${auditCtes('src', {
    at: '$1',
    actor: '$2',
    action: '$3',
    subject: '$4',
    detail: '$5',
  })}
    SELECT seq, prev_hash, hash FROM audit_h`,
  auditEntries: `SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log
    WHERE seq > $1 ORDER BY seq LIMIT $2`,
  auditHead: 'SELECT seq, hash FROM audit_head WHERE id = 1',
} as const;

function auditValues(a: EncodedAudit): unknown[] {
  return [a.actor, a.action, a.subject, a.detail];
}

function rechargeValues(r: RechargeRecord): unknown[] {
  return [
    r.id,
    r.clientId,
    r.status,
    r.msisdn,
    r.operatorId,
    r.productId,
    r.amountMinor,
    r.currency,
    r.clientReference,
    r.operatorReference,
    r.operatorTransactionId,
    r.endpoint,
    r.failure === null ? null : JSON.stringify(r.failure),
    r.reconcileAttempts,
    r.nextAttemptAt,
    r.needsAdmin,
    r.leaseOwner,
    r.leaseExpiresAt,
    r.createdAt,
    r.updatedAt,
  ];
}

export function createPostgresStore(options: PostgresStoreOptions): Store {
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new MnogateError(
      'MNOGATE_ERR_CONFIG_SCHEMA',
      'the PostgreSQL schema name is not a plain identifier',
      {
        schema,
      },
    );
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax ?? DEFAULTS.poolMax,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    types,
    // Set at connection start-up: no extra round trip, and every pooled connection has it.
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on('error', (err) => options.onIdleError?.(err));

  /** A named statement is parsed and planned once per connection, then only executed. */
  const run = (name: string, text: string, values: unknown[]) => pool.query<Row>({ name, text, values });

  const revocations = createListeners<string>();
  const store: Store = {
    backend: 'postgres',

    async migrate() {
      // Replicas starting together migrate one at a time.
      await inLockedTransaction(pool, `mnogate.migrate.${schema ?? ''}`, async (client) => {
        if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`,
        );
        const applied = new Set(
          (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
            (r) => r.version,
          ),
        );
        for (const migration of POSTGRES_MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          for (const statement of migration.statements) await client.query(statement);
          await client.query(
            'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
            [migration.version, migration.name, Date.now()],
          );
        }
      });
    },

    async ping() {
      try {
        await pool.query('SELECT 1');
      } catch (err) {
        throw new MnogateError(
          'MNOGATE_ERR_STORE_UNAVAILABLE',
          undefined,
          { backend: 'postgres' },
          { cause: err },
        );
      }
    },

    async close() {
      if (!pool.ended) await pool.end();
    },

    async acceptRecharge(recharge, idempotency): Promise<AcceptResult> {
      const values = rechargeValues(recharge);
      if (!idempotency) {
        await run('mnogate_accept', SQL.accept, [...values, ...auditValues(acceptAudit(recharge))]);
        return { kind: 'created', recharge };
      }
      const { clientId, key, bodyHash, expiresAt } = idempotency;
      // The loop only repeats if the key we collided with expired and vanished in between.
      for (let attempt = 0; attempt < 5; attempt++) {
        const inserted = await run('mnogate_accept_key', SQL.acceptWithKey, [
          ...values,
          clientId,
          key,
          bodyHash,
          expiresAt,
          ...auditValues(acceptAudit(recharge)),
        ]);
        if (inserted.rowCount) return { kind: 'created', recharge };
        // A new statement sees the winner's committed row, which the conflicting insert could not return.
        const existing = (await run('mnogate_get_idem', SQL.getIdem, [clientId, key])).rows[0];
        if (existing && (existing.expires_at as number) > recharge.createdAt) {
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
      }
      throw new MnogateError('MNOGATE_ERR_STORE_CONFLICT', undefined, { clientId, key });
    },

    async saveIdempotentResponse(clientId, key, response) {
      await run('mnogate_save_response', SQL.saveResponse, [
        clientId,
        key,
        response.statusCode,
        response.body,
      ]);
    },

    async purgeIdempotencyKeys(now) {
      return (await run('mnogate_purge_idem', SQL.purgeIdem, [now])).rowCount ?? 0;
    },

    async transition(input) {
      const values: unknown[] = [
        input.id,
        input.from,
        input.to,
        input.at,
        input.cause,
        input.detail === undefined ? null : JSON.stringify(input.detail),
        ...patchParams(effectivePatch(input.to, input.patch)),
        ...auditValues(transitionAudit(input)),
      ];
      const w = input.webhook;
      if (w) values.push(newId('wh', input.at), w.clientId, w.url, w.eventType, w.payload);
      const x = input.exchanges?.length ? input.exchanges : null;
      if (x) values.push(JSON.stringify(x));
      const name = `mnogate_transition${w ? '_webhook' : ''}${x ? '_exchanges' : ''}`;
      const result = await run(name, SQL.transition(w !== undefined, x ? values.length : null), values);
      const row = result.rows[0];
      return row ? toRecharge(row) : null;
    },

    async updateRecharge(id, expectedStatus, patch, at, exchanges) {
      const values: unknown[] = [id, expectedStatus, at, ...patchParams(patch)];
      if (!exchanges?.length) return ((await run('mnogate_update', SQL.update, values)).rowCount ?? 0) > 0;
      values.push(JSON.stringify(exchanges));
      const result = await run('mnogate_update_exchanges', SQL.updateWithExchanges(values.length), values);
      return Number(result.rows[0]?.n ?? 0) > 0;
    },

    async getRecharge(id) {
      const row = (await run('mnogate_get', SQL.getRecharge, [id])).rows[0];
      return row ? toRecharge(row) : null;
    },

    async getHistory(id) {
      return (await run('mnogate_history', SQL.getHistory, [id])).rows.map(toEvent);
    },

    async getExchanges(rechargeId) {
      const rows = (await run('mnogate_exchanges', SQL.getExchanges, [rechargeId])).rows;
      return rows.map((r) => JSON.parse(r.exchange as string) as OperatorExchange);
    },

    async purgeExchanges(before) {
      return (await run('mnogate_purge_exchanges', SQL.purgeExchanges, [before])).rowCount ?? 0;
    },

    async listRecharges(filter, limit, cursor) {
      const q = buildListQuery(
        filter,
        limit,
        cursor,
        (n) => `$${n}`,
        (b) => b,
      );
      const rows = (await pool.query<Row>(q.sql, q.params)).rows.map(toRecharge);
      const items = rows.slice(0, q.pageSize);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > q.pageSize && last ? encodeCursor(last) : null };
    },

    async claimReconcileWork(owner, now, leaseMs, limit, operatorIds) {
      if (limit <= 0 || operatorIds?.length === 0) return [];
      const result = await run('mnogate_claim_reconcile', SQL.claimReconcile, [
        owner,
        now,
        now + leaseMs,
        limit,
        operatorIds ? [...operatorIds] : null,
      ]);
      return result.rows.map(toRecharge);
    },

    async releaseLeases(owner) {
      return Number((await run('mnogate_release', SQL.release, [owner])).rows[0]?.n ?? 0);
    },

    async backlog() {
      const row = (await run('mnogate_backlog', SQL.backlog, [])).rows[0] ?? {};
      return {
        unknown: Number(row.unknown ?? 0),
        needsAdmin: Number(row.needs_admin ?? 0),
        submitting: Number(row.submitting ?? 0),
        oldestUnknownAt: row.oldest_unknown_at == null ? null : Number(row.oldest_unknown_at),
      };
    },

    async enqueueWebhook(input, at) {
      const id = newId('wh', at);
      await run('mnogate_enqueue_webhook', SQL.insertWebhook, [
        id,
        input.rechargeId,
        input.clientId,
        input.url,
        input.eventType,
        input.payload,
        at,
      ]);
      return id;
    },

    async claimWebhooks(owner, now, leaseMs, limit) {
      if (limit <= 0) return [];
      const result = await run('mnogate_claim_webhooks', SQL.claimWebhooks, [
        owner,
        now,
        now + leaseMs,
        limit,
      ]);
      return result.rows
        .map(toWebhook)
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt);
    },

    async markWebhookDelivered(id, at) {
      await run('mnogate_webhook_delivered', SQL.deliverWebhook, [id, at]);
    },

    async markWebhookFailed(id, error, nextAttemptAt) {
      await run('mnogate_webhook_failed', SQL.failWebhook, [id, error, nextAttemptAt]);
    },

    async webhookBacklog() {
      return Number((await run('mnogate_webhook_backlog', SQL.webhookBacklog, [])).rows[0]?.n ?? 0);
    },

    async createApiKey(key, actor) {
      await run('mnogate_create_key', SQL.insertApiKey, [
        key.id,
        key.clientId,
        key.name,
        key.hash,
        [...key.scopes],
        key.webhookUrl,
        key.webhookSecret,
        key.createdAt,
        key.revokedAt,
        ...auditValues(apiKeyCreateAudit(key, actor)),
      ]);
    },

    async findApiKeyByHash(hash) {
      const row = (await run('mnogate_find_key', SQL.findApiKey, [hash])).rows[0];
      return row ? toApiKey(row) : null;
    },

    async listApiKeys(clientId) {
      const result =
        clientId === undefined
          ? await run('mnogate_list_keys', SQL.listApiKeys, [])
          : await run('mnogate_list_client_keys', SQL.listClientApiKeys, [clientId]);
      return result.rows.map(toApiKey);
    },

    async revokeApiKey(id, at, actor) {
      const result = await run('mnogate_revoke_key', SQL.revokeApiKey, [
        id,
        at,
        ...auditValues(apiKeyRevokeAudit(id, actor)),
      ]);
      const revoked = Number(result.rows[0]?.n ?? 0) > 0;
      if (revoked) revocations.notify(id);
      return revoked;
    },

    onApiKeyRevoked: revocations.subscribe,

    async appendAudit(input, at) {
      const encoded = encodeAudit(input);
      const row = (await run('mnogate_append_audit', SQL.appendAudit, [at, ...auditValues(encoded)])).rows[0];
      if (!row) throw new MnogateError('MNOGATE_ERR_STORE_UNAVAILABLE', 'the audit head row is missing');
      return toAuditEntry({ ...row, at, ...encoded });
    },

    async listAudit(filter, limit, cursor) {
      const q = buildAuditListQuery(filter, limit, cursor, (n) => `$${n}`);
      return auditPage((await pool.query<Row>(q.sql, q.params)).rows.map(toAuditEntry), q.pageSize);
    },

    async auditEntries(afterSeq, limit) {
      const result = await run('mnogate_audit_entries', SQL.auditEntries, [
        afterSeq,
        Math.max(1, Math.floor(limit)),
      ]);
      return result.rows.map(toAuditEntry);
    },

    async auditHead() {
      const row = (await run('mnogate_audit_head', SQL.auditHead, [])).rows[0];
      return row && Number(row.seq) > 0 ? { seq: Number(row.seq), hash: row.hash as string } : null;
    },
  };
  return store;
}
