/**
 * A gateway that fronts one operator (MNOGATE_OPERATOR_ID in the AWS deployment, one gateway per
 * operator subnet): it builds only that operator's runtime and reads only its secrets, serves its
 * API under /operators/<id> as the load balancer's path rule sends it, refuses another operator's
 * number without persisting anything, and reconciles only its own recharges.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isMnogateError } from '@mnogate/core';
import { createGateway } from '@mnogate/gateway';
import { stripPathPrefix } from '../src/api/build-app.js';
import { eventually, type Harness, loadDemoConfig, numberFor, startHarness } from './harness.js';

describe('a gateway that fronts one operator', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      operatorScope: 'mtn',
      requestMs: 500,
      hangMs: 1_000,
      settleWindowMs: 500,
      afterSimulators: (config) => {
        // another operator's secret that does not exist: a scoped gateway never reads it
        const awcc = config.operators.find((o) => o.id === 'awcc')!;
        awcc.api.credentials = {
          userId: 'secret:no-such-secret#userId',
          password: 'secret:no-such-secret#pw',
        };
      },
    });
  });
  after(async () => {
    await h?.close();
  });

  const post = (url: string, msisdn: string, key = `scope-${msisdn}-${Date.now()}`) =>
    h.gateway.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${h.keys.client}`, 'idempotency-key': key },
      payload: { msisdn, amount: '50', currency: 'AFN' },
    });

  it("builds only its operator, so another operator's secrets are never read", () => {
    assert.deepEqual([...h.gateway.operators().keys()], ['mtn']);
  });

  it('serves its API under /operators/<id> and at the root', async () => {
    const prefixed = await post('/operators/mtn/v1/recharges', numberFor('+9377'));
    assert.equal(prefixed.statusCode, 201, prefixed.body);
    assert.equal(prefixed.json().operatorId, 'mtn');
    const plain = await post('/v1/recharges', numberFor('+9377'));
    assert.equal(plain.statusCode, 201, plain.body);
    const read = await h.gateway.app.inject({
      method: 'GET',
      url: `/operators/mtn/v1/recharges/${prefixed.json().id}?x=1`,
      headers: { authorization: `Bearer ${h.keys.client}` },
    });
    assert.equal(read.statusCode, 200, read.body);
    const health = await h.gateway.app.inject({ method: 'GET', url: '/operators/mtn/healthz' });
    assert.equal(health.statusCode, 200);
    // another operator's prefix is not this gateway's
    const elsewhere = await h.gateway.app.inject({ method: 'GET', url: '/operators/awcc/healthz' });
    assert.equal(elsewhere.statusCode, 404);
  });

  it("refuses another operator's number with 421 and where to send it, persisting nothing", async () => {
    const before = (await h.gateway.store.listRecharges({}, 1000)).items.length;
    const sent = h.simulators.counters('awcc').topups;
    const res = await post('/operators/mtn/v1/recharges', numberFor('+9370'));
    assert.equal(res.statusCode, 421, res.body);
    assert.equal(res.json().code, 'MNOGATE_ERR_ROUTE_OTHER_GATEWAY');
    assert.match(res.body, /\/operators\/awcc/);
    assert.equal((await h.gateway.store.listRecharges({}, 1000)).items.length, before);
    assert.equal(h.simulators.counters('awcc').topups, sent);
  });

  it("reconciles only its own operator's recharges", async () => {
    const now = Date.now();
    const mine = await h.gateway.store.listRecharges({ operatorId: 'mtn' }, 1);
    const template = (await h.gateway.store.getRecharge(mine.items[0]!.id))!;
    // an unknown recharge of another operator, due now: as another operator's gateway left it
    const foreignId = `${template.id.slice(0, -4)}ffff`;
    await h.gateway.store.acceptRecharge({
      ...template,
      id: foreignId,
      operatorId: 'awcc',
      operatorReference: `${template.operatorReference.slice(0, -4)}ffff`,
      status: 'accepted',
      leaseOwner: 'elsewhere',
      leaseExpiresAt: now + 600_000,
      createdAt: now,
      updatedAt: now,
    });
    await h.gateway.store.transition({
      id: foreignId,
      from: 'accepted',
      to: 'submitting',
      at: now,
      cause: 'test',
    });
    await h.gateway.store.transition({
      id: foreignId,
      from: 'submitting',
      to: 'unknown',
      at: now,
      cause: 'test',
      patch: { nextAttemptAt: now, leaseOwner: null, leaseExpiresAt: null },
    });
    // and one of its own: an ambiguous mtn recharge, which it settles by status query
    const own = await post('/v1/recharges', numberFor('+9377', '911'));
    assert.equal(own.json().status, 'unknown');
    await eventually(async () => {
      const r = await h.gateway.store.getRecharge(own.json().id);
      return r?.status === 'succeeded' ? true : undefined;
    });
    // meanwhile the foreign one was left alone: never leased, never queried
    const foreign = (await h.gateway.store.getRecharge(foreignId))!;
    assert.equal(foreign.status, 'unknown');
    assert.equal(foreign.reconcileAttempts, 0);
    assert.equal(foreign.needsAdmin, false);
  });
});

describe('operator scope, refused and unit', () => {
  it('a scope naming no operator of the configuration is refused before anything starts', async () => {
    const config = loadDemoConfig();
    config.gateway.store = 'sqlite::memory:';
    await assert.rejects(
      createGateway({ config, baseDir: '.', env: {}, background: false, operatorScope: 'nope' }),
      (err) =>
        isMnogateError(err) &&
        err.code === 'MNOGATE_ERR_CONFIG_UNKNOWN_OPERATOR' &&
        /"nope"/.test(err.message),
    );
  });

  it('stripPathPrefix strips whole path segments only', () => {
    const p = '/operators/mtn';
    assert.equal(stripPathPrefix('/operators/mtn/v1/recharges', p), '/v1/recharges');
    assert.equal(stripPathPrefix('/operators/mtn', p), '/');
    assert.equal(stripPathPrefix('/operators/mtn?a=1', p), '/?a=1');
    assert.equal(stripPathPrefix('/operators/mtn-gh/v1/recharges', p), '/operators/mtn-gh/v1/recharges');
    assert.equal(stripPathPrefix('/v1/recharges', p), '/v1/recharges');
  });
});
