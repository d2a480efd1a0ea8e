/**
 * Token buckets in PostgreSQL, shared by every replica: one row per bucket, refilled and drawn from
 * in one atomic statement (one round trip per call). In an UPDATE, every SET expression reads the
 * row as it was, so `granted` and `tokens` agree.
 */
import pg from 'pg';
import { inLockedTransaction } from '../../store/postgres/locked-transaction.js';
import type { RateLimitBackend } from './rate-limit.js';

export interface PostgresRateLimitOptions {
  readonly connectionString: string;
  /** The PostgreSQL schema the store uses (its ?schema=), so the table sits beside the store's. */
  readonly schema?: string | undefined;
  /** @default 4 */
  readonly poolMax?: number;
}

const REFILLED = 'LEAST($4::float8, b.tokens + GREATEST(0, $2::bigint - b.last_ms) * $3::float8 / 1000)';
const TAKE = `
INSERT INTO rate_limit_buckets AS b (key, tokens, last_ms, granted)
VALUES ($1, $4::float8 - 1, $2, true)
ON CONFLICT (key) DO UPDATE SET
  granted = ${REFILLED} >= 1,
  tokens = ${REFILLED} - CASE WHEN ${REFILLED} >= 1 THEN 1 ELSE 0 END,
  last_ms = GREATEST(b.last_ms, $2::bigint)
RETURNING granted, tokens`;

export function createPostgresRateLimitBackend(options: PostgresRateLimitOptions): RateLimitBackend {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/i.test(schema))
    throw new Error(`invalid schema name ${schema}`);
  const table = `${schema ? `"${schema}".` : ''}rate_limit_buckets`;
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolMax ?? 4 });
  let ready: Promise<unknown> | undefined;
  const ensureTable = () => {
    ready ??= (async () => {
      // replicas starting together would race on CREATE ... IF NOT EXISTS (a unique violation in the
      // catalog): one at a time, under a transaction-scoped advisory lock
      await inLockedTransaction(pool, `mnogate.rate-limit.${schema ?? ''}`, async (client) => {
        if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${table} (key text PRIMARY KEY, tokens float8 NOT NULL, last_ms bigint NOT NULL, granted boolean NOT NULL)`,
        );
      });
    })().catch((err: unknown) => {
      ready = undefined; // try again on the next call
      throw err;
    });
    return ready;
  };
  const sql = TAKE.replace('INSERT INTO rate_limit_buckets', `INSERT INTO ${table}`);
  return {
    name: 'postgres',
    async take(spec, now) {
      await ensureTable();
      const res = await pool.query<{ granted: boolean; tokens: number }>({
        name: `mnogate-take-${table}`,
        text: sql,
        values: [spec.key, now, spec.ratePerSecond, spec.burst],
      });
      const row = res.rows[0]!;
      if (row.granted) return { granted: true, retryAfterMs: 0 };
      return { granted: false, retryAfterMs: Math.ceil(((1 - row.tokens) * 1000) / spec.ratePerSecond) };
    },
    async close() {
      await pool.end();
    },
  };
}
