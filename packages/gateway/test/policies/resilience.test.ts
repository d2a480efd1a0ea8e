/**
 * Operator policies and endpoint failover against the real simulators' faults: operator down, one
 * endpoint down, an endpoint that swallows the request, a slow operator, a busy one, a burst.
 * Every test also checks that nothing was sent twice.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { eventually, type Harness, numberFor, startHarness } from '../harness.js';

async function freePort(host: string): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, host, r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('operator policies and failover', () => {
  let h: Harness;
  let deadEndpoint: string;
  let swallowing: Server;
  const swallowed: Socket[] = [];
  let swallowEndpoint: string;

  before(async () => {
    deadEndpoint = `http://127.0.1.99:${await freePort('127.0.1.99')}/topups`;
    swallowing = createServer((socket) => {
      swallowed.push(socket);
      socket.on('data', () => {}); // reads the request, never answers
    });
    await new Promise<void>((r) => swallowing.listen(0, '127.0.1.98', r));
    swallowEndpoint = `http://127.0.1.98:${(swallowing.address() as { port: number }).port}`;
    h = await startHarness({
      settleWindowMs: 1_000,
      requestMs: 800,
      edit(config) {
        for (const op of config.operators) {
          op.limits = {
            ...op.limits,
            circuit: { failureThreshold: 3, cooldownMs: 600 },
            probeIntervalMs: 200,
          };
        }
        const roshan = config.operators.find((o) => o.id === 'roshan')!;
        roshan.limits = { ...roshan.limits, concurrency: 2 };
        const etisalat = config.operators.find((o) => o.id === 'etisalat')!;
        etisalat.limits = { ...etisalat.limits, ratePerSecond: 2, burst: 2 };
      },
      afterSimulators(config) {
        // awcc: a dead first endpoint (nothing listens); mtn: a first endpoint that swallows requests
        const awcc = config.operators.find((o) => o.id === 'awcc')!;
        awcc.api.endpoints = [
          deadEndpoint.replace('/topups', '/topupservice/service'),
          ...awcc.api.endpoints,
        ];
        const mtn = config.operators.find((o) => o.id === 'mtn')!;
        mtn.api.endpoints = [swallowEndpoint, ...mtn.api.endpoints];
      },
    });
  });
  after(async () => {
    for (const s of swallowed) s.destroy();
    swallowing?.close();
    await h?.close();
  });
  afterEach(async () => {
    for (const op of h.config.operators) await h.simulators.setFaults(op.id, {}, { replace: true });
  });

  const post = (msisdn: string, extra: Record<string, unknown> = {}) =>
    h.gateway.app.inject({
      method: 'POST',
      url: '/v1/recharges',
      headers: { authorization: `Bearer ${h.keys.client}`, 'idempotency-key': `k-${Math.random()}` },
      payload: { msisdn, amount: '100', currency: 'AFN', ...extra },
    });
  const health = async (id: string) => {
    const res = await h.gateway.app.inject({
      method: 'GET',
      url: '/v1/admin/operators/health',
      headers: { authorization: `Bearer ${h.keys.admin}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().operators.find((o: { id: string }) => o.id === id);
  };
  const noDuplicates = () => {
    for (const op of h.config.operators)
      assert.equal(h.simulators.counters(op.id).duplicates, 0, `${op.id} saw a reference twice`);
  };

  it('fails over from an endpoint that refuses connections, and marks it down', async () => {
    const msisdn = numberFor('+9370');
    const res = await post(msisdn);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().status, 'succeeded');
    assert.equal(
      h.simulators.ledger.transactions('awcc').filter((t) => t.msisdn.endsWith(msisdn.slice(-9))).length,
      1,
    );
    const awcc = await eventually(async () => {
      const op = await health('awcc');
      return op.endpoints[0].up === false ? op : undefined;
    });
    assert.equal(awcc.endpoints[1].up, true);
    assert.equal(awcc.status, 'degraded');
    noDuplicates();
  });

  it('never fails over once the request may have been written: it waits for the status query', async () => {
    const msisdn = numberFor('+9377');
    const before = h.simulators.counters('mtn').topups;
    const res = await post(msisdn);
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().status, 'unknown');
    assert.equal(h.simulators.counters('mtn').topups, before, 'the second endpoint never saw it');
    // the swallowing endpoint goes away: status queries move to the healthy endpoint, which never saw it
    for (const s of swallowed) s.destroy();
    await new Promise<void>((r) => swallowing.close(() => r()));
    const id = res.json().id;
    const final = await eventually(async () => {
      const r = await h.gateway.store.getRecharge(id);
      return r?.status === 'failed' ? r : undefined;
    }, 20_000);
    assert.equal(final.failure?.code, 'MNOGATE_ERR_OPERATOR_NOT_FOUND');
    assert.equal(h.simulators.counters('mtn').topups, before, 'still never sent twice');
    noDuplicates();
  });

  it('opens the circuit when the operator is down, refuses fast without sending, and closes when it is back', async () => {
    await h.simulators.setFaults('etisalat', { down: true });
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await post(numberFor('+9378'));
      codes.push(r.json().failure?.code);
      await new Promise((res) => setTimeout(res, 500)); // stay under the rate limit
    }
    assert.deepEqual(codes, Array(3).fill('MNOGATE_ERR_OPERATOR_CONNECT'));
    assert.equal((await health('etisalat')).circuit, 'open');
    const started = Date.now();
    const refused = await post(numberFor('+9378'));
    assert.equal(refused.json().failure.code, 'MNOGATE_ERR_POLICY_CIRCUIT_OPEN');
    // refused without waiting on the operator: well within one request timeout (800 ms), whatever the machine's load
    assert.ok(Date.now() - started < 800, 'refused at once');
    assert.equal(h.simulators.counters('etisalat').topups, 0);
    await h.simulators.setFaults('etisalat', { down: false });
    await new Promise((res) => setTimeout(res, 700)); // the cooldown passes: one probe call goes through
    const back = await post(numberFor('+9378'));
    assert.equal(back.json().status, 'succeeded', back.body);
    assert.equal((await health('etisalat')).circuit, 'closed');
    noDuplicates();
  });

  it('opens the circuit on a busy operator (HTTP 503), and reconciles what it sent', async () => {
    const sent: string[] = [];
    await h.simulators.setFaults('mtn', { topup: 'busy' });
    // mtn's first endpoint is gone after the previous test; wait for the probe to say so
    await eventually(async () => ((await health('mtn')).endpoints[0].up === false ? true : undefined));
    for (let i = 0; i < 3; i++) sent.push((await post(numberFor('+9377'))).json().id);
    assert.equal((await health('mtn')).circuit, 'open');
    const refused = await post(numberFor('+9377'));
    assert.equal(refused.json().failure.code, 'MNOGATE_ERR_POLICY_CIRCUIT_OPEN');
    for (const id of sent) {
      const r = await eventually(async () => {
        const x = await h.gateway.store.getRecharge(id);
        return x?.status === 'failed' ? x : undefined;
      }, 20_000);
      assert.equal(h.simulators.ledger.find('mtn', r.operatorReference)?.credited ?? false, false);
    }
    noDuplicates();
  });

  it('refuses beyond the bulkhead while a slow operator holds its calls, sending nothing for them', async () => {
    await h.simulators.setFaults('roshan', { latency: { distribution: 'fixed', minMs: 500, maxMs: 500 } });
    const before = h.simulators.counters('roshan').topups;
    const results = await Promise.all(Array.from({ length: 5 }, () => post(numberFor('+9379'))));
    const outcomes = results.map((r) => (r.json().status === 'succeeded' ? 'ok' : r.json().failure?.code));
    assert.equal(outcomes.filter((o) => o === 'ok').length, 2, outcomes.join(','));
    assert.equal(
      outcomes.filter((o) => o === 'MNOGATE_ERR_POLICY_BULKHEAD_FULL').length,
      3,
      outcomes.join(','),
    );
    assert.equal(h.simulators.counters('roshan').topups - before, 2, 'only the admitted calls were sent');
    noDuplicates();
  });

  it('keeps under the rate limit: a burst beyond it is refused before sending', async () => {
    await new Promise((res) => setTimeout(res, 1_100)); // refill etisalat's bucket
    const before = h.simulators.counters('etisalat').topups;
    const results = await Promise.all(Array.from({ length: 5 }, () => post(numberFor('+9378'))));
    const codes = results.map((r) => (r.json().status === 'succeeded' ? 'ok' : r.json().failure?.code));
    assert.equal(codes.filter((c) => c === 'ok').length, 2, codes.join(','));
    assert.equal(codes.filter((c) => c === 'MNOGATE_ERR_POLICY_RATE_LIMITED').length, 3, codes.join(','));
    assert.equal(h.simulators.counters('etisalat').topups - before, 2);
    noDuplicates();
  });
});
