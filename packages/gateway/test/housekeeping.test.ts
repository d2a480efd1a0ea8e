/** Expired idempotency keys and operator exchanges past retention are deleted in the background; live ones stay. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, type Harness, numberFor, startHarness } from './harness.js';

describe('housekeeping', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      housekeepingIntervalMs: 100,
      edit: (config) => {
        config.gateway.exchanges = { record: true, maxBodyBytes: 16_384, retentionDays: 1 };
      },
    });
  });
  after(async () => {
    await h?.close();
  });

  it('deletes expired idempotency keys and keeps live ones', async () => {
    const body = { msisdn: numberFor('+9377'), amount: '10', currency: 'AFN' };
    const post = (key: string) =>
      h.gateway.app.inject({
        method: 'POST',
        url: '/v1/recharges',
        headers: { authorization: `Bearer ${h.keys.client}`, 'idempotency-key': key },
        payload: body,
      });
    const live = await post('still-live');
    assert.equal(live.statusCode, 201);
    // a key whose retention has passed: claimed directly with an expiry in the past
    const at = Date.now();
    const record = (await h.gateway.store.getRecharge(live.json().id))!;
    const expired = await h.gateway.store.acceptRecharge(
      {
        ...record,
        id: `${record.id.slice(0, -2)}zz`,
        operatorReference: `${record.operatorReference.slice(0, -2)}zz`,
        status: 'accepted',
        createdAt: at - 10_000,
        updatedAt: at - 10_000,
      },
      { clientId: record.clientId, key: 'long-gone', bodyHash: 'x', expiresAt: at - 1 },
    );
    assert.equal(expired.kind, 'created');
    // the loop runs every 100 ms: it deletes the expired key itself, and says so
    await eventually(async () =>
      /"purged":1\b[^\n]*expired idempotency keys deleted/.test(h.logs()) ? true : undefined,
    );
    assert.equal(await h.gateway.store.purgeIdempotencyKeys(Date.now()), 0, 'nothing expired was left');
    const replay = await post('still-live');
    assert.equal(replay.headers['idempotent-replayed'], 'true', 'the live key is still there');
  });

  it('deletes operator exchanges past their retention and keeps recent ones', async () => {
    const made = await h.gateway.app.inject({
      method: 'POST',
      url: '/v1/recharges',
      headers: { authorization: `Bearer ${h.keys.client}`, 'idempotency-key': 'exchange-retention' },
      payload: { msisdn: numberFor('+9377'), amount: '10', currency: 'AFN' },
    });
    assert.equal(made.statusCode, 201);
    const id = made.json().id as string;
    const recent = await h.gateway.store.getExchanges(id);
    assert.equal(recent.length, 1, 'the recharge call was kept');
    // an exchange two days old (retention is one day), kept with a bookkeeping update
    const old = { ...recent[0]!, startedAt: Date.now() - 2 * 86_400_000 };
    assert.ok(await h.gateway.store.updateRecharge(id, 'succeeded', {}, Date.now(), [old]));
    assert.equal((await h.gateway.store.getExchanges(id)).length, 2);
    await eventually(async () => (/old operator exchanges deleted/.test(h.logs()) ? true : undefined));
    assert.deepEqual(await h.gateway.store.getExchanges(id), recent);
  });
});
