/**
 * The store's public surface: the interface, both backends, and `createStore(url)` which picks one
 * from the `gateway.store` setting.
 */
import { isAbsolute, resolve } from 'node:path';
import { MnogateError } from '@mnogate/core';
import { createPostgresStore } from './postgres/postgres-store.js';
import { createSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export { decodeCursor, encodeCursor } from './cursor.js';
export type { Migration } from './migration.js';
export { createPostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export type * from './store.js';

export interface CreateStoreOptions {
  /** What a relative `sqlite:<path>` is resolved against: the directory of the config file. */
  readonly baseDir: string;
  /** Pool size for PostgreSQL. Default 10. */
  readonly poolMax?: number;
}

/** The backend and its location, parsed from `sqlite:<path>`, `sqlite::memory:` or `postgres(ql)://...`. */
export type StoreLocation =
  | { readonly backend: 'sqlite'; readonly path: string }
  | { readonly backend: 'postgres'; readonly connectionString: string; readonly schema: string | undefined };

export function parseStoreUrl(url: string, baseDir: string): StoreLocation {
  if (url.startsWith('sqlite:')) {
    let rest = url.slice('sqlite:'.length);
    if (rest === ':memory:') return { backend: 'sqlite', path: ':memory:' };
    if (rest.startsWith('//')) rest = rest.slice(2); // sqlite:///abs/path and sqlite://rel/path
    if (rest.length === 0)
      throw new MnogateError('MNOGATE_ERR_CONFIG_SCHEMA', 'sqlite: needs a path', { url });
    return { backend: 'sqlite', path: isAbsolute(rest) ? rest : resolve(baseDir, rest) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // `?schema=name` selects a PostgreSQL schema; pg itself does not know the parameter, so take it out.
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    return { backend: 'postgres', connectionString: parsed.toString(), schema };
  }
  throw new MnogateError('MNOGATE_ERR_CONFIG_SCHEMA', 'the store must be sqlite:<path> or postgres://...', {
    url: url.replace(/\/\/[^@/]*@/, '//***@'),
  });
}

/** Opens the store named by `url`; call `migrate()` on it before use. */
export function createStore(url: string, options: CreateStoreOptions): Store {
  const location = parseStoreUrl(url, options.baseDir);
  if (location.backend === 'sqlite') {
    return createSqliteStore({ path: location.path });
  }
  return createPostgresStore({
    connectionString: location.connectionString,
    ...(location.schema !== undefined ? { schema: location.schema } : {}),
    ...(options.poolMax !== undefined ? { poolMax: options.poolMax } : {}),
  });
}
