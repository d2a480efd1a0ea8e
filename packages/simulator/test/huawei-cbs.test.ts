import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as soap from 'soap';
import { createSimulators, type Simulators } from '../src/index.js';
import { DIGIT_FAULTS, FAST, FAULT_EFFECTS, type Seen, seededRandom, testConfig } from './helpers.js';

const CREDS = { loginSystemCode: 'MNOGATE', password: 'cbs-Pa55' };
const config = testConfig([
  {
    id: 'etisalat',
    dialect: 'huawei-cbs',
    host: '127.0.1.23',
    path: '/services/ArServices',
    prefixes: ['+9378', '+9373'],
  },
]);

interface ResultMsg {
  ResultHeader: { Version?: string; ResultCode: string | number; ResultDesc?: string };
  RechargeResult?: {
    RechargeSerialNo: string;
    BalanceChgInfo?: Array<{ OldBalanceAmt: number | string; NewBalanceAmt: number | string }>;
  };
  QueryRechargeLogResult?: {
    TotalRowNum: number | string;
    RechargeInfo?:
      | Array<{ RechargeSerialNo: string; RechargeAmount: number | string; ResultCode: string }>
      | {
          RechargeSerialNo: string;
          RechargeAmount: number | string;
          ResultCode: string;
        };
  };
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);

describe('huawei-cbs simulator, driven by the soap package from the served WSDL', () => {
  let sims: Simulators;
  let client: soap.Client;
  const rawResponses: string[] = [];

  before(async () => {
    sims = createSimulators(config, { credentials: { etisalat: CREDS }, random: seededRandom(11), ...FAST });
    const started = await sims.start();
    client = await soap.createClientAsync(`${started.operators[0]!.url}?wsdl`);
    client.on('response', (body: string) => rawResponses.push(body));
  });
  after(() => sims.stop());
  beforeEach(() => sims.reset());

  const header = (password = CREDS.password) => ({
    Version: '1',
    BusinessCode: 'Recharge',
    MessageSeq: `seq-${Date.now()}`,
    OwnershipInfo: { BEID: '101' },
    AccessSecurity: { LoginSystemCode: CREDS.loginSystemCode, Password: password },
    OperatorInfo: { OperatorID: 'mnogate' },
  });
  const rechargeArgs = (serial: string, msisdn: string, amountMinor = 10000, password?: string) => ({
    RequestHeader: header(password),
    RechargeRequest: {
      RechargeSerialNo: serial,
      RechargeType: '1',
      RechargeChannelID: '52',
      RechargeObj: { SubAccessCode: { PrimaryIdentity: msisdn } },
      RechargeInfo: { CashPayment: { PaymentMethod: '1001', Amount: amountMinor } },
      CurrencyID: 'AFN',
    },
  });
  const recharge = async (args: unknown): Promise<ResultMsg> =>
    (await client.RechargeAsync(args, { timeout: FAST.clientTimeoutMs }))[0] as ResultMsg;
  const queryLog = async (
    msisdn: string,
    extTransId?: string,
    window?: [number, number],
  ): Promise<ResultMsg> => {
    const now = Date.now();
    const [from, to] = window ?? [now - 3_600_000, now + 60_000];
    const args = {
      RequestHeader: header(),
      QueryRechargeLogRequest: {
        QueryObj: { SubAccessCode: { PrimaryIdentity: msisdn } },
        StartTime: stamp(from),
        EndTime: stamp(to),
        ...(extTransId ? { ExtTransID: extTransId } : {}),
      },
    };
    return (await client.QueryRechargeLogAsync(args, { timeout: FAST.clientTimeoutMs }))[0] as ResultMsg;
  };
  const rows = (r: ResultMsg) => {
    const info = r.QueryRechargeLogResult?.RechargeInfo;
    return info === undefined ? [] : Array.isArray(info) ? info : [info];
  };

  async function seen(p: Promise<ResultMsg>): Promise<Seen> {
    try {
      return { kind: 'answer', code: String((await p).ResultHeader.ResultCode) };
    } catch (err) {
      const e = err as { code?: string; response?: { status: number } };
      if (e.response?.status === 500) return { kind: 'http-500' };
      if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT') return { kind: 'timeout' };
      if (e.code === 'ECONNRESET') return { kind: 'reset' };
      throw err;
    }
  }

  it('serves a WSDL the soap package builds Recharge and QueryRechargeLog from', () => {
    const ops = Object.keys(client.describe().ArServices.ArServicesPort);
    assert.deepEqual(ops.sort(), ['QueryRechargeLog', 'Recharge']);
  });

  it('credits on Recharge (ResultCode 0) with the balance change, and lists it in the recharge log', async () => {
    const floatBefore = sims.ledger.floatMinor('etisalat');
    const first = await recharge(rechargeArgs('cbs-ok-1', '93781234567', 5000));
    assert.equal(String(first.ResultHeader.ResultCode), '0');
    assert.equal(first.RechargeResult?.RechargeSerialNo, 'cbs-ok-1');
    assert.equal(Number(first.RechargeResult?.BalanceChgInfo?.[0]?.OldBalanceAmt), 0);
    assert.equal(Number(first.RechargeResult?.BalanceChgInfo?.[0]?.NewBalanceAmt), 5000);
    const second = await recharge(rechargeArgs('cbs-ok-2', '0781234567', 2500));
    assert.equal(Number(second.RechargeResult?.BalanceChgInfo?.[0]?.NewBalanceAmt), 7500);
    assert.equal(sims.ledger.balanceMinor('etisalat', '+93781234567'), 7500);
    assert.equal(sims.ledger.floatMinor('etisalat'), floatBefore - 7500);

    const log = await queryLog('93781234567');
    assert.equal(String(log.ResultHeader.ResultCode), '0');
    assert.deepEqual(
      rows(log).map((r) => [r.RechargeSerialNo, Number(r.RechargeAmount), String(r.ResultCode)]),
      [
        ['cbs-ok-1', 5000, '0'],
        ['cbs-ok-2', 2500, '0'],
      ],
    );
    assert.deepEqual(
      rows(await queryLog('93781234567', 'cbs-ok-2')).map((r) => r.RechargeSerialNo),
      ['cbs-ok-2'],
    );
    const longAgo = Date.now() - 30 * 86_400_000;
    assert.equal(rows(await queryLog('93781234567', undefined, [longAgo, longAgo + 3_600_000])).length, 0);
  });

  it('answers the duplicate code to a reused RechargeSerialNo and credits once', async () => {
    await recharge(rechargeArgs('cbs-dup', '93781234568'));
    const again = await recharge(rechargeArgs('cbs-dup', '93781234568'));
    assert.equal(String(again.ResultHeader.ResultCode), '102010106');
    assert.equal(sims.ledger.balanceMinor('etisalat', '+93781234568'), 10000);
  });

  it('refuses wrong AccessSecurity, for recharges and log queries', async () => {
    const r = await recharge(rechargeArgs('cbs-auth', '93781234569', 100, 'wrong'));
    assert.equal(String(r.ResultHeader.ResultCode), '102010107');
    assert.equal(sims.ledger.find('etisalat', 'cbs-auth'), undefined);
    const [q] = await client.QueryRechargeLogAsync({
      RequestHeader: header('wrong'),
      QueryRechargeLogRequest: { QueryObj: { SubAccessCode: { PrimaryIdentity: '93781234569' } } },
    });
    assert.equal(String((q as ResultMsg).ResultHeader.ResultCode), '102010107');
    assert.equal(sims.counters('etisalat').authFailures, 2);
  });

  it('refuses a number of another operator and a non-integer amount', async () => {
    assert.equal(
      String((await recharge(rechargeArgs('cbs-bad-1', '93701234567'))).ResultHeader.ResultCode),
      '102010101',
    );
    const bad = rechargeArgs('cbs-bad-2', '93781234567');
    (bad.RechargeRequest.RechargeInfo.CashPayment as { Amount: unknown }).Amount = '12.5';
    assert.equal(String((await recharge(bad)).ResultHeader.ResultCode), '102010105');
    assert.equal(sims.ledger.balanceMinor('etisalat', '+93781234567'), undefined);
  });

  const expectedCode: Record<string, string> = {
    none: '0',
    reject: '102010103',
    'reject-subscriber': '102010102',
    'reject-credit': '102010104',
    busy: '102010108',
    pending: '0',
    ambiguous: '0',
    'slow-status': '0',
    slow: '0',
  };

  for (const [digits, fault] of DIGIT_FAULTS) {
    it(`last digits ${digits}: ${fault}`, async () => {
      const msisdn = `93781230${digits}`;
      const ref = `cbs-fault-${digits}`;
      const s = await seen(recharge(rechargeArgs(ref, msisdn)));
      const effect = FAULT_EFFECTS[fault];
      assert.equal(s.kind, effect.seen);
      if (s.kind === 'answer') assert.equal(s.code, expectedCode[fault]);
      assert.equal(sims.ledger.find('etisalat', ref) !== undefined, effect.logged);
      assert.equal(sims.ledger.balanceMinor('etisalat', `+${msisdn}`) ?? 0, effect.credited ? 10000 : 0);

      const t0 = Date.now();
      const found = rows(await queryLog(msisdn, ref));
      assert.equal(found.length, effect.logged ? 1 : 0);
      if (effect.logged)
        assert.equal(String(found[0]!.ResultCode), effect.credited ? '0' : expectedCode[fault]);
      if (fault === 'slow-status') assert.ok(Date.now() - t0 >= FAST.slowStatusMs - 20);
    });
  }

  it('has answered with both the prefixed and the unprefixed ResultHeader', () => {
    assert.ok(rawResponses.some((b) => b.includes('<cbs:ResultCode>')));
    assert.ok(rawResponses.some((b) => /<ResultHeader xmlns="[^"]+"><Version>/.test(b)));
  });
});
