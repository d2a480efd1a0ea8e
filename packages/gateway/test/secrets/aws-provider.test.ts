/**
 * The `aws` secrets provider against a local server that speaks the Secrets Manager JSON protocol
 * (POST, X-Amz-Target: secretsmanager.GetSecretValue, {SecretId} -> {SecretString}), on 127.0.0.1,
 * with dummy credentials: no AWS, no network beyond loopback.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isMnogateError, type OperatorConfig } from '@mnogate/core';
import { createGateway } from '@mnogate/gateway';
import {
  createAwsSecretsProvider,
  createSecretsProvider,
  resolveOperatorCredentials,
} from '@mnogate/gateway/secrets';
import { loadDemoConfig } from '../harness.js';

const DUMMY = { accessKeyId: 'AKIDTESTTESTTESTTEST', secretAccessKey: 'dummy-secret-access-key' };

interface FakeSecretsManager {
  readonly url: string;
  readonly secrets: Map<string, string>;
  /** Secret ids answered with a 500. */
  readonly failing: Set<string>;
  readonly requests: { target: string; secretId: string; authorization: string }[];
  close(): Promise<void>;
}

async function startFake(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, string>();
  const failing = new Set<string>();
  const requests: FakeSecretsManager['requests'] = [];
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const target = String(req.headers['x-amz-target'] ?? '');
    const { SecretId } = JSON.parse(body || '{}') as { SecretId?: string };
    requests.push({
      target,
      secretId: SecretId ?? '',
      authorization: String(req.headers.authorization ?? ''),
    });
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
      res.statusCode = 400;
      res.end(JSON.stringify({ __type: 'UnknownOperationException', message: target }));
      return;
    }
    if (SecretId !== undefined && failing.has(SecretId)) {
      res.statusCode = 500;
      res.end(JSON.stringify({ __type: 'InternalServiceError', message: 'try again' }));
      return;
    }
    const value = SecretId === undefined ? undefined : secrets.get(SecretId);
    if (value === undefined) {
      res.statusCode = 400;
      res.setHeader('x-amzn-errortype', 'ResourceNotFoundException');
      res.end(
        JSON.stringify({
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        }),
      );
      return;
    }
    res.end(
      JSON.stringify({
        ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${SecretId}-AbCdEf`,
        Name: SecretId,
        SecretString: value,
        VersionId: 'v1',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_700_000_000,
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secrets,
    failing,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('aws secrets provider', () => {
  let fake: FakeSecretsManager;
  before(async () => {
    fake = await startFake();
  });
  after(async () => {
    await fake?.close();
  });

  it('fetches through the JSON protocol, signed with the given credentials', async () => {
    fake.secrets.set('mno/awcc-api', JSON.stringify({ userId: 'u1', password: 'p1' }));
    const provider = createAwsSecretsProvider({
      region: 'eu-west-1',
      endpoint: fake.url,
      refreshMs: 60_000,
      credentials: DUMMY,
    });
    try {
      const before = fake.requests.length;
      assert.equal(await provider.get('mno/awcc-api'), JSON.stringify({ userId: 'u1', password: 'p1' }));
      const req = fake.requests[before]!;
      assert.equal(req.target, 'secretsmanager.GetSecretValue');
      assert.equal(req.secretId, 'mno/awcc-api');
      assert.match(
        req.authorization,
        /^AWS4-HMAC-SHA256 Credential=AKIDTESTTESTTESTTEST\/\d{8}\/eu-west-1\/secretsmanager\//,
      );
    } finally {
      provider.close();
    }
  });

  it('caches: a second get within refreshMs asks nothing; after it, a rotated value is picked up', async () => {
    fake.secrets.set('rotating', 'v1');
    let t = 1_000_000;
    const provider = createAwsSecretsProvider({
      region: 'eu-west-1',
      endpoint: fake.url,
      refreshMs: 30_000,
      credentials: DUMMY,
      now: () => t,
    });
    try {
      const count = () => fake.requests.filter((r) => r.secretId === 'rotating').length;
      assert.equal(await provider.get('rotating'), 'v1');
      assert.equal(count(), 1);
      fake.secrets.set('rotating', 'v2'); // rotated in Secrets Manager
      t += 29_999;
      assert.equal(await provider.get('rotating'), 'v1', 'still cached');
      assert.equal(count(), 1, 'the second get hit no server');
      t += 1;
      assert.equal(await provider.get('rotating'), 'v2', 'refreshed after refreshMs');
      assert.equal(count(), 2);
      await Promise.all([provider.get('rotating'), provider.get('rotating')]);
      assert.equal(count(), 2);
    } finally {
      provider.close();
    }
  });

  it('keeps the last good value when a refresh fails for another reason than not-found', async () => {
    fake.secrets.set('flaky', 'good');
    let t = 0;
    const provider = createAwsSecretsProvider({
      region: 'eu-west-1',
      endpoint: fake.url,
      refreshMs: 10,
      credentials: DUMMY,
      now: () => t,
    });
    try {
      assert.equal(await provider.get('flaky'), 'good');
      fake.failing.add('flaky'); // Secrets Manager answers 500 from now on
      t += 10;
      assert.equal(await provider.get('flaky'), 'good', 'the last good value, not an outage');
      fake.failing.delete('flaky');
      fake.secrets.delete('flaky'); // deleted: that is final
      t += 10;
      await assert.rejects(provider.get('flaky'), (err) => isMnogateError(err, 'MNOGATE_ERR_SECRET_MISSING'));
      fake.failing.add('never-fetched');
      await assert.rejects(provider.get('never-fetched'), (err) =>
        isMnogateError(err, 'MNOGATE_ERR_SECRET_MISSING'),
      );
    } finally {
      provider.close();
    }
  });

  it('a missing secret is MNOGATE_ERR_SECRET_MISSING naming the operator and the reference', async () => {
    const provider = createSecretsProvider(
      { provider: 'aws', region: 'eu-west-1', endpoint: fake.url, refreshMs: 1_000 },
      { baseDir: '/', env: {}, awsCredentials: DUMMY },
    );
    const operator = {
      id: 'awcc',
      api: { credentials: { userId: 'secret:mno/nope#userId', password: 'secret:mno/nope#password' } },
    } as unknown as Pick<OperatorConfig, 'id' | 'api'>;
    await assert.rejects(resolveOperatorCredentials(provider, operator), (err: unknown) => {
      assert.ok(isMnogateError(err, 'MNOGATE_ERR_SECRET_MISSING'));
      assert.match(err.message, /operator 'awcc'/);
      assert.match(err.message, /secret:mno\/nope#userId/);
      assert.equal(err.details?.operatorId, 'awcc');
      assert.equal(err.details?.reference, 'secret:mno/nope#userId');
      return true;
    });
  });
});

describe('a missing secret at gateway start', () => {
  it('refuses to start with MNOGATE_ERR_SECRET_MISSING naming the operator and the reference', async () => {
    const config = loadDemoConfig();
    config.gateway.store = 'sqlite::memory:';
    config.gateway.secrets = { provider: 'env', prefix: 'MNOGATE_SECRET_' };
    await assert.rejects(
      createGateway({ config, baseDir: '/', env: {}, background: false }),
      (err: unknown) => {
        assert.ok(isMnogateError(err, 'MNOGATE_ERR_SECRET_MISSING'), String(err));
        assert.match(err.message, new RegExp(`operator '${config.operators[0]!.id}'`));
        assert.match(err.message, /secret:/);
        assert.ok(String(err.details?.reference).startsWith('secret:'));
        return true;
      },
    );
  });
});
