/** API keys: rate limit per key, rotation (two active keys), revocation that takes effect at once. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateApiKey } from '@mnogate/gateway';
import { type Harness, startHarness } from '../harness.js';

describe('api keys', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ background: false });
  });
  after(async () => {
    await h?.close();
  });
  const get = (key: string, url = '/v1/operators') =>
    h.gateway.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

  it('a key over its rate (default 100/s, bursts of 200) gets 429 with Retry-After; other keys do not', async () => {
    const { key, record } = generateApiKey({ clientId: 'greedy', name: 'greedy', scopes: ['recharge:read'] });
    await h.gateway.store.createApiKey(record);
    const codes: number[] = [];
    let limited: Awaited<ReturnType<typeof get>> | undefined;
    for (let i = 0; i < 400 && !limited; i++) {
      const res = await get(key);
      codes.push(res.statusCode);
      if (res.statusCode === 429) limited = res;
    }
    assert.ok(limited, 'limited within 400 requests');
    assert.ok(codes.filter((c) => c === 200).length >= 200, 'the burst passed');
    assert.equal(limited.json().code, 'MNOGATE_ERR_AUTH_RATE_LIMITED');
    assert.match(String(limited.headers['retry-after']), /^[1-9]\d*$/);
    assert.equal((await get(h.keys.reader)).statusCode, 200, 'another key is not limited');
    await new Promise((r) => setTimeout(r, 1_100));
    assert.equal((await get(key)).statusCode, 200, 'tokens come back at the sustained rate');
  });

  it('rotation: a client holds two active keys at once, then the old one is revoked', async () => {
    const old = generateApiKey({ clientId: 'rotating', name: 'v1', scopes: ['recharge:read'] });
    const next = generateApiKey({ clientId: 'rotating', name: 'v2', scopes: ['recharge:read'] });
    await h.gateway.store.createApiKey(old.record);
    assert.equal((await get(old.key)).statusCode, 200);
    await h.gateway.store.createApiKey(next.record);
    assert.equal((await get(old.key)).statusCode, 200, 'both work during the switch');
    assert.equal((await get(next.key)).statusCode, 200);
    // the old key is cached by auth now; revoking it through the store drops it at once
    assert.equal(await h.gateway.store.revokeApiKey(old.record.id, Date.now(), 'admin:ops'), true);
    const refused = await get(old.key);
    assert.equal(refused.statusCode, 401, 'revoked: refused immediately, not after the cache time');
    assert.equal(refused.json().code, 'MNOGATE_ERR_AUTH_INVALID');
    assert.equal((await get(next.key)).statusCode, 200, 'the new key keeps working');
    const audit = await h.gateway.store.listAudit({ subject: old.record.id }, 10);
    assert.deepEqual(
      audit.items.map((e) => [e.action, e.actor]),
      [
        ['apikey.revoke', 'admin:ops'],
        ['apikey.create', 'system'],
      ],
    );
  });
});
