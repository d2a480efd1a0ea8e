/** The HTTP API against a real gateway and simulators: idempotency, bad input, catalogue, lists, admin. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, type Harness, numberFor, startHarness } from './harness.js';

describe('recharge API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  const auth = (key = h.keys.client) => ({ authorization: `Bearer ${key}` });

  async function stateCounts() {
    const page = await h.gateway.store.listRecharges({}, 1000);
    const ledger = Object.fromEntries(
      h.config.operators.map((o) => [o.id, h.simulators.ledger.transactions(o.id).length]),
    );
    return { recharges: page.items.length, ledger };
  }

  describe('idempotency', () => {
    it('50 parallel POSTs with one key credit the operator exactly once', async () => {
      const msisdn = numberFor('+9377');
      const body = { msisdn, amount: '50', currency: 'AFN' };
      const key = `parallel-${Date.now()}`;
      const responses = await Promise.all(
        Array.from({ length: 50 }, () =>
          h.gateway.app.inject({
            method: 'POST',
            url: '/v1/recharges',
            headers: { ...auth(), 'idempotency-key': key },
            payload: body,
          }),
        ),
      );
      const codes = responses.map((r) => r.statusCode);
      assert.equal(codes.filter((c) => c === 201).length, 1, `codes: ${codes.join(',')}`);
      assert.ok(
        codes.every((c) => c === 201 || c === 409),
        `only 201 and 409 (in flight): ${codes.join(',')}`,
      );
      for (const r of responses.filter((x) => x.statusCode === 409)) {
        assert.equal(r.json().code, 'MNOGATE_ERR_IDEMPOTENCY_IN_FLIGHT');
      }
      const mine = h.simulators.ledger.transactions('mtn').filter((t) => t.msisdn.endsWith(msisdn.slice(-9)));
      assert.equal(mine.length, 1, 'the operator saw one top-up');
      assert.equal(h.simulators.ledger.balanceMinor('mtn', mine[0]!.msisdn), 5_000);
    });

    it('a replay returns the identical body; another body with the same key is refused', async () => {
      const key = `replay-${Date.now()}`;
      const body = { msisdn: numberFor('+9370'), amount: '25.50', currency: 'AFN', reference: 'order-42' };
      const first = await h.gateway.app.inject({
        method: 'POST',
        url: '/v1/recharges',
        headers: { ...auth(), 'idempotency-key': key },
        payload: body,
      });
      assert.equal(first.statusCode, 201);
      assert.equal(first.json().status, 'succeeded');
      assert.equal(first.json().amount, '25.50');
      // same body, other key order: the same request
      const reordered = { currency: 'AFN', reference: 'order-42', amount: '25.50', msisdn: body.msisdn };
      const replay = await h.gateway.app.inject({
        method: 'POST',
        url: '/v1/recharges',
        headers: { ...auth(), 'idempotency-key': key },
        payload: reordered,
      });
      assert.equal(replay.statusCode, 201);
      assert.equal(replay.body, first.body, 'byte-identical body');
      assert.equal(replay.headers['idempotent-replayed'], 'true');
      const other = await h.gateway.app.inject({
        method: 'POST',
        url: '/v1/recharges',
        headers: { ...auth(), 'idempotency-key': key },
        payload: { ...body, amount: '30' },
      });
      assert.equal(other.statusCode, 422);
      assert.equal(other.json().code, 'MNOGATE_ERR_IDEMPOTENCY_BODY_MISMATCH');
      // keys are per client: another client may use the same key for its own recharge
      const { generateApiKey } = await import('@mnogate/gateway');
      const { key: otherClient, record } = generateApiKey({
        clientId: 'fintech-b',
        name: 'fintech-b',
        scopes: ['recharge:write'],
      });
      await h.gateway.store.createApiKey(record);
      const b = await h.gateway.app.inject({
        method: 'POST',
        url: '/v1/recharges',
        headers: { ...auth(otherClient), 'idempotency-key': key },
        payload: { ...body, amount: '30' },
      });
      assert.equal(b.statusCode, 201);
      assert.notEqual(b.json().id, first.json().id);
    });
  });

  describe('bad input gets a 4xx problem+json with a code and changes nothing', () => {
    const valid = () => ({ msisdn: numberFor('+9370'), amount: '100', currency: 'AFN' });
    const cases: {
      name: string;
      status: number;
      code: string;
      payload?: unknown;
      raw?: string;
      contentType?: string;
      headers?: Record<string, string>;
    }[] = [
      {
        name: 'missing msisdn',
        status: 400,
        code: 'MNOGATE_ERR_REQUEST_INVALID',
        payload: { amount: '100', currency: 'AFN' },
      },
      {
        name: 'missing amount',
        status: 400,
        code: 'MNOGATE_ERR_REQUEST_INVALID',
        payload: { msisdn: '+93701234567', currency: 'AFN' },
      },
      {
        name: 'numeric amount',
        status: 400,
        code: 'MNOGATE_ERR_REQUEST_INVALID',
        payload: { msisdn: '+93701234567', amount: 100, currency: 'AFN' },
      },
      {
        name: 'garbage amount',
        status: 400,
        code: 'MNOGATE_ERR_REQUEST_INVALID',
        payload: { msisdn: '+93701234567', amount: '1e5', currency: 'AFN' },
      },
      {
        name: 'unknown field',
        status: 400,
        code: 'MNOGATE_ERR_REQUEST_INVALID',
        payload: { ...{ msisdn: '+93701234567', amount: '100', currency: 'AFN' }, tip: '5' },
      },
      {
        name: 'garbage msisdn',
        status: 400,
        code: 'MNOGATE_ERR_MSISDN_INVALID',
        payload: { msisdn: 'call me maybe', amount: '100', currency: 'AFN' },
      },
      {
        name: 'unknown currency',
        status: 400,
        code: 'MNOGATE_ERR_MONEY_CURRENCY',
        payload: { msisdn: '+93701234567', amount: '100', currency: 'ZZZ' },
      },
      {
        name: "another operator's currency",
        status: 422,
        code: 'MNOGATE_ERR_MONEY_CURRENCY_MISMATCH',
        payload: { msisdn: '+93701234567', amount: '100', currency: 'USD' },
      },
      {
        name: 'too many decimals',
        status: 400,
        code: 'MNOGATE_ERR_MONEY_PRECISION',
        payload: { msisdn: '+93701234567', amount: '10.001', currency: 'AFN' },
      },
      {
        name: 'amount outside the products',
        status: 422,
        code: 'MNOGATE_ERR_PRODUCT_AMOUNT',
        payload: { msisdn: '+93701234567', amount: '5', currency: 'AFN' },
      },
      {
        name: 'unknown product',
        status: 422,
        code: 'MNOGATE_ERR_PRODUCT_UNKNOWN',
        payload: { msisdn: '+93701234567', amount: '100', currency: 'AFN', productId: 'gold' },
      },
      {
        name: 'unroutable number',
        status: 422,
        code: 'MNOGATE_ERR_ROUTE_NO_OPERATOR',
        payload: { msisdn: '+93751234567', amount: '100', currency: 'AFN' },
      },
      {
        name: 'unknown operator',
        status: 422,
        code: 'MNOGATE_ERR_ROUTE_UNKNOWN_OPERATOR',
        payload: { msisdn: '+93701234567', amount: '100', currency: 'AFN', operatorId: 'nope' },
      },
      {
        name: 'oversized body',
        status: 413,
        code: 'MNOGATE_ERR_REQUEST_TOO_LARGE',
        payload: { msisdn: '+93701234567', amount: '100', currency: 'AFN', reference: 'x'.repeat(40_000) },
      },
      {
        name: 'wrong content type',
        status: 415,
        code: 'MNOGATE_ERR_REQUEST_CONTENT_TYPE',
        raw: 'msisdn=+93701234567&amount=100',
        contentType: 'application/x-www-form-urlencoded',
      },
      {
        name: 'malformed JSON',
        status: 400,
        code: 'MNOGATE_ERR_REQUEST_MALFORMED_JSON',
        raw: '{"msisdn": "+93701234567", "amount": ',
        contentType: 'application/json',
      },
      {
        name: 'empty body',
        status: 400,
        code: 'MNOGATE_ERR_REQUEST_MALFORMED_JSON',
        raw: '',
        contentType: 'application/json',
      },
      { name: 'a JSON array', status: 400, code: 'MNOGATE_ERR_REQUEST_INVALID', payload: [1, 2, 3] },
      {
        name: 'missing Idempotency-Key',
        status: 400,
        code: 'MNOGATE_ERR_IDEMPOTENCY_KEY_MISSING',
        payload: valid(),
        headers: { 'idempotency-key': '' },
      },
      {
        name: 'no API key',
        status: 401,
        code: 'MNOGATE_ERR_AUTH_MISSING',
        payload: valid(),
        headers: { authorization: '' },
      },
      {
        name: 'a wrong API key',
        status: 401,
        code: 'MNOGATE_ERR_AUTH_INVALID',
        payload: valid(),
        headers: { authorization: 'Bearer mng_nope' },
      },
    ];

    for (const c of cases) {
      it(c.name, async () => {
        const before = await stateCounts();
        const headers: Record<string, string> = {
          ...auth(),
          'idempotency-key': `bad-${Math.random()}`,
          ...(c.headers ?? {}),
        };
        for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
        if (c.contentType) headers['content-type'] = c.contentType;
        const res = await h.gateway.app.inject({
          method: 'POST',
          url: '/v1/recharges',
          headers,
          ...(c.raw !== undefined ? { payload: c.raw } : { payload: c.payload as object }),
        });
        assert.equal(res.statusCode, c.status, res.body);
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
        const problem = res.json();
        assert.equal(problem.code, c.code, res.body);
        assert.equal(problem.status, c.status);
        assert.deepEqual(await stateCounts(), before, 'no state changed');
      });
    }

    it('an unknown route is a problem+json 404', async () => {
      const res = await h.gateway.app.inject({ method: 'GET', url: '/v1/nothing', headers: auth() });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, 'MNOGATE_ERR_REQUEST_NOT_FOUND');
    });
  });

  describe('catalogue', () => {
    it('looks a number up: its operator and products', async () => {
      const res = await h.gateway.app.inject({
        method: 'POST',
        url: '/v1/lookups',
        headers: auth(),
        payload: { msisdn: '0791234567' },
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.msisdn, '+93791234567');
      assert.equal(body.operator.id, 'roshan');
      assert.deepEqual(
        body.products.map((p: { id: string }) => p.id),
        ['airtime'],
      );
    });

    it('lists operators and their products', async () => {
      const ops = await h.gateway.app.inject({ method: 'GET', url: '/v1/operators', headers: auth() });
      assert.deepEqual(
        ops.json().items.map((o: { id: string }) => o.id),
        ['awcc', 'roshan', 'etisalat', 'mtn'],
      );
      const products = await h.gateway.app.inject({
        method: 'GET',
        url: '/v1/operators/etisalat/products',
        headers: auth(),
      });
      assert.deepEqual(products.json().items[1].denominations, ['50', '100', '200']);
      const missing = await h.gateway.app.inject({
        method: 'GET',
        url: '/v1/operators/ghost/products',
        headers: auth(),
      });
      assert.equal(missing.statusCode, 404);
    });
  });

  describe('reading recharges', () => {
    it('lists with filters and cursor pages, and hides other clients', async () => {
      const msisdn = numberFor('+9379');
      for (let i = 0; i < 5; i++) {
        const r = await h.gateway.app.inject({
          method: 'POST',
          url: '/v1/recharges',
          headers: { ...auth(), 'idempotency-key': `list-${msisdn}-${i}` },
          payload: { msisdn, amount: String(10 + i), currency: 'AFN' },
        });
        assert.equal(r.statusCode, 201);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const q: string = `/v1/recharges?msisdn=${encodeURIComponent(msisdn)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await h.gateway.app.inject({ method: 'GET', url: q, headers: auth() });
        assert.equal(page.statusCode, 200, page.body);
        const body = page.json();
        seen.push(...body.items.map((x: { amount: string }) => x.amount));
        cursor = body.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, ['14.00', '13.00', '12.00', '11.00', '10.00'], 'newest first, each once');
      const filtered = await h.gateway.app.inject({
        method: 'GET',
        url: `/v1/recharges?status=failed&operatorId=roshan`,
        headers: auth(),
      });
      assert.ok(filtered.json().items.every((x: { status: string }) => x.status === 'failed'));
      const bad = await h.gateway.app.inject({
        method: 'GET',
        url: '/v1/recharges?cursor=garbage!',
        headers: auth(),
      });
      assert.equal(bad.json().code, 'MNOGATE_ERR_REQUEST_CURSOR');

      // the auditor's key belongs to another client: it sees none of fintech-a's recharges
      const other = await h.gateway.app.inject({
        method: 'GET',
        url: `/v1/recharges?msisdn=${encodeURIComponent(msisdn)}`,
        headers: auth(h.keys.reader),
      });
      assert.deepEqual(other.json().items, []);
      const id = (
        await h.gateway.app.inject({
          method: 'GET',
          url: `/v1/recharges?msisdn=${encodeURIComponent(msisdn)}`,
          headers: auth(),
        })
      ).json().items[0].id;
      const hidden = await h.gateway.app.inject({
        method: 'GET',
        url: `/v1/recharges/${id}`,
        headers: auth(h.keys.reader),
      });
      assert.equal(hidden.statusCode, 404);
      const scope = await h.gateway.app.inject({
        method: 'POST',
        url: '/v1/recharges',
        headers: { ...auth(h.keys.reader), 'idempotency-key': 'x' },
        payload: { msisdn, amount: '10', currency: 'AFN' },
      });
      assert.equal(scope.statusCode, 403);
      assert.equal(scope.json().code, 'MNOGATE_ERR_AUTH_SCOPE');
    });
  });

  describe('the unresolved queue', () => {
    it('an admin settles an unknown recharge with a reason, and it is final', async () => {
      // an operator whose status query never answers keeps a recharge unknown
      await h.simulators.setFaults('etisalat', { status: 'busy' });
      try {
        const msisdn = numberFor('+9378', '911');
        const created = await h.gateway.app.inject({
          method: 'POST',
          url: '/v1/recharges',
          headers: { ...auth(), 'idempotency-key': `unresolved-${msisdn}` },
          payload: { msisdn, amount: '100', currency: 'AFN' },
        });
        const id = created.json().id as string;
        await eventually(async () =>
          (await h.gateway.store.getRecharge(id))?.status === 'unknown' ? true : undefined,
        );
        // the reconciler gives up after maxAttempts; make that now
        await h.gateway.store.updateRecharge(
          id,
          'unknown',
          { needsAdmin: true, nextAttemptAt: null },
          Date.now(),
        );
        const queue = await h.gateway.app.inject({
          method: 'GET',
          url: '/v1/admin/unresolved',
          headers: auth(h.keys.admin),
        });
        assert.equal(queue.statusCode, 200);
        assert.ok(queue.json().items.some((x: { recharge: { id: string } }) => x.recharge.id === id));
        const forbidden = await h.gateway.app.inject({
          method: 'GET',
          url: '/v1/admin/unresolved',
          headers: auth(),
        });
        assert.equal(forbidden.statusCode, 403);
        const noReason = await h.gateway.app.inject({
          method: 'POST',
          url: `/v1/admin/recharges/${id}/resolve`,
          headers: auth(h.keys.admin),
          payload: { status: 'succeeded' },
        });
        assert.equal(noReason.statusCode, 400);
        const resolved = await h.gateway.app.inject({
          method: 'POST',
          url: `/v1/admin/recharges/${id}/resolve`,
          headers: auth(h.keys.admin),
          payload: { status: 'succeeded', reason: 'operator NOC confirmed the credit by phone' },
        });
        assert.equal(resolved.statusCode, 200, resolved.body);
        assert.equal(resolved.json().status, 'succeeded');
        const history = await h.gateway.store.getHistory(id);
        const last = history.at(-1)!;
        assert.equal(last.cause, 'admin:ops');
        assert.equal(last.detail?.reason, 'operator NOC confirmed the credit by phone');
        const again = await h.gateway.app.inject({
          method: 'POST',
          url: `/v1/admin/recharges/${id}/resolve`,
          headers: auth(h.keys.admin),
          payload: { status: 'failed', reason: 'second thoughts' },
        });
        assert.equal(again.statusCode, 409);
        assert.equal(again.json().code, 'MNOGATE_ERR_RECHARGE_NOT_UNRESOLVED');
      } finally {
        await h.simulators.setFaults('etisalat', { status: 'none' });
      }
    });
  });

  describe('health and documentation', () => {
    it('serves /healthz, /readyz, /openapi.json and /docs without a key', async () => {
      for (const url of ['/healthz', '/readyz', '/openapi.json', '/docs']) {
        const res = await h.gateway.app.inject({ method: 'GET', url });
        assert.ok(res.statusCode === 200 || res.statusCode === 302, `${url}: ${res.statusCode}`);
      }
      const doc = (await h.gateway.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      assert.equal(doc.openapi, '3.1.0');
      assert.ok(doc.paths['/v1/recharges'].post);
    });
  });
});
