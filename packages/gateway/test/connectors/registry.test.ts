import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMnogateError } from '@mnogate/core';
import { createConnector, isHandlerPath } from '../../src/connectors/registry.js';
import {
  closedPort,
  ctxFor,
  hang,
  makeCall,
  makeOperator,
  reply,
  type ScriptedServer,
  startScriptedServer,
  statusRead,
  testAgent,
} from './helpers.js';

const examplesDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples');

describe('connector registry: built-in dialects', () => {
  for (const dialect of ['ers', 'pretups', 'huawei-cbs', 'rest-json']) {
    it(`${dialect} gets its own connector`, async () => {
      const c = await createConnector(makeOperator(dialect, 'http://127.0.0.1:1/'), { credentials: {} });
      assert.equal(c.dialect, dialect);
      assert.equal(typeof c.recharge, 'function');
      assert.equal(typeof c.status, 'function');
    });
  }

  it('tells module paths from dialect names', () => {
    assert.deepEqual(['./a.js', '../b.js', '/c.js', 'ers', 'handlers/x.js'].map(isHandlerPath), [
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('connector registry: the example handler module', () => {
  let server: ScriptedServer;
  const agent = testAgent();
  before(async () => {
    server = await startScriptedServer([
      reply(200, JSON.stringify({ result: 'OK', txn: 'A-1' }), 'application/json'),
      reply(200, JSON.stringify({ result: 'REJECTED', code: 'E12', text: 'bad number' }), 'application/json'),
      hang(),
      reply(404, '{}', 'application/json'),
      reply(200, JSON.stringify({ result: 'PENDING' }), 'application/json'),
      reply(401, '{}', 'application/json'),
    ]);
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  it('loads ./handlers/acme-json.js relative to baseDir and recharges through it', async () => {
    const c = await createConnector(makeOperator('./handlers/acme-json.js', server.url), {
      credentials: { token: 'tok' },
      baseDir: examplesDir,
    });
    assert.equal(c.dialect, 'acme-json');
    const ok = await c.recharge(makeCall(), ctxFor(server.url, agent));
    assert.deepEqual(ok.status === 'succeeded' && ok.operatorTransactionId, 'A-1');
    const seen = server.requests[0]!;
    assert.equal(seen.url.pathname, '/acme/v1/recharges');
    assert.equal(seen.headers.authorization, 'Bearer tok');
    assert.equal(JSON.parse(seen.body).ref, makeCall().reference);
    const rejected = await c.recharge(makeCall(), ctxFor(server.url, agent));
    assert.deepEqual(rejected.status === 'failed' && [rejected.operatorCode, rejected.sent], ['E12', true]);
    const timedOut = await c.recharge(makeCall(), ctxFor(server.url, agent, 150));
    assert.equal(timedOut.status, 'unknown');
    assert.equal((await c.status(makeCall(), ctxFor(server.url, agent))).status, 'not-found');
    assert.equal((await c.status(makeCall(), ctxFor(server.url, agent))).status, 'pending');
    // the guard passes a handler's auth reason through, for doctor
    assert.equal(statusRead(await c.status(makeCall(), ctxFor(server.url, agent))), 'error:auth');
    const refused = `http://127.0.0.1:${await closedPort()}`;
    const notSent = await c.recharge(makeCall(), ctxFor(refused, agent));
    assert.deepEqual(notSent.status === 'failed' && notSent.sent, false);
  });

  it('loads an absolute path too', async () => {
    const c = await createConnector(makeOperator(join(examplesDir, 'handlers/acme-json.js'), server.url), {
      credentials: {},
    });
    assert.equal(c.dialect, 'acme-json');
  });
});

describe('connector registry: broken handler modules', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mnogate-handlers-'));
    writeFileSync(join(dir, 'no-export.mjs'), 'export const nothing = 1;\n');
    writeFileSync(join(dir, 'half.mjs'), 'export function createConnector() { return { recharge() {} }; }\n');
    writeFileSync(join(dir, 'syntax.mjs'), 'export function createConnector( {\n');
    writeFileSync(
      join(dir, 'throws.mjs'),
      [
        'export function createConnector() {',
        '  return {',
        "    async recharge() { throw new Error('boom'); },",
        "    async status() { throw new Error('boom'); },",
        '  };',
        '}',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'nonsense.mjs'),
      [
        'export function createConnector() {',
        '  return {',
        "    async recharge() { return { status: 'great' }; },",
        '    async status() { return 42; },',
        '  };',
        '}',
      ].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [file, what] of [
    ['no-export.mjs', 'no createConnector export'],
    ['half.mjs', 'a connector without status'],
    ['syntax.mjs', 'a syntax error'],
    ['missing.mjs', 'a missing file'],
  ] as const) {
    it(`refuses ${what} with a config error naming the module`, async () => {
      const operator = makeOperator(`./${file}`, 'http://127.0.0.1:1/');
      await assert.rejects(createConnector(operator, { credentials: {}, baseDir: dir }), (err: unknown) => {
        assert.ok(isMnogateError(err, 'MNOGATE_ERR_CONFIG_SCHEMA'), String(err));
        assert.ok(err.message.includes(file), err.message);
        return true;
      });
    });
  }

  it('a handler that throws yields unknown on recharge (it may have sent) and error on status', async () => {
    const agent = testAgent();
    try {
      const c = await createConnector(makeOperator('./throws.mjs', 'http://127.0.0.1:1/'), {
        credentials: {},
        baseDir: dir,
      });
      const ctx = ctxFor('http://127.0.0.1:1/', agent);
      assert.equal((await c.recharge(makeCall(), ctx)).status, 'unknown');
      assert.equal((await c.status(makeCall(), ctx)).status, 'error');
    } finally {
      await agent.close();
    }
  });

  it('a handler that answers nonsense yields unknown / error', async () => {
    const agent = testAgent();
    try {
      const c = await createConnector(makeOperator('./nonsense.mjs', 'http://127.0.0.1:1/'), {
        credentials: {},
        baseDir: dir,
      });
      const ctx = ctxFor('http://127.0.0.1:1/', agent);
      assert.equal((await c.recharge(makeCall(), ctx)).status, 'unknown');
      assert.equal((await c.status(makeCall(), ctx)).status, 'error');
    } finally {
      await agent.close();
    }
  });
});
