import type { Migration } from '../migration.js';

/**
 * SQLite schema, one entry per version; never edit an applied entry, append a new one.
 * Times are integer ms since epoch, money is integer minor units, JSON is text.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'recharges, history, idempotency keys, webhook outbox, api keys',
    statements: [
      `CREATE TABLE recharges (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'submitting', 'succeeded', 'failed', 'unknown')),
        msisdn TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        product_id TEXT NOT NULL,
        amount_minor INTEGER NOT NULL,
        currency TEXT NOT NULL,
        client_reference TEXT,
        operator_reference TEXT NOT NULL UNIQUE,
        operator_transaction_id TEXT,
        endpoint TEXT,
        failure TEXT,
        reconcile_attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        needs_admin INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_expires_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        event_seq INTEGER NOT NULL DEFAULT 1
      )`,
      'CREATE INDEX recharges_created ON recharges (created_at, id)',
      'CREATE INDEX recharges_client_created ON recharges (client_id, created_at, id)',
      'CREATE INDEX recharges_msisdn ON recharges (msisdn, created_at)',
      'CREATE INDEX recharges_client_reference ON recharges (client_id, client_reference) WHERE client_reference IS NOT NULL',
      // The live set (not final) is small; the reconciler and backlog scan only this index.
      `CREATE INDEX recharges_live ON recharges (status, next_attempt_at)
        WHERE status IN ('accepted', 'submitting', 'unknown')`,
      'CREATE INDEX recharges_lease_owner ON recharges (lease_owner) WHERE lease_owner IS NOT NULL',
      `CREATE TABLE recharge_events (
        recharge_id TEXT NOT NULL REFERENCES recharges (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        at INTEGER NOT NULL,
        cause TEXT NOT NULL,
        detail TEXT,
        PRIMARY KEY (recharge_id, seq)
      ) WITHOUT ROWID`,
      `CREATE TABLE idempotency_keys (
        client_id TEXT NOT NULL,
        key TEXT NOT NULL,
        body_hash TEXT NOT NULL,
        recharge_id TEXT NOT NULL,
        status_code INTEGER,
        response_body TEXT,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (client_id, key)
      ) WITHOUT ROWID`,
      'CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at)',
      `CREATE TABLE webhooks (
        id TEXT PRIMARY KEY,
        recharge_id TEXT,
        client_id TEXT NOT NULL,
        url TEXT NOT NULL,
        event_type TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        delivered_at INTEGER,
        last_error TEXT,
        dead INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_expires_at INTEGER,
        created_at INTEGER NOT NULL
      )`,
      'CREATE INDEX webhooks_due ON webhooks (next_attempt_at) WHERE delivered_at IS NULL AND dead = 0',
      'CREATE INDEX webhooks_recharge ON webhooks (recharge_id) WHERE recharge_id IS NOT NULL',
      `CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        webhook_url TEXT,
        webhook_secret TEXT,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      )`,
      'CREATE INDEX api_keys_client ON api_keys (client_id, created_at)',
    ],
  },
  {
    version: 2,
    name: 'audit trail: hash-chained log and its head',
    statements: [
      `CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      )`,
      'CREATE INDEX audit_log_subject ON audit_log (subject, seq)',
      'CREATE INDEX audit_log_actor ON audit_log (actor, seq)',
      'CREATE INDEX audit_log_action ON audit_log (action, seq)',
      // One row: the last entry's seq and hash. Appends read and move it in their transaction.
      `CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      )`,
      `INSERT INTO audit_head (id, seq, prev_hash, hash) VALUES (1, 0, '', '${'0'.repeat(64)}')`,
      // Append-only against accidents; deliberate tampering (dropping these) is what the chain detects.
      `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`,
      `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`,
    ],
  },
  {
    version: 3,
    name: 'operator exchanges: the redacted HTTP exchanges behind each recharge',
    statements: [
      `CREATE TABLE operator_exchanges (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recharge_id TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        exchange TEXT NOT NULL
      )`,
      'CREATE INDEX operator_exchanges_recharge ON operator_exchanges (recharge_id, id)',
      'CREATE INDEX operator_exchanges_started ON operator_exchanges (started_at)',
    ],
  },
];
