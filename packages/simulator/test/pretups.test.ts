import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createSimulators, type Simulators } from '../src/index.js';
import {
  DIGIT_FAULTS,
  FAST,
  FAULT_EFFECTS,
  httpCall,
  type Seen,
  seededRandom,
  sleep,
  testConfig,
} from './helpers.js';

const CREDS = { login: 'mnogate', password: 'pretups-Pa55', pin: '4321' };
const config = testConfig([
  {
    id: 'roshan',
    dialect: 'pretups',
    host: '127.0.1.22',
    path: '/pretups/C2SReceiver',
    prefixes: ['+9379', '+9372'],
    options: { requestGatewayCode: 'MNOGATE' },
  },
]);

/** A deliberately forgiving reader of one tag, as a careful connector would be. */
function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}\\s*>([^<]*)</${name}\\s*>`).exec(xml);
  return m?.[1];
}

function pretupsDate(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

describe('pretups simulator, driven by raw XML over HTTP', () => {
  let sims: Simulators;
  let url: string;
  const bodies: string[] = [];

  before(async () => {
    sims = createSimulators(config, { credentials: { roshan: CREDS }, random: seededRandom(7), ...FAST });
    url = (await sims.start()).operators[0]!.url;
  });
  after(() => sims.stop());
  beforeEach(() => sims.reset());

  const query = (password = CREDS.password, gatewayCode = 'MNOGATE') =>
    new URLSearchParams({
      REQUEST_GATEWAY_CODE: gatewayCode,
      REQUEST_GATEWAY_TYPE: 'EXTGW',
      LOGIN: CREDS.login,
      PASSWORD: password,
      SOURCE_TYPE: 'EXTGW',
      SERVICE_PORT: '190',
    }).toString();

  async function send(
    xml: string,
    opts: { password?: string; gatewayCode?: string } = {},
  ): Promise<Seen & { xml?: string }> {
    const r = await httpCall({
      url: `${url}?${query(opts.password, opts.gatewayCode)}`,
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: xml,
      timeoutMs: FAST.clientTimeoutMs,
    });
    if (r.kind === 'timeout') return { kind: 'timeout' };
    if (r.kind === 'error') {
      assert.equal(r.code, 'ECONNRESET');
      return { kind: 'reset' };
    }
    if (r.status === 500) return { kind: 'http-500' };
    assert.equal(r.status, 200);
    bodies.push(r.body);
    return { kind: 'answer', code: tag(r.body, 'TXNSTATUS') ?? '(none)', xml: r.body };
  }

  const recharge = (
    extRef: string,
    msisdn2: string,
    amount = '100',
    pin = CREDS.pin,
  ) => `<?xml version="1.0"?>
<!DOCTYPE COMMAND PUBLIC "-//Ocam//DTD XML Command 1.0//EN" "xml/command.dtd">
<COMMAND><TYPE>EXRCTRFREQ</TYPE><DATE>${pretupsDate()}</DATE><EXTNWCODE>AF</EXTNWCODE><MSISDN>93790000001</MSISDN><PIN>${pin}</PIN><LOGINID></LOGINID><PASSWORD></PASSWORD><EXTCODE>RET001</EXTCODE><EXTREFNUM>${extRef}</EXTREFNUM><MSISDN2>${msisdn2}</MSISDN2><AMOUNT>${amount}</AMOUNT><LANGUAGE1>0</LANGUAGE1><LANGUAGE2>0</LANGUAGE2><SELECTOR>1</SELECTOR></COMMAND>`;
  const statusReq = (extRef?: string, txnId?: string) => `<?xml version="1.0"?>
<COMMAND><TYPE>EXRCSTATREQ</TYPE><DATE>${pretupsDate()}</DATE><EXTNWCODE>AF</EXTNWCODE><MSISDN>93790000001</MSISDN><PIN>${CREDS.pin}</PIN><LOGINID></LOGINID><PASSWORD></PASSWORD><EXTCODE>RET001</EXTCODE><EXTREFNUM>${extRef ?? ''}</EXTREFNUM><TXNID>${txnId ?? ''}</TXNID><LANGUAGE1>0</LANGUAGE1></COMMAND>`;

  it('credits on EXRCTRFREQ (200) and answers EXRCSTATREQ by EXTREFNUM and by TXNID', async () => {
    const floatBefore = sims.ledger.floatMinor('roshan');
    const r = await send(recharge('pt-ok-1', '0791234567', '75.25'));
    assert.equal(r.kind === 'answer' && r.code, '200');
    const xml = (r as { xml: string }).xml;
    assert.equal(tag(xml, 'TYPE'), 'EXRCTRFRESP');
    assert.equal(tag(xml, 'EXTREFNUM'), 'pt-ok-1');
    assert.match(tag(xml, 'DATE') ?? '', /^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/);
    const txnId = tag(xml, 'TXNID');
    assert.ok(txnId);
    assert.equal(sims.ledger.balanceMinor('roshan', '+93791234567'), 7525);
    assert.equal(sims.ledger.floatMinor('roshan'), floatBefore - 7525);

    const s = (await send(statusReq('pt-ok-1'))) as { xml: string };
    assert.equal(tag(s.xml, 'TYPE'), 'EXRCSTATRESP');
    assert.equal(tag(s.xml, 'TXNSTATUS'), '200');
    assert.equal(tag(s.xml, 'REQSTATUS'), '200');
    assert.equal(tag(s.xml, 'TXNID'), txnId);
    const byId = (await send(statusReq(undefined, txnId))) as { xml: string };
    assert.equal(tag(byId.xml, 'REQSTATUS'), '200');
    assert.equal(tag(byId.xml, 'EXTREFNUM'), 'pt-ok-1');
    const none = (await send(statusReq('never-sent'))) as { xml: string };
    assert.equal(tag(none.xml, 'TXNSTATUS'), '4006');
    assert.equal(tag(none.xml, 'REQSTATUS'), undefined);
  });

  it('answers 4005 to a reused EXTREFNUM and credits once', async () => {
    const first = (await send(recharge('pt-dup', '791234568'))) as { xml: string };
    const again = (await send(recharge('pt-dup', '791234568'))) as Seen & { xml: string };
    assert.equal(again.kind === 'answer' && again.code, '4005');
    assert.equal(tag(again.xml, 'TXNID'), tag(first.xml, 'TXNID'));
    assert.equal(sims.ledger.balanceMinor('roshan', '+93791234568'), 10000);
  });

  it('refuses wrong gateway credentials (1001) and a wrong PIN (1002), logging nothing', async () => {
    const a = await send(recharge('pt-auth-1', '791234569'), { password: 'wrong' });
    assert.equal(a.kind === 'answer' && a.code, '1001');
    const b = await send(recharge('pt-auth-2', '791234569'), { gatewayCode: 'OTHER' });
    assert.equal(b.kind === 'answer' && b.code, '1001');
    const c = await send(recharge('pt-auth-3', '791234569', '100', '0000'));
    assert.equal(c.kind === 'answer' && c.code, '1002');
    assert.equal(sims.ledger.transactions('roshan').length, 0);
    assert.equal(sims.counters('roshan').authFailures, 3);
  });

  it('refuses a number of another operator (4001) and a bad amount (4003)', async () => {
    const a = await send(recharge('pt-bad-1', '0701234567'));
    assert.equal(a.kind === 'answer' && a.code, '4001');
    const b = await send(recharge('pt-bad-2', '0791234567', 'ten'));
    assert.equal(b.kind === 'answer' && b.code, '4003');
    assert.equal(sims.ledger.balanceMinor('roshan', '+93791234567'), undefined);
    const s = (await send(statusReq('pt-bad-1'))) as { xml: string };
    assert.equal(tag(s.xml, 'REQSTATUS'), '206');
    const junk = await send('<COMMAND><TYPE>NOPE</TYPE></COMMAND>');
    assert.equal(junk.kind === 'answer' && junk.code, '5001');
  });

  const expectedCode: Record<string, string> = {
    none: '200',
    reject: '206',
    'reject-subscriber': '4002',
    'reject-credit': '4004',
    busy: '5000',
    pending: '205',
    ambiguous: '250',
    'slow-status': '200',
    slow: '200',
  };

  for (const [digits, fault] of DIGIT_FAULTS) {
    it(`last digits ${digits}: ${fault}`, async () => {
      const msisdn2 = `0791230${digits}`;
      const ref = `pt-fault-${digits}`;
      const s = await send(recharge(ref, msisdn2));
      const effect = FAULT_EFFECTS[fault];
      assert.equal(s.kind, effect.seen);
      if (s.kind === 'answer') assert.equal(s.code, expectedCode[fault]);
      assert.equal(sims.ledger.find('roshan', ref) !== undefined, effect.logged);
      assert.equal(
        sims.ledger.balanceMinor('roshan', `+93791230${digits}`) ?? 0,
        effect.credited ? 10000 : 0,
      );

      const t0 = Date.now();
      const st = (await send(statusReq(ref))) as { xml: string };
      if (!effect.logged) assert.equal(tag(st.xml, 'TXNSTATUS'), '4006');
      else {
        assert.equal(tag(st.xml, 'TXNSTATUS'), '200');
        const expected = fault === 'pending' ? '205' : effect.credited ? '200' : '206';
        assert.equal(tag(st.xml, 'REQSTATUS'), expected);
      }
      if (fault === 'slow-status') assert.ok(Date.now() - t0 >= FAST.slowStatusMs - 20);
      if (fault === 'pending') {
        await sleep(FAST.pendingMs + 50);
        assert.equal(tag(((await send(statusReq(ref))) as { xml: string }).xml, 'REQSTATUS'), '200');
      }
    });
  }

  it('has emitted both the tidy and the sloppy variants', () => {
    assert.ok(bodies.length > 20);
    assert.ok(bodies.some((b) => b.includes('</TXNSTATUS >')));
    assert.ok(bodies.some((b) => b.includes('</TXNSTATUS>')));
    assert.ok(bodies.some((b) => b.includes('<!DOCTYPE COMMAND')));
    assert.ok(bodies.some((b) => !b.includes('<!DOCTYPE')));
  });
});
