/**
 * Tampering with the audit trail directly in the database (as someone with write access would) is
 * detected by `mnogate audit verify`, at the right entry, on SQLite and on PostgreSQL: an edited
 * detail, an edited-and-rehashed entry, a deleted middle entry, a deleted last entry, two entries
 * whose seq were swapped.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { stringify } from 'yaml';
import { auditHash, canonicalJson } from '../../src/audit/chain.js';
import { verifyAuditChain } from '../../src/audit/verify.js';
import { createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { loadDemoConfig, REPO_ROOT } from '../harness.js';
import { IN_CI, POSTGRES_URL, postgresUnavailable } from '../postgres.js';
import { recharge } from '../store/contract.js';

const CLI = join(REPO_ROOT, 'packages/cli/bin/mnogate.js');
const dir = mkdtempSync(join(tmpdir(), 'mnogate-audit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Raw SQL on the store's database, past the append-only triggers. */
interface Raw {
  exec(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

interface Backend {
  readonly name: string;
  /** A fresh store URL, and raw access to its database. */
  open(): Promise<{ url: string; raw: () => Promise<Raw> }>;
  cleanup(): Promise<void>;
}

let n = 0;
const sqlite: Backend = {
  name: 'sqlite',
  async open() {
    const file = join(dir, `audit-${++n}.db`);
    return {
      url: `sqlite:${file}`,
      async raw() {
        const db = new Database(file);
        db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete');
        return {
          async exec(sql, params = []) {
            db.prepare(sql).run(...params);
          },
          async close() {
            db.close();
          },
        };
      },
    };
  },
  async cleanup() {},
};

const schemas: string[] = [];
const postgres: Backend = {
  name: 'postgres',
  async open() {
    const schema = `mnogate_audit_${process.pid}_${randomBytes(3).toString('hex')}`;
    schemas.push(schema);
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('schema', schema);
    return {
      url: url.toString(),
      async raw() {
        const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
        await client.connect();
        await client.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
        return {
          async exec(sql, params = []) {
            let i = 0;
            await client.query(
              sql.replace(/\?/g, () => `$${++i}`),
              params,
            );
          },
          async close() {
            await client.end();
          },
        };
      },
    };
  },
  async cleanup() {
    if (schemas.length === 0) return;
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await client.end();
  },
};

const T0 = 1_700_000_000_000;

/** Ten entries: three recharges through their states, a key created and revoked, a config reload. */
async function fill(store: Store): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const r = recharge({ createdAt: T0 + i });
    await store.acceptRecharge(r);
    await store.transition({
      id: r.id,
      from: 'accepted',
      to: 'submitting',
      at: T0 + 10 + i,
      cause: 'submit',
    });
  }
  const r = recharge({ createdAt: T0 + 20 });
  await store.acceptRecharge(r);
  await store.appendAudit(
    { actor: 'admin:ops', action: 'config.reload', subject: 'config', detail: { added: ['op-x'] } },
    T0 + 30,
  );
  await store.transition({ id: r.id, from: 'accepted', to: 'failed', at: T0 + 40, cause: 'policy' });
  assert.equal((await store.auditHead())?.seq, 9);
  await store.appendAudit({ actor: 'system', action: 'test', subject: 'last' }, T0 + 50);
}

function writeConfig(url: string): string {
  const config = loadDemoConfig();
  config.gateway.store = url;
  const file = join(dir, `mnogate-${++n}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

function runVerify(configFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'audit', 'verify', '--config', configFile, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Case {
  readonly name: string;
  readonly tamper?: (raw: Raw, store: Store) => Promise<void>;
  readonly expect: { seq: number; problem: string } | null;
}

const CASES: readonly Case[] = [
  { name: 'an intact chain verifies (exit 0)', expect: null },
  {
    name: "an UPDATE of an entry's detail is reported as edited at that entry",
    tamper: (raw) =>
      raw.exec(`UPDATE audit_log SET detail = ? WHERE seq = 5`, ['{"from":"accepted","to":"succeeded"}']),
    expect: { seq: 5, problem: 'edited' },
  },
  {
    name: "an UPDATE of an entry's actor is reported as edited at that entry",
    tamper: (raw) => raw.exec(`UPDATE audit_log SET actor = 'admin:someone-else' WHERE seq = 7`),
    expect: { seq: 7, problem: 'edited' },
  },
  {
    name: 'an entry edited and rehashed breaks the link to it: reported as edited at that entry',
    tamper: async (raw, store) => {
      const [e] = await store.auditEntries(3, 1);
      const detail = canonicalJson({ ...e!.detail, to: 'failed' });
      const hash = auditHash({ ...e!, detail });
      await raw.exec('UPDATE audit_log SET detail = ?, hash = ? WHERE seq = 4', [detail, hash]);
    },
    expect: { seq: 4, problem: 'edited' },
  },
  {
    name: 'a DELETE of a middle entry is reported as deleted at its seq',
    tamper: (raw) => raw.exec('DELETE FROM audit_log WHERE seq = 6'),
    expect: { seq: 6, problem: 'deleted' },
  },
  {
    name: 'a DELETE of the last entry is reported as deleted (the head remembers it)',
    tamper: (raw) => raw.exec('DELETE FROM audit_log WHERE seq = 10'),
    expect: { seq: 10, problem: 'deleted' },
  },
  {
    name: "swapping two entries' seq is reported as reordered at the first of them",
    tamper: async (raw) => {
      await raw.exec('UPDATE audit_log SET seq = -1 WHERE seq = 5');
      await raw.exec('UPDATE audit_log SET seq = 5 WHERE seq = 6');
      await raw.exec('UPDATE audit_log SET seq = 6 WHERE seq = -1');
    },
    expect: { seq: 5, problem: 'reordered' },
  },
];

const pgProblem = await postgresUnavailable();

for (const backend of [sqlite, postgres]) {
  const unavailable = backend === postgres ? pgProblem : null;
  describe(`audit tampering (${backend.name})`, {
    skip: !IN_CI && unavailable ? `PostgreSQL unreachable: ${unavailable}` : false,
  }, () => {
    after(() => backend.cleanup());
    if (unavailable) {
      it('PostgreSQL must be available in CI', () => assert.fail(unavailable));
      return;
    }

    it('the log refuses UPDATE and DELETE until its triggers are removed', async () => {
      const { url } = await backend.open();
      const store = createStore(url, { baseDir: dir });
      await store.migrate();
      await fill(store);
      await store.close();
      if (backend === sqlite) {
        const db = new Database(url.slice('sqlite:'.length));
        assert.throws(
          () => db.prepare("UPDATE audit_log SET actor = 'x' WHERE seq = 1").run(),
          /append-only/,
        );
        assert.throws(() => db.prepare('DELETE FROM audit_log WHERE seq = 1').run(), /append-only/);
        db.close();
      } else {
        const client = new pg.Client({
          connectionString: POSTGRES_URL,
          options: `-c search_path=${new URL(url).searchParams.get('schema')}`,
        });
        await client.connect();
        await assert.rejects(client.query("UPDATE audit_log SET actor = 'x' WHERE seq = 1"), /append-only/);
        await assert.rejects(client.query('DELETE FROM audit_log WHERE seq = 1'), /append-only/);
        await assert.rejects(client.query('TRUNCATE audit_log'), /append-only/);
        await client.end();
      }
    });

    for (const c of CASES) {
      it(c.name, async () => {
        const { url, raw } = await backend.open();
        const store = createStore(url, { baseDir: dir });
        await store.migrate();
        try {
          await fill(store);
          if (c.tamper) {
            const r = await raw();
            try {
              await c.tamper(r, store);
            } finally {
              await r.close();
            }
          }
          const direct = await verifyAuditChain(store, { pageSize: 3 });
          const cli = await runVerify(writeConfig(url));
          assert.equal(cli.stderr, '');
          const reported = JSON.parse(cli.stdout) as typeof direct;
          if (c.expect === null) {
            assert.equal(cli.code, 0);
            assert.equal(reported.ok, true);
            assert.equal(reported.checked, 10);
            assert.equal(direct.ok, true);
          } else {
            assert.equal(cli.code, 1, cli.stdout);
            assert.equal(reported.ok, false);
            assert.deepEqual(
              { seq: reported.firstBad?.seq, problem: reported.firstBad?.problem },
              c.expect,
              cli.stdout,
            );
            assert.deepEqual(direct.firstBad, reported.firstBad, 'paged verification agrees');
          }
        } finally {
          await store.close();
        }
      });
    }
  });
}
