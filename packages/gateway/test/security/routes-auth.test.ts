/**
 * Every route in the OpenAPI document answers 401 without a key and 403 with a key that lacks its
 * scope, except the health checks, the documentation and the console's static files.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateApiKey } from '@mnogate/gateway';
import type { ApiScope } from '../../src/store/store.js';
import { type Harness, startHarness } from '../harness.js';

const PUBLIC = [/^\/healthz$/, /^\/readyz$/, /^\/openapi\.json$/, /^\/docs(\/|$)/, /^\/console(\/|$)/];

describe('every route needs a key with its scope', () => {
  let h: Harness;
  const keys: { scopes: ApiScope[]; key: string }[] = [];
  before(async () => {
    h = await startHarness({ background: false });
    for (const scopes of [['metrics'], ['recharge:read'], ['recharge:write']] as ApiScope[][]) {
      const { key, record } = generateApiKey({ clientId: `only-${scopes[0]}`, name: 'x', scopes });
      await h.gateway.store.createApiKey(record);
      keys.push({ scopes, key });
    }
  });
  after(async () => {
    await h?.close();
  });

  it('401 without a key, 403 with the wrong scope, on every route of the OpenAPI document', async () => {
    const doc = (await h.gateway.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { security?: unknown; 'x-scopes'?: ApiScope[] }>>;
    };
    const checked: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (PUBLIC.some((p) => p.test(path))) continue;
      for (const [method, op] of Object.entries(ops)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const name = `${method.toUpperCase()} ${path}`;
        const scopes = op['x-scopes'];
        assert.ok(scopes && scopes.length > 0, `${name} declares no scope: it would be public`);
        const url = path.replace(/\{[^}]+\}/g, 'x');
        const payload = method === 'get' || method === 'delete' ? undefined : {};
        const none = await h.gateway.app.inject({ method: method.toUpperCase() as 'GET', url, payload });
        assert.equal(none.statusCode, 401, `${name} without a key: ${none.body}`);
        assert.equal(none.json().code, 'MNOGATE_ERR_AUTH_MISSING', name);
        const bogus = await h.gateway.app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          payload,
          headers: { authorization: 'Bearer mng_not_a_key' },
        });
        assert.equal(bogus.statusCode, 401, `${name} with an unknown key`);
        const wrong = keys.find((k) => !k.scopes.some((s) => scopes.includes(s)));
        assert.ok(wrong, `a key without ${scopes.join(' or ')}`);
        const res = await h.gateway.app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          payload,
          headers: { authorization: `Bearer ${wrong.key}` },
        });
        assert.equal(res.statusCode, 403, `${name} with scope ${wrong.scopes}: ${res.body}`);
        assert.equal(res.json().code, 'MNOGATE_ERR_AUTH_SCOPE', name);
        checked.push(name);
      }
    }
    for (const must of [
      'POST /v1/recharges',
      'GET /v1/recharges/{id}',
      'GET /v1/admin/audit',
      'POST /v1/admin/audit/verify',
      'GET /metrics',
    ]) {
      assert.ok(checked.includes(must), `${must} is in the OpenAPI document and was checked`);
    }
  });

  it('the health checks and the documentation need no key', async () => {
    for (const url of ['/healthz', '/readyz', '/openapi.json', '/docs/']) {
      const res = await h.gateway.app.inject({ method: 'GET', url });
      assert.ok(res.statusCode < 400, `${url}: ${res.statusCode}`);
    }
  });
});
