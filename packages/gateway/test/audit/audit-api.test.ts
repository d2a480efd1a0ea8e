/** GET /v1/admin/audit and POST /v1/admin/audit/verify against a real gateway and simulators. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, numberFor, startHarness } from '../harness.js';

describe('audit API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });

  it("a recharge's every state change is in the trail, filtered by subject, and the chain verifies", async () => {
    const res = await h.gateway.app.inject({
      method: 'POST',
      url: '/v1/recharges',
      headers: { ...auth(h.keys.client), 'idempotency-key': `audit-${Date.now()}` },
      payload: { msisdn: numberFor('+9377'), amount: '50', currency: 'AFN' },
    });
    assert.equal(res.statusCode, 201);
    const id = res.json().id as string;
    const page = await h.gateway.app.inject({
      method: 'GET',
      url: `/v1/admin/audit?subject=${id}`,
      headers: auth(h.keys.admin),
    });
    assert.equal(page.statusCode, 200);
    const items = page.json().items as {
      seq: number;
      actor: string;
      action: string;
      detail: { to: string };
    }[];
    assert.deepEqual(
      items.map((e) => [e.actor, e.action, e.detail.to]),
      [
        ['submit', 'recharge.transition', 'succeeded'],
        ['submit', 'recharge.transition', 'submitting'],
        ['client:fintech-a', 'recharge.accept', 'accepted'],
      ],
    );
    assert.ok(items[0]!.seq > items[1]!.seq, 'newest first');

    const keys = await h.gateway.app.inject({
      method: 'GET',
      url: '/v1/admin/audit?action=apikey.create&limit=2',
      headers: auth(h.keys.admin),
    });
    assert.equal(keys.json().items.length, 2);
    assert.ok(keys.json().nextCursor);
    const rest = await h.gateway.app.inject({
      method: 'GET',
      url: `/v1/admin/audit?action=apikey.create&limit=2&cursor=${keys.json().nextCursor}`,
      headers: auth(h.keys.admin),
    });
    assert.equal(rest.json().items.length, 1, 'the harness made three keys');
    assert.equal(rest.json().nextCursor, null);

    const bad = await h.gateway.app.inject({
      method: 'GET',
      url: '/v1/admin/audit?from=yesterday',
      headers: auth(h.keys.admin),
    });
    assert.equal(bad.json().code, 'MNOGATE_ERR_REQUEST_INVALID');

    const verify = await h.gateway.app.inject({
      method: 'POST',
      url: '/v1/admin/audit/verify',
      headers: auth(h.keys.admin),
    });
    assert.equal(verify.statusCode, 200);
    assert.equal(verify.json().ok, true);
    assert.ok(verify.json().checked >= 6);
  });

  it('needs the admin scope', async () => {
    for (const [method, url] of [
      ['GET', '/v1/admin/audit'],
      ['POST', '/v1/admin/audit/verify'],
    ] as const) {
      const none = await h.gateway.app.inject({ method, url });
      assert.equal(none.statusCode, 401);
      const reader = await h.gateway.app.inject({ method, url, headers: auth(h.keys.reader) });
      assert.equal(reader.statusCode, 403);
      assert.equal(reader.json().code, 'MNOGATE_ERR_AUTH_SCOPE');
    }
  });
});
