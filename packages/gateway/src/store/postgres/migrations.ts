import type { Migration } from '../migration.js';

/**
 * PostgreSQL schema, one entry per version; never edit an applied entry, append a new one. Same tables
 * and columns as the SQLite schema: times are bigint ms since epoch, money bigint minor units, JSON jsonb.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'recharges, history, idempotency keys, webhook outbox, api keys',
    statements: [
      `CREATE TABLE recharges (
        id text PRIMARY KEY,
        client_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('accepted', 'submitting', 'succeeded', 'failed', 'unknown')),
        msisdn text NOT NULL,
        operator_id text NOT NULL,
        product_id text NOT NULL,
        amount_minor bigint NOT NULL,
        currency text NOT NULL,
        client_reference text,
        operator_reference text NOT NULL UNIQUE,
        operator_transaction_id text,
        endpoint text,
        failure jsonb,
        reconcile_attempts integer NOT NULL DEFAULT 0,
        next_attempt_at bigint,
        needs_admin boolean NOT NULL DEFAULT false,
        lease_owner text,
        lease_expires_at bigint,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        event_seq integer NOT NULL DEFAULT 1
      )`,
      'CREATE INDEX recharges_created ON recharges (created_at, id)',
      'CREATE INDEX recharges_client_created ON recharges (client_id, created_at, id)',
      'CREATE INDEX recharges_msisdn ON recharges (msisdn, created_at)',
      `CREATE INDEX recharges_client_reference ON recharges (client_id, client_reference)
        WHERE client_reference IS NOT NULL`,
      // The live set (not final) is small; the reconciler and backlog scan only this index.
      `CREATE INDEX recharges_live ON recharges (status, next_attempt_at)
        WHERE status IN ('accepted', 'submitting', 'unknown')`,
      'CREATE INDEX recharges_lease_owner ON recharges (lease_owner) WHERE lease_owner IS NOT NULL',
      `CREATE TABLE recharge_events (
        recharge_id text NOT NULL REFERENCES recharges (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        from_status text,
        to_status text NOT NULL,
        at bigint NOT NULL,
        cause text NOT NULL,
        detail jsonb,
        PRIMARY KEY (recharge_id, seq)
      )`,
      `CREATE TABLE idempotency_keys (
        client_id text NOT NULL,
        key text NOT NULL,
        body_hash text NOT NULL,
        recharge_id text NOT NULL,
        status_code integer,
        response_body text,
        expires_at bigint NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (client_id, key)
      )`,
      'CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at)',
      `CREATE TABLE webhooks (
        id text PRIMARY KEY,
        recharge_id text,
        client_id text NOT NULL,
        url text NOT NULL,
        event_type text NOT NULL,
        payload text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at bigint NOT NULL,
        delivered_at bigint,
        last_error text,
        dead boolean NOT NULL DEFAULT false,
        lease_owner text,
        lease_expires_at bigint,
        created_at bigint NOT NULL
      )`,
      'CREATE INDEX webhooks_due ON webhooks (next_attempt_at) WHERE delivered_at IS NULL AND NOT dead',
      'CREATE INDEX webhooks_recharge ON webhooks (recharge_id) WHERE recharge_id IS NOT NULL',
      `CREATE TABLE api_keys (
        id text PRIMARY KEY,
        client_id text NOT NULL,
        name text NOT NULL,
        hash text NOT NULL UNIQUE,
        scopes text[] NOT NULL,
        webhook_url text,
        webhook_secret text,
        created_at bigint NOT NULL,
        revoked_at bigint
      )`,
      'CREATE INDEX api_keys_client ON api_keys (client_id, created_at)',
    ],
  },
  {
    version: 2,
    name: 'audit trail: hash-chained log and its head',
    statements: [
      `CREATE TABLE audit_log (
        seq bigint PRIMARY KEY,
        at bigint NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        subject text NOT NULL,
        detail text NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL
      )`,
      'CREATE INDEX audit_log_subject ON audit_log (subject, seq)',
      'CREATE INDEX audit_log_actor ON audit_log (actor, seq)',
      'CREATE INDEX audit_log_action ON audit_log (action, seq)',
      // One row: the last entry's seq and hash. Every append updates it, so its row lock (held to
      // COMMIT) serialises appends across replicas and the chain stays linear.
      `CREATE TABLE audit_head (
        id integer PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL
      )`,
      `INSERT INTO audit_head (id, seq, prev_hash, hash) VALUES (1, 0, '', '${'0'.repeat(64)}')`,
      // Append-only against accidents; deliberate tampering (disabling this) is what the chain detects.
      `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$`,
      `CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
      `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
    ],
  },
  {
    version: 3,
    name: 'operator exchanges: the redacted HTTP exchanges behind each recharge',
    statements: [
      `CREATE TABLE operator_exchanges (
        id bigserial PRIMARY KEY,
        recharge_id text NOT NULL,
        started_at bigint NOT NULL,
        exchange text NOT NULL
      )`,
      'CREATE INDEX operator_exchanges_recharge ON operator_exchanges (recharge_id, id)',
      'CREATE INDEX operator_exchanges_started ON operator_exchanges (started_at)',
    ],
  },
];
