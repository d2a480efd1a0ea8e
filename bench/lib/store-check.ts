/**
 * After a gateway scenario: what the store holds. Every accepted recharge should be `succeeded`
 * with three durable history rows (accepted, submitting, succeeded): the proof that the throughput
 * was carried with every state change committed.
 */
import Database from 'better-sqlite3';
import pg from 'pg';

export interface StoreCounts {
  readonly recharges: number;
  readonly byStatus: Record<string, number>;
  readonly events: number;
  /** events / recharges: 3 when every recharge went accepted -> submitting -> succeeded. */
  readonly eventsPerRecharge: number;
  /** Failed recharges by their MNOGATE_ERR_ code (none expected). */
  readonly failures: Record<string, number>;
}

function counts(
  rows: { status: string; n: number | string }[],
  events: number,
  failureRows: { code: string | null; n: number | string }[],
): StoreCounts {
  const failures: Record<string, number> = {};
  for (const f of failureRows) failures[f.code ?? 'none'] = Number(f.n);
  const byStatus: Record<string, number> = {};
  let recharges = 0;
  for (const r of rows) {
    byStatus[r.status] = Number(r.n);
    recharges += Number(r.n);
  }
  return { recharges, byStatus, events, eventsPerRecharge: recharges ? events / recharges : 0, failures };
}

export function sqliteCounts(path: string): StoreCounts {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT status, count(*) AS n FROM recharges GROUP BY status').all() as {
      status: string;
      n: number;
    }[];
    const events = (db.prepare('SELECT count(*) AS n FROM recharge_events').get() as { n: number }).n;
    const failures = db
      .prepare(
        "SELECT json_extract(failure, '$.code') AS code, count(*) AS n FROM recharges WHERE status = 'failed' GROUP BY 1",
      )
      .all() as { code: string | null; n: number }[];
    return counts(rows, events, failures);
  } finally {
    db.close();
  }
}

export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function postgresCounts(schema: string): Promise<StoreCounts> {
  return withClient(async (c) => {
    const rows = await c.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM "${schema}".recharges GROUP BY status`,
    );
    const events = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".recharge_events`);
    const failures = await c.query<{ code: string | null; n: string }>(
      `SELECT failure->>'code' AS code, count(*) AS n FROM "${schema}".recharges WHERE status = 'failed' GROUP BY 1`,
    );
    return counts(rows.rows, Number(events.rows[0]?.n ?? 0), failures.rows);
  });
}

export function dropSchema(schema: string): Promise<void> {
  return withClient(async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
}

/** The server's version, or null when PostgreSQL is not reachable. */
export async function postgresVersion(): Promise<string | null> {
  try {
    return await withClient(
      async (c) =>
        (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? null,
    );
  } catch {
    return null;
  }
}

/** How many recharges the store holds, and how many are not final yet (accepted, submitting). */
export interface Progress {
  readonly total: number;
  readonly live: number;
}

export function sqliteProgress(path: string): Progress {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        "SELECT count(*) AS total, coalesce(sum(status IN ('accepted', 'submitting')), 0) AS live FROM recharges",
      )
      .get() as Progress;
  } finally {
    db.close();
  }
}

export function postgresProgress(schema: string): Promise<Progress> {
  return withClient(async (c) => {
    const r = await c.query<{ total: string; live: string }>(
      `SELECT count(*) AS total, count(*) FILTER (WHERE status IN ('accepted', 'submitting')) AS live FROM "${schema}".recharges`,
    );
    return { total: Number(r.rows[0]?.total ?? 0), live: Number(r.rows[0]?.live ?? 0) };
  });
}
