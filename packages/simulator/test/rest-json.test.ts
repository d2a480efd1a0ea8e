import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createSimulators, type Simulators } from '../src/index.js';
import { DIGIT_FAULTS, FAST, FAULT_EFFECTS, type Seen, sleep, testConfig } from './helpers.js';

const KEY = 'rest-key-0123';
const config = testConfig([
  { id: 'mtn', dialect: 'rest-json', host: '127.0.1.24', path: '', prefixes: ['+9377', '+9376'] },
]);

describe('rest-json simulator, driven by fetch', () => {
  let sims: Simulators;
  let base: string;
  let control: string;

  before(async () => {
    sims = createSimulators(config, { credentials: { mtn: { apiKey: KEY } }, ...FAST });
    const started = await sims.start();
    base = started.operators[0]!.url.replace(/\/$/, '');
    control = started.controlUrl;
  });
  after(() => sims.stop());
  beforeEach(() => sims.reset());

  const post = (body: Record<string, unknown>, key = KEY, timeoutMs = FAST.clientTimeoutMs) =>
    fetch(`${base}/topups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  const getStatus = (externalId: string, timeoutMs = FAST.clientTimeoutMs) =>
    fetch(`${base}/topups?externalId=${encodeURIComponent(externalId)}`, {
      headers: { authorization: `Bearer ${KEY}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  const topup = (externalId: string, msisdn: string, amount: number | string = 100) =>
    ({ externalId, msisdn, amount, currency: 'AFN', productId: 'airtime' }) as const;

  async function seen(p: Promise<Response>): Promise<Seen & { body?: Record<string, unknown> }> {
    try {
      const res = await p;
      if (res.status === 500) return { kind: 'http-500' };
      const body = (await res.json()) as Record<string, unknown>;
      const code = (body.status as string) ?? (body.error as { code: string }).code;
      return { kind: 'answer', code, body };
    } catch (err) {
      return (err as Error).name === 'TimeoutError' ? { kind: 'timeout' } : { kind: 'reset' };
    }
  }

  it('credits a subscriber, debits the float, and reports SUCCESSFUL', async () => {
    const floatBefore = sims.ledger.floatMinor('mtn');
    const res = await post(topup('ok-1', '+93771234567', '150.50'));
    assert.equal(res.status, 201);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.status, 'SUCCESSFUL');
    assert.equal(body.externalId, 'ok-1');
    assert.equal(typeof body.transactionId, 'string');
    assert.equal(sims.ledger.balanceMinor('mtn', '+93771234567'), 15050);
    assert.equal(sims.ledger.floatMinor('mtn'), floatBefore - 15050);
    const status = (await (await getStatus('ok-1')).json()) as Record<string, unknown>;
    assert.equal(status.status, 'SUCCESSFUL');
    assert.equal(status.transactionId, body.transactionId);
    // national format of the same subscriber adds to the same balance
    assert.equal((await post(topup('ok-2', '0771234567', 10))).status, 201);
    assert.equal(sims.ledger.balanceMinor('mtn', '+93771234567'), 16050);
  });

  it('never credits a reused externalId twice: same body replays, another body is 409', async () => {
    const first = (await (await post(topup('dup-1', '+93771000001'))).json()) as Record<string, unknown>;
    const again = await post(topup('dup-1', '+93771000001'));
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as Record<string, unknown>).transactionId, first.transactionId);
    const other = await post(topup('dup-1', '+93771000001', 200));
    assert.equal(other.status, 409);
    assert.equal(((await other.json()) as { error: { code: string } }).error.code, 'DUPLICATE_EXTERNAL_ID');
    assert.equal(sims.ledger.balanceMinor('mtn', '+93771000001'), 10000);
    assert.equal(sims.counters('mtn').duplicates, 2);
  });

  it('refuses a wrong API key with 401 and logs nothing', async () => {
    const res = await post(topup('auth-1', '+93771000002'), 'wrong');
    assert.equal(res.status, 401);
    assert.equal(sims.ledger.find('mtn', 'auth-1'), undefined);
    assert.equal(sims.counters('mtn').authFailures, 1);
    assert.equal((await getStatus('auth-1')).status, 404);
  });

  it('refuses a number of another operator and a bad amount, without credit', async () => {
    const a = (await (await post(topup('bad-1', '+93701234567'))).json()) as Record<string, unknown>;
    assert.equal(a.status, 'FAILED');
    assert.equal(a.errorCode, 'INVALID_MSISDN');
    const b = (await (await post(topup('bad-2', '+93771234568', '1.234'))).json()) as Record<string, unknown>;
    assert.equal(b.errorCode, 'INVALID_AMOUNT');
    const c = (await (await post({ ...topup('bad-3', '+93771234568'), currency: 'USD' })).json()) as Record<
      string,
      unknown
    >;
    assert.equal(c.errorCode, 'INVALID_AMOUNT');
    assert.equal(sims.ledger.balanceMinor('mtn', '+93771234568'), undefined);
    const missing = await post({ msisdn: '+93771234568' });
    assert.equal(missing.status, 400);
  });

  const expectedCode: Record<string, string> = {
    none: 'SUCCESSFUL',
    reject: 'FAILED',
    'reject-subscriber': 'FAILED',
    'reject-credit': 'FAILED',
    busy: 'SYSTEM_BUSY',
    pending: 'PROCESSING',
    ambiguous: 'PROCESSING',
    'slow-status': 'SUCCESSFUL',
    slow: 'SUCCESSFUL',
  };

  for (const [digits, fault] of DIGIT_FAULTS) {
    it(`last digits ${digits}: ${fault}`, async () => {
      const msisdn = `+9377123${digits.padStart(4, '0')}`;
      const ref = `fault-${digits}`;
      const started = Date.now();
      const s = await seen(post(topup(ref, msisdn)));
      const effect = FAULT_EFFECTS[fault];
      assert.equal(s.kind, effect.seen);
      if (s.kind === 'answer') assert.equal(s.code, expectedCode[fault]);
      if (fault === 'slow') assert.ok(Date.now() - started >= FAST.slowMs - 20);
      const t = sims.ledger.find('mtn', ref);
      assert.equal(t !== undefined, effect.logged);
      assert.equal(t?.credited ?? false, effect.credited);
      assert.equal(sims.ledger.balanceMinor('mtn', msisdn) ?? 0, effect.credited ? 10000 : 0);
      assert.equal(sims.counters('mtn').faults[fault], 1);

      const t0 = Date.now();
      const status = await getStatus(ref);
      if (!effect.logged) assert.equal(status.status, 404);
      else {
        const body = (await status.json()) as Record<string, unknown>;
        const expected = fault === 'pending' ? 'PROCESSING' : effect.credited ? 'SUCCESSFUL' : 'FAILED';
        assert.equal(body.status, expected);
      }
      if (fault === 'slow-status') assert.ok(Date.now() - t0 >= FAST.slowStatusMs - 20);
      if (fault === 'pending') {
        await sleep(FAST.pendingMs + 50);
        assert.equal(((await (await getStatus(ref)).json()) as Record<string, unknown>).status, 'SUCCESSFUL');
      }
    });
  }

  it('applies operator faults set through the control API, and clears them', async () => {
    const put = (body: unknown, method = 'PUT') =>
      fetch(`${control}/faults/mtn`, { method, body: JSON.stringify(body) });
    assert.equal((await put({ topup: 'busy' })).status, 200);
    assert.equal((await post(topup('op-1', '+93771200001'))).status, 503);
    assert.equal((await put({ topup: 'nonsense' })).status, 400);
    await fetch(`${control}/faults/mtn`, { method: 'DELETE' });
    assert.equal((await post(topup('op-2', '+93771200001'))).status, 201);

    await put({ status: 'http-500' });
    assert.equal((await getStatus('op-2')).status, 500);
    await put({ status: 'none', statusDelayMs: 250 });
    let t0 = Date.now();
    assert.equal((await getStatus('op-2')).status, 200);
    assert.ok(Date.now() - t0 >= 230);

    await put({ latency: { distribution: 'fixed', minMs: 250, maxMs: 250 } });
    t0 = Date.now();
    assert.equal((await post(topup('op-3', '+93771200001'))).status, 201);
    assert.ok(Date.now() - t0 >= 230);
  });

  it('goes down (connections refused) and comes back on the same port', async () => {
    await fetch(`${control}/faults/mtn`, { method: 'POST', body: JSON.stringify({ down: true }) });
    await assert.rejects(post(topup('down-1', '+93771200002')), (err: Error) => {
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
      return true;
    });
    await fetch(`${control}/faults/mtn`, { method: 'POST', body: JSON.stringify({ down: false }) });
    assert.equal((await post(topup('down-2', '+93771200002'))).status, 201);
    assert.equal(sims.ledger.find('mtn', 'down-1'), undefined);
  });

  it('serves the ledger and counters as JSON and resets them', async () => {
    await post(topup('c-1', '+93771200003'));
    const ledger = (await (await fetch(`${control}/ledger/mtn`)).json()) as {
      subscribers: Record<string, number>;
      transactions: { reference: string }[];
    };
    assert.equal(ledger.subscribers['+93771200003'], 10000);
    assert.deepEqual(
      ledger.transactions.map((t) => t.reference),
      ['c-1'],
    );
    const all = (await (await fetch(`${control}/ledger`)).json()) as { operators: { operatorId: string }[] };
    assert.deepEqual(
      all.operators.map((o) => o.operatorId),
      ['mtn'],
    );
    const counters = (await (await fetch(`${control}/counters`)).json()) as Record<
      string,
      { topups: number }
    >;
    assert.equal(counters.mtn?.topups, 1);
    const one = (await (await fetch(`${control}/operators/mtn`)).json()) as {
      counters: { credited: number };
    };
    assert.equal(one.counters.credited, 1);
    assert.equal((await fetch(`${control}/reset`, { method: 'POST' })).status, 200);
    assert.equal(sims.ledger.transactions('mtn').length, 0);
    assert.equal(sims.counters('mtn').topups, 0);
    assert.equal((await fetch(`${control}/ledger/nope`)).status, 404);
  });
});
