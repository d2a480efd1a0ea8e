import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as soap from 'soap';
import { createSimulators, type Simulators } from '../src/index.js';
import { DIGIT_FAULTS, FAST, FAULT_EFFECTS, type Seen, sleep, testConfig } from './helpers.js';

const CREDS = { userId: 'ers-user', password: 'ers-Pa55' };
const config = testConfig([
  {
    id: 'awcc',
    dialect: 'ers',
    host: '127.0.1.21',
    path: '/topupservice/service',
    prefixes: ['+9370', '+9371'],
  },
]);

interface ErsReturn {
  ersReference?: string;
  resultCode: number | string;
  resultDescription?: string;
  topupAmount?: { currency: string; value: string | number };
  topupPrincipal?: { principalId: { id: string; type: string } };
}

describe('ers simulator, driven by the soap package from the served WSDL', () => {
  let sims: Simulators;
  let client: soap.Client;

  before(async () => {
    sims = createSimulators(config, { credentials: { awcc: CREDS }, ...FAST });
    const started = await sims.start();
    client = await soap.createClientAsync(`${started.operators[0]!.url}?wsdl`);
  });
  after(() => sims.stop());
  beforeEach(() => sims.reset());

  const context = (reference: string, password = CREDS.password) => ({
    channel: 'WSClient',
    clientId: 'mnogate-test',
    clientReference: reference,
    clientRequestTimeout: 500,
    initiatorPrincipalId: { id: 'DIST-0001', type: 'RESELLERUSER', userId: CREDS.userId },
    password,
  });
  const topupArgs = (reference: string, msisdn: string, value = '100.00', password?: string) => ({
    context: context(reference, password),
    senderPrincipalId: { id: 'DIST-0001', type: 'RESELLERUSER', userId: CREDS.userId },
    topupPrincipalId: { id: msisdn, type: 'SUBSCRIBERMSISDN' },
    senderAccountSpecifier: { accountId: 'DIST-0001', accountTypeId: 'RESELLER' },
    topupAccountSpecifier: { accountId: msisdn, accountTypeId: 'AIRTIME' },
    productId: 'TOPUP',
    amount: { currency: 'AFN', value },
  });
  const requestTopup = async (args: unknown): Promise<ErsReturn> =>
    ((await client.requestTopupAsync(args, { timeout: FAST.clientTimeoutMs }))[0] as { return: ErsReturn })
      .return;
  const status = async (reference: string): Promise<ErsReturn> =>
    (
      (
        await client.getTransactionStatusAsync(
          { context: context(reference) },
          { timeout: FAST.clientTimeoutMs },
        )
      )[0] as {
        return: ErsReturn;
      }
    ).return;

  async function seen(p: Promise<ErsReturn>): Promise<Seen> {
    try {
      return { kind: 'answer', code: String((await p).resultCode) };
    } catch (err) {
      const e = err as { code?: string; response?: { status: number } };
      if (e.response?.status === 500) return { kind: 'http-500' };
      if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT') return { kind: 'timeout' };
      if (e.code === 'ECONNRESET') return { kind: 'reset' };
      throw err;
    }
  }

  it('serves a WSDL the soap package builds both operations from', () => {
    const ops = Object.keys(client.describe().ERSWSTopupService.ERSWSTopupServicePort);
    assert.deepEqual(ops.sort(), ['getTransactionStatus', 'requestTopup']);
  });

  it('credits on requestTopup (code 0) and getTransactionStatus finds it by clientReference', async () => {
    const floatBefore = sims.ledger.floatMinor('awcc');
    const r = await requestTopup(topupArgs('ers-ok-1', '93701234567', '250.5'));
    assert.equal(String(r.resultCode), '0');
    assert.equal(r.resultDescription, 'SUCCESS');
    assert.ok(r.ersReference);
    assert.equal(Number(r.topupAmount?.value), 250.5);
    assert.equal(r.topupPrincipal?.principalId.id, '+93701234567');
    assert.equal(sims.ledger.balanceMinor('awcc', '+93701234567'), 25050);
    assert.equal(sims.ledger.floatMinor('awcc'), floatBefore - 25050);
    const s = await status('ers-ok-1');
    assert.equal(String(s.resultCode), '0');
    assert.equal(s.ersReference, r.ersReference);
    assert.equal(String((await status('never-sent')).resultCode), '933');
  });

  it('answers 2016 to a reused clientReference and credits once', async () => {
    const first = await requestTopup(topupArgs('ers-dup', '0701234568'));
    const again = await requestTopup(topupArgs('ers-dup', '0701234568'));
    assert.equal(String(again.resultCode), '2016');
    assert.equal(again.ersReference, first.ersReference);
    assert.equal(sims.ledger.balanceMinor('awcc', '+93701234568'), 10000);
  });

  it('answers 20 to wrong credentials, for top-ups and status queries, and logs nothing', async () => {
    const r = await requestTopup(topupArgs('ers-auth', '93701234569', '100', 'wrong'));
    assert.equal(String(r.resultCode), '20');
    assert.equal(sims.ledger.find('awcc', 'ers-auth'), undefined);
    const [s] = await client.getTransactionStatusAsync({ context: context('ers-auth', 'wrong') });
    assert.equal(String((s as { return: ErsReturn }).return.resultCode), '20');
    assert.equal(sims.counters('awcc').authFailures, 2);
  });

  it('answers 32 to a number of another operator and 11 to a bad amount', async () => {
    assert.equal(String((await requestTopup(topupArgs('ers-bad-1', '93791234567'))).resultCode), '32');
    assert.equal(String((await requestTopup(topupArgs('ers-bad-2', '93701234567', '0'))).resultCode), '11');
    assert.equal(sims.ledger.balanceMinor('awcc', '+93701234567'), undefined);
    assert.equal(String((await status('ers-bad-1')).resultCode), '32');
  });

  const expectedCode: Record<string, string> = {
    none: '0',
    reject: '10',
    'reject-subscriber': '40',
    'reject-credit': '104',
    busy: '93',
    pending: '1',
    ambiguous: '105',
    'slow-status': '0',
    slow: '0',
  };

  for (const [digits, fault] of DIGIT_FAULTS) {
    it(`last digits ${digits}: ${fault}`, async () => {
      const msisdn = `93701230${digits}`;
      const ref = `ers-fault-${digits}`;
      const s = await seen(requestTopup(topupArgs(ref, msisdn)));
      const effect = FAULT_EFFECTS[fault];
      assert.equal(s.kind, effect.seen);
      if (s.kind === 'answer') assert.equal(s.code, expectedCode[fault]);
      const t = sims.ledger.find('awcc', ref);
      assert.equal(t !== undefined, effect.logged);
      assert.equal(sims.ledger.balanceMinor('awcc', `+${msisdn}`) ?? 0, effect.credited ? 10000 : 0);

      const t0 = Date.now();
      const st = String((await status(ref)).resultCode);
      if (!effect.logged) assert.equal(st, '933');
      else if (fault === 'pending') assert.equal(st, '1');
      else assert.equal(st, effect.credited ? '0' : expectedCode[fault]);
      if (fault === 'slow-status') assert.ok(Date.now() - t0 >= FAST.slowStatusMs - 20);
      if (fault === 'pending') {
        await sleep(FAST.pendingMs + 50);
        assert.equal(String((await status(ref)).resultCode), '0');
      }
    });
  }

  it('answers 93 to status queries while the operator is busy', async () => {
    await requestTopup(topupArgs('ers-sb', '93701239000'));
    await sims.setFaults('awcc', { status: 'busy' });
    assert.equal(String((await status('ers-sb')).resultCode), '93');
  });
});
