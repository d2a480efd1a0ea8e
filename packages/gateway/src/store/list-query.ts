import { clampLimit, decodeCursor } from './cursor.js';
import { RECHARGE_COLUMNS } from './rows.js';
import type { RechargeFilter } from './store.js';

/**
 * The keyset query behind listRecharges, in either dialect: `placeholder(n)` writes the n-th (1-based)
 * parameter. Asks for one row more than the page so the caller knows whether there is a next page.
 */
export function buildListQuery(
  filter: RechargeFilter,
  limit: number,
  cursor: string | null | undefined,
  placeholder: (n: number) => string,
  bool: (value: boolean) => unknown,
): { sql: string; params: unknown[]; pageSize: number } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(placeholder(params.length)));
  };
  if (filter.clientId !== undefined) add((p) => `client_id = ${p}`, filter.clientId);
  if (filter.status !== undefined) add((p) => `status = ${p}`, filter.status);
  if (filter.operatorId !== undefined) add((p) => `operator_id = ${p}`, filter.operatorId);
  if (filter.msisdn !== undefined) add((p) => `msisdn = ${p}`, filter.msisdn);
  if (filter.clientReference !== undefined) add((p) => `client_reference = ${p}`, filter.clientReference);
  if (filter.createdFrom !== undefined) add((p) => `created_at >= ${p}`, filter.createdFrom);
  if (filter.createdTo !== undefined) add((p) => `created_at < ${p}`, filter.createdTo);
  if (filter.needsAdmin !== undefined) add((p) => `needs_admin = ${p}`, bool(filter.needsAdmin));
  if (cursor !== undefined && cursor !== null) {
    const position = decodeCursor(cursor);
    params.push(position.createdAt, position.id);
    where.push(`(created_at, id) < (${placeholder(params.length - 1)}, ${placeholder(params.length)})`);
  }
  const pageSize = clampLimit(limit);
  params.push(pageSize + 1);
  const sql =
    `SELECT ${RECHARGE_COLUMNS} FROM recharges` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY created_at DESC, id DESC LIMIT ${placeholder(params.length)}`;
  return { sql, params, pageSize };
}
