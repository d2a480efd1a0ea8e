/**
 * One transaction under a transaction-scoped advisory lock: what replicas starting together use to
 * create or migrate shared tables one at a time (a concurrent CREATE ... IF NOT EXISTS can still
 * fail on PostgreSQL's catalog). Rolled back on any error; the lock ends with the transaction.
 */
import type pg from 'pg';

export async function inLockedTransaction<T>(
  pool: pg.Pool,
  lockName: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockName]);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
