/**
 * Runs the store contract against every backend (kysely style): SQLite on a file, SQLite in memory,
 * and PostgreSQL at 127.0.0.1:5432 (MNOGATE_TEST_POSTGRES_URL to point elsewhere). Each PostgreSQL
 * test gets its own schema, dropped when the suite ends.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMnogateError } from '@mnogate/core';
import pg from 'pg';
import {
  createPostgresStore,
  createSqliteStore,
  createStore,
  parseStoreUrl,
  type Store,
} from '../../src/store/index.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { IN_CI, POSTGRES_URL, postgresUnavailable } from '../postgres.js';
import { type MakeStore, recharge, storeContract } from './contract.js';

interface Backend {
  readonly name: string;
  /** Why this backend cannot run here, or null. */
  readonly unavailable: string | null;
  readonly makeStore: MakeStore;
  readonly cleanup: () => Promise<void>;
}

function sqliteFileBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'mnogate-store-'));
  const paths = new WeakMap<Store, string>();
  let n = 0;
  return {
    name: 'sqlite (file)',
    unavailable: null,
    async makeStore(options) {
      const shared = options?.sameDatabaseAs && paths.get(options.sameDatabaseAs);
      const path = shared || join(dir, `store-${++n}.db`);
      const store = createSqliteStore({ path });
      paths.set(store, path);
      await store.migrate();
      return store;
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function sqliteMemoryBackend(): Backend {
  return {
    name: 'sqlite (:memory:)',
    unavailable: null,
    async makeStore(options) {
      // An in-memory database belongs to one connection: a "replica" is the same instance.
      if (options?.sameDatabaseAs) return options.sameDatabaseAs;
      const store = createSqliteStore({ path: ':memory:' });
      await store.migrate();
      return store;
    },
    async cleanup() {},
  };
}

function postgresBackend(unavailable: string | null): Backend {
  const run = `mnogate_test_${process.pid}_${randomBytes(3).toString('hex')}`;
  const schemas = new WeakMap<Store, string>();
  const created: string[] = [];
  let n = 0;
  return {
    name: 'postgres',
    unavailable,
    async makeStore(options) {
      const shared = options?.sameDatabaseAs && schemas.get(options.sameDatabaseAs);
      const schema = shared || `${run}_${++n}`;
      if (!shared) created.push(schema);
      const store = createPostgresStore({ connectionString: POSTGRES_URL, schema, poolMax: 8 });
      schemas.set(store, schema);
      await store.migrate();
      return store;
    },
    async cleanup() {
      if (created.length === 0) return;
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        for (const schema of created) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

const postgresProblem = await postgresUnavailable();
const BACKENDS: readonly Backend[] = [
  sqliteFileBackend(),
  sqliteMemoryBackend(),
  postgresBackend(postgresProblem),
];

for (const backend of BACKENDS) {
  if (backend.unavailable !== null) {
    const why = `PostgreSQL is not reachable at ${POSTGRES_URL} (${backend.unavailable})`;
    if (IN_CI) {
      it(`${backend.name}: the backend must be available in CI`, () => {
        assert.fail(`${why}; CI must provide it`);
      });
    } else {
      describe(backend.name, {
        skip: `${why}; start it with: sudo service postgresql start (trust auth for user postgres on 127.0.0.1), or set MNOGATE_TEST_POSTGRES_URL`,
      }, () => {
        it('store contract');
      });
    }
    continue;
  }
  storeContract(backend.name, backend.makeStore, backend.cleanup);
}

describe('createStore', () => {
  it('reads the backend from the store URL', () => {
    assert.deepEqual(parseStoreUrl('sqlite:./data/mnogate.db', '/etc/mnogate'), {
      backend: 'sqlite',
      path: '/etc/mnogate/data/mnogate.db',
    });
    assert.deepEqual(parseStoreUrl('sqlite:data.db', '/srv'), { backend: 'sqlite', path: '/srv/data.db' });
    assert.deepEqual(parseStoreUrl('sqlite:/var/lib/m.db', '/srv'), {
      backend: 'sqlite',
      path: '/var/lib/m.db',
    });
    assert.deepEqual(parseStoreUrl('sqlite:///var/lib/m.db', '/srv'), {
      backend: 'sqlite',
      path: '/var/lib/m.db',
    });
    assert.deepEqual(parseStoreUrl('sqlite::memory:', '/srv'), { backend: 'sqlite', path: ':memory:' });
    assert.deepEqual(parseStoreUrl('postgres://u:p@db:5432/mno?schema=gw&sslmode=require', '/srv'), {
      backend: 'postgres',
      connectionString: 'postgres://u:p@db:5432/mno?sslmode=require',
      schema: 'gw',
    });
    assert.deepEqual(parseStoreUrl('postgresql://db/mno', '/srv'), {
      backend: 'postgres',
      connectionString: 'postgresql://db/mno',
      schema: undefined,
    });
    for (const bad of ['mysql://db/x', 'sqlite:', 'redis://x', '']) {
      assert.throws(
        () => parseStoreUrl(bad, '/srv'),
        (err) => isMnogateError(err, 'MNOGATE_ERR_CONFIG_SCHEMA'),
      );
    }
  });

  it('opens a SQLite file relative to baseDir, durable and in WAL mode', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mnogate-store-url-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const store = createStore('sqlite:./nested/dir/m.db', { baseDir: dir });
    await store.migrate();
    const r = recharge();
    await store.acceptRecharge(r);
    await store.close();
    const reopened = createStore(`sqlite:${join(dir, 'nested/dir/m.db')}`, { baseDir: '/' });
    t.after(() => reopened.close());
    await reopened.migrate();
    assert.equal(reopened.backend, 'sqlite');
    assert.deepEqual(await reopened.getRecharge(r.id), r);
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(join(dir, 'nested/dir/m.db'), { readonly: true });
    t.after(() => raw.close());
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    assert.deepEqual(
      raw.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
      SQLITE_MIGRATIONS.map((m) => m.version),
    );
  });

  it('PostgreSQL replicas migrating at once apply each migration exactly once', {
    skip: postgresProblem ?? false,
  }, async () => {
    const schema = `mnogate_test_migrate_${process.pid}_${randomBytes(3).toString('hex')}`;
    const stores = Array.from({ length: 4 }, () =>
      createPostgresStore({ connectionString: POSTGRES_URL, schema, poolMax: 2 }),
    );
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      const { rows } = await client.query(
        `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
      );
      await client.end();
      assert.deepEqual(
        rows.map((r) => r.version),
        POSTGRES_MIGRATIONS.map((m) => m.version),
      );
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });

  it('refuses a PostgreSQL schema name that is not a plain identifier', () => {
    assert.throws(
      () => createPostgresStore({ connectionString: POSTGRES_URL, schema: 'x; DROP TABLE y' }),
      (err) => isMnogateError(err, 'MNOGATE_ERR_CONFIG_SCHEMA'),
    );
  });

  it('opens PostgreSQL from a postgres:// URL with ?schema=', {
    skip: postgresProblem ?? false,
  }, async () => {
    const schema = `mnogate_test_url_${process.pid}_${randomBytes(3).toString('hex')}`;
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('schema', schema);
    const store = createStore(url.toString(), { baseDir: '/' });
    try {
      await store.migrate();
      assert.equal(store.backend, 'postgres');
      const r = recharge();
      await store.acceptRecharge(r);
      assert.deepEqual(await store.getRecharge(r.id), r);
    } finally {
      await store.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });
});
