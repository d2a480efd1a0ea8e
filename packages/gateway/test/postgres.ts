/**
 * PostgreSQL for tests: the server at 127.0.0.1:5432 (MNOGATE_TEST_POSTGRES_URL to point elsewhere),
 * whether it answers, and a schema per test run dropped afterwards. In CI an unreachable server is a
 * failure, not a skip.
 */
import pg from 'pg';

export const POSTGRES_URL =
  process.env.MNOGATE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const IN_CI = process.env.CI === 'true';

/** Null when the server answers, else why not. */
export async function postgresUnavailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A schema name unique to this process and moment. */
export function testSchema(tag: string): string {
  return `${tag}_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export const POSTGRES_SKIP_MESSAGE =
  'PostgreSQL is not reachable at 127.0.0.1:5432: start it (pg_ctlcluster <version> main start) or set MNOGATE_TEST_POSTGRES_URL';
