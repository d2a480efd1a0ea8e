import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMnogateError, type OperatorConfig } from '@mnogate/core';
import {
  createEnvSecretsProvider,
  createFileSecretsProvider,
  createSecretsProvider,
  envVarName,
  parseSecretRef,
  resolveOperatorCredentials,
  resolveSecretRef,
} from '@mnogate/gateway/secrets';

const DEMO_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/demo');

function op(id: string, credentials: OperatorConfig['api']['credentials']) {
  return { id, api: { credentials } } as unknown as Pick<OperatorConfig, 'id' | 'api'>;
}

async function rejectsWith(p: Promise<unknown>, code: string, mustNotContain?: string) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isMnogateError(err), `expected a MnogateError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (mustNotContain) {
      assert.ok(!err.message.includes(mustNotContain), 'the message must not carry the secret value');
      assert.ok(!JSON.stringify(err.details).includes(mustNotContain), 'details must not carry the value');
    }
    return true;
  });
}

describe('secret references', () => {
  it('parses secret:<name>[#field]', () => {
    assert.deepEqual(parseSecretRef('secret:mno/awcc-api#password'), {
      name: 'mno/awcc-api',
      field: 'password',
    });
    assert.deepEqual(parseSecretRef('secret:mtn-api'), { name: 'mtn-api', field: undefined });
    assert.equal(parseSecretRef('hunter2'), undefined);
    assert.equal(parseSecretRef('secret:'), undefined);
  });
});

describe('env secrets provider', () => {
  it('maps a name to an upper-case env var under the prefix', async () => {
    assert.equal(envVarName('mno/awcc/api'), 'MNOGATE_SECRET_MNO_AWCC_API');
    const p = createEnvSecretsProvider({ env: { MNOGATE_SECRET_MNO_AWCC_API: 'v1', X_AWCC: 'v2' } });
    assert.equal(await p.get('mno/awcc/api'), 'v1');
    const q = createEnvSecretsProvider({ env: { X_AWCC: 'v2' }, prefix: 'X_' });
    assert.equal(await q.get('awcc'), 'v2');
  });

  it('rejects a missing variable with MNOGATE_ERR_SECRET_MISSING', async () => {
    const p = createEnvSecretsProvider({ env: {} });
    await rejectsWith(p.get('nope'), 'MNOGATE_ERR_SECRET_MISSING');
  });

  it('takes #field from a JSON value', async () => {
    const p = createEnvSecretsProvider({ env: { MNOGATE_SECRET_API: '{"user":"u","pin":1234}' } });
    assert.equal(await resolveSecretRef(p, 'secret:api#user'), 'u');
    assert.equal(await resolveSecretRef(p, 'secret:api#pin'), '1234');
    assert.equal(await resolveSecretRef(p, 'secret:api'), '{"user":"u","pin":1234}');
  });
});

describe('file secrets provider', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mnogate-secrets-'));
    await writeFile(join(dir, 'plain'), 'sup3r-s3cret\n');
    await writeFile(join(dir, 'notjson'), 'sup3r-s3cret');
    await writeFile(join(dir, 'obj'), '{ "a": "1", "nested": { "k": "v" } }');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads <dir>/<name> and drops one trailing newline', async () => {
    const p = createFileSecretsProvider({ dir });
    assert.equal(await p.get('plain'), 'sup3r-s3cret');
  });

  it('rejects a missing file and a name that leaves the directory', async () => {
    const p = createFileSecretsProvider({ dir });
    await rejectsWith(p.get('absent'), 'MNOGATE_ERR_SECRET_MISSING');
    await rejectsWith(p.get('../etc/passwd'), 'MNOGATE_ERR_SECRET_REFERENCE');
    await rejectsWith(p.get('/etc/passwd'), 'MNOGATE_ERR_SECRET_REFERENCE');
  });

  it('never puts the value in an error when #field cannot be taken', async () => {
    const p = createFileSecretsProvider({ dir });
    await rejectsWith(resolveSecretRef(p, 'secret:notjson#x'), 'MNOGATE_ERR_SECRET_REFERENCE', 'sup3r');
    await rejectsWith(resolveSecretRef(p, 'secret:obj#missing'), 'MNOGATE_ERR_SECRET_MISSING');
  });

  it('resolves relative dirs against the config directory', async () => {
    const p = createSecretsProvider({ provider: 'file', dir: './secrets' }, { baseDir: DEMO_DIR, env: {} });
    assert.equal(await resolveSecretRef(p, 'secret:awcc-api#userId'), 'mnogate-demo-user');
  });
});

describe('operator credentials', () => {
  const demo = createFileSecretsProvider({ dir: join(DEMO_DIR, 'secrets') });

  it('resolves a map of field references', async () => {
    const creds = await resolveOperatorCredentials(
      demo,
      op('roshan', {
        login: 'secret:roshan-api#login',
        password: 'secret:roshan-api#password',
        pin: 'secret:roshan-api#pin',
      }),
    );
    assert.deepEqual(creds, { login: 'mnogate', password: 'demo-pretups-Pa55', pin: '4321' });
  });

  it('resolves a bare reference to the whole JSON object', async () => {
    assert.deepEqual(await resolveOperatorCredentials(demo, op('mtn', 'secret:mtn-api')), {
      apiKey: 'demo-rest-key-0123456789',
    });
  });

  it('names the operator and the reference, never the value', async () => {
    await assert.rejects(
      resolveOperatorCredentials(demo, op('awcc', { password: 'secret:awcc-api#nope' })),
      (err) => {
        assert.ok(isMnogateError(err, 'MNOGATE_ERR_SECRET_MISSING'));
        assert.equal(err.details?.operatorId, 'awcc');
        assert.equal(err.details?.reference, 'secret:awcc-api#nope');
        assert.ok(err.message.includes('awcc') && err.message.includes('secret:awcc-api#nope'));
        assert.ok(!err.message.includes('demo-ers-Pa55'));
        return true;
      },
    );
    await assert.rejects(
      resolveOperatorCredentials(demo, op('awcc', { password: 'literal-Pa55' })),
      (err) => isMnogateError(err, 'MNOGATE_ERR_SECRET_REFERENCE') && !err.message.includes('literal-Pa55'),
    );
  });
});
