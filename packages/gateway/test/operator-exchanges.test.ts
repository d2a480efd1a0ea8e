/**
 * The operator exchanges kept per recharge, through a real gateway and the simulators: every
 * dialect's request and answer is kept, redacted (no credential value, [redacted] in its place),
 * with the operator reference in the request; an ambiguous call keeps its unanswered request and
 * the reconciler's status query; the admin detail serves them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { OperatorExchange } from '../src/store/store.js';
import { DEMO_DIR, eventually, type Harness, numberFor, startHarness } from './harness.js';

/** The operator's demo credentials (examples/demo/secrets/<id>-api). */
function demoSecrets(operatorId: string): string[] {
  const file = join(DEMO_DIR, 'secrets', `${operatorId}-api`);
  return Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>);
}

interface Detail {
  recharge: { id: string; status: string; operatorId: string };
  exchanges: (Omit<OperatorExchange, 'startedAt'> & { startedAt: string })[];
}

describe('operator exchanges', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ requestMs: 500, hangMs: 1_000, settleWindowMs: 500 });
  });
  after(async () => {
    await h?.close();
  });

  async function recharge(msisdn: string): Promise<{ id: string; status: string }> {
    const res = await h.gateway.app.inject({
      method: 'POST',
      url: '/v1/recharges',
      headers: { authorization: `Bearer ${h.keys.client}`, 'idempotency-key': `x-${msisdn}-${Date.now()}` },
      payload: { msisdn, amount: '50', currency: 'AFN' },
    });
    assert.ok([201, 202].includes(res.statusCode), res.body);
    return res.json();
  }

  async function detail(id: string): Promise<Detail> {
    const res = await h.gateway.app.inject({
      method: 'GET',
      url: `/v1/admin/recharges/${id}`,
      headers: { authorization: `Bearer ${h.keys.admin}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  }

  for (const [prefix, operatorId] of [
    ['+9370', 'awcc'],
    ['+9379', 'roshan'],
    ['+9378', 'etisalat'],
    ['+9377', 'mtn'],
  ] as const) {
    it(`${operatorId}: keeps the request and the answer, with the credentials redacted`, async () => {
      const made = await recharge(numberFor(prefix));
      assert.equal(made.status, 'succeeded');
      const d = await detail(made.id);
      const record = await h.gateway.store.getRecharge(made.id);
      assert.equal(d.exchanges.length, 1);
      const [x] = d.exchanges;
      assert.equal(x!.operation, 'recharge');
      assert.equal(x!.sent, true);
      assert.equal(x!.error, null);
      assert.ok(x!.durationMs !== null && x!.durationMs >= 0);
      assert.ok(!Number.isNaN(Date.parse(x!.startedAt)));
      const op = h.config.operators.find((o) => o.id === operatorId)!;
      assert.ok(
        op.api.endpoints.some((e) => x!.request.url.startsWith(e.replace(/\/$/, ''))),
        `${x!.request.url} is one of the operator's endpoints`,
      );
      assert.equal(x!.request.method, 'POST');
      // the operator reference travels in the body (or, for some dialects, the URL)
      assert.ok(
        `${x!.request.url}\n${x!.request.body}`.includes(record!.operatorReference),
        'the request carries the operator reference',
      );
      const status = x!.response?.statusCode ?? 0;
      assert.ok(status >= 200 && status < 300, `answered ${status}`);
      assert.ok((x!.response?.body.length ?? 0) > 0);
      // every dialect sends a credential somewhere: it is kept as [redacted], never as its value
      const text = JSON.stringify(x);
      assert.ok(text.includes('[redacted]'), `${operatorId}: a credential was redacted`);
      for (const value of demoSecrets(operatorId)) {
        if (value.length < 4) continue;
        assert.ok(!text.includes(value), `${operatorId}: the exchange holds ${value.slice(0, 3)}...`);
      }
    });
  }

  it('an ambiguous call keeps its unanswered request, then the status query that settled it', async () => {
    // 911: the operator credits, then never answers
    const made = await recharge(numberFor('+9370', '911'));
    assert.equal(made.status, 'unknown');
    const settled = await eventually(async () => {
      const d = await detail(made.id);
      return d.recharge.status === 'succeeded' ? d : undefined;
    });
    const [sent, ...queries] = settled.exchanges;
    assert.equal(sent!.operation, 'recharge');
    assert.equal(sent!.sent, true, 'the request was written');
    assert.equal(sent!.response, null, 'and never answered');
    assert.ok(sent!.error, 'the transport error is kept');
    assert.ok(queries.length >= 1);
    const last = queries.at(-1)!;
    assert.equal(last.operation, 'status');
    assert.equal(last.response?.statusCode, 200);
    assert.ok(queries.every((q) => q.operation === 'status'));
  });
});
