import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connector } from '../../src/connectors/connector.js';
import {
  cbsTime,
  createHuaweiCbsConnector,
  HUAWEI_CBS_NAMESPACES,
} from '../../src/connectors/huawei-cbs/index.js';
import { findFirst, parseXml, textAt, type XmlNode } from '../../src/connectors/xml.js';
import {
  closedPort,
  ctxFor,
  FIXED_NOW,
  hang,
  makeCall,
  makeOperator,
  reply,
  resetAfterBody,
  type ScriptedServer,
  type Step,
  startScriptedServer,
  statusRead,
  testAgent,
} from './helpers.js';

const ref = makeCall().reference;
const { ars, cbs } = HUAWEI_CBS_NAMESPACES;

/** ResultHeader prefixed with cbs:, as some deployments answer. */
function prefixed(code: string, serial = ref): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ars:RechargeResultMsg xmlns:ars="${ars}" xmlns:cbs="${cbs}"><ResultHeader><cbs:Version>1</cbs:Version><cbs:ResultCode>${code}</cbs:ResultCode><cbs:MsgLanguageCode>2002</cbs:MsgLanguageCode><cbs:ResultDesc>desc ${code}</cbs:ResultDesc></ResultHeader><RechargeResult><ars:RechargeSerialNo>${serial}</ars:RechargeSerialNo><ars:BalanceChgInfo><ars:OldBalanceAmt>500</ars:OldBalanceAmt><ars:NewBalanceAmt>10500</ars:NewBalanceAmt></ars:BalanceChgInfo></RechargeResult></ars:RechargeResultMsg></soapenv:Body></soapenv:Envelope>`;
}

/** An unprefixed ResultHeader in a default namespace, indented, with an unknown element. */
function unprefixed(code: string): string {
  return `<?xml version="1.0"?>
<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">
  <S:Body>
    <RechargeResultMsg xmlns="${ars}">
      <ResultHeader xmlns="${cbs}">
        <Version>1</Version>
        <ResultCode> ${code} </ResultCode >
        <ResultDesc>Operation successfully.</ResultDesc>
        <Extra><x/></Extra>
      </ResultHeader>
      <RechargeResult>
        <RechargeSerialNo>${ref}</RechargeSerialNo>
      </RechargeResult>
    </RechargeResultMsg>
  </S:Body>
</S:Envelope>`;
}

const FAULT = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Internal Error</faultstring><detail><ResultCode>0</ResultCode></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;

function connectorFor(endpoint: string, options: Record<string, string> = {}): Connector {
  return createHuaweiCbsConnector({
    operator: makeOperator('huawei-cbs', endpoint, {
      beId: '101',
      rechargeChannelId: '52',
      version: '1',
      ...options,
    }),
    credentials: { loginSystemCode: 'mnogate', password: 'p<w>d' },
    now: FIXED_NOW,
  });
}

function child(node: XmlNode, name: string): XmlNode {
  const found = findFirst(node, name);
  assert.ok(found !== undefined, `has <${name}>`);
  return found;
}

describe('huawei-cbs connector: the requests', () => {
  let server: ScriptedServer;
  const agent = testAgent();
  const log = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ars:QueryRechargeLogResultMsg xmlns:ars="${ars}" xmlns:cbs="${cbs}"><ResultHeader><cbs:ResultCode>0</cbs:ResultCode></ResultHeader><QueryRechargeLogResult><ars:RechargeInfo><ars:TradeTime>20250304090507</ars:TradeTime><ars:RechargeSerialNo>${ref}</ars:RechargeSerialNo><ars:TransID>900001</ars:TransID><ars:RechargeAmount>10000</ars:RechargeAmount><ars:ResultCode>0</ars:ResultCode></ars:RechargeInfo></QueryRechargeLogResult></ars:QueryRechargeLogResultMsg></soapenv:Body></soapenv:Envelope>`;
  before(async () => {
    server = await startScriptedServer([reply(200, prefixed('0')), reply(200, log)]);
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  it('RechargeRequestMsg: header, serial = our reference, MSISDN digits, amount in minor units', async () => {
    const endpoint = `${server.url}/services/ArServices`;
    const out = await connectorFor(endpoint).recharge(
      makeCall({ amountMinor: 12_345 }),
      ctxFor(endpoint, agent),
    );
    assert.deepEqual(out.status === 'succeeded' && out.operatorCode, '0');
    const seen = server.requests[0]!;
    assert.equal(seen.url.pathname, '/services/ArServices');
    assert.equal(seen.headers.soapaction, '"Recharge"');
    for (const uri of Object.values(HUAWEI_CBS_NAMESPACES)) assert.ok(seen.body.includes(uri), uri);
    const msg = child(parseXml(seen.body)!, 'RechargeRequestMsg');
    const header = child(msg, 'RequestHeader');
    assert.equal(textAt(header, 'Version'), '1');
    assert.equal(textAt(header, 'BusinessCode'), 'Recharge');
    assert.equal(textAt(child(header, 'OwnershipInfo'), 'BEID'), '101');
    assert.equal(textAt(child(header, 'AccessSecurity'), 'LoginSystemCode'), 'mnogate');
    assert.equal(textAt(child(header, 'AccessSecurity'), 'Password'), 'p<w>d');
    const req = child(msg, 'RechargeRequest');
    assert.equal(textAt(req, 'RechargeSerialNo'), ref);
    assert.equal(textAt(req, 'RechargeChannelID'), '52');
    assert.equal(textAt(child(child(req, 'RechargeObj'), 'SubAccessCode'), 'PrimaryIdentity'), '93701234567');
    assert.equal(textAt(child(child(req, 'RechargeInfo'), 'CashPayment'), 'Amount'), '12345');
    assert.equal(textAt(req, 'CurrencyID'), 'AFN');
  });

  it('QueryRechargeLogRequestMsg: by subscriber and a window around the recharge, filtered by serial', async () => {
    const call = makeCall({ acceptedAt: Date.UTC(2025, 2, 4, 9, 0, 0) });
    const out = await connectorFor(server.url).status(call, ctxFor(server.url, agent));
    assert.deepEqual(out.status === 'succeeded' && out.operatorTransactionId, '900001');
    const seen = server.requests[1]!;
    assert.equal(seen.headers.soapaction, '"QueryRechargeLog"');
    const msg = child(parseXml(seen.body)!, 'QueryRechargeLogRequestMsg');
    assert.equal(textAt(child(msg, 'RequestHeader'), 'BusinessCode'), 'QueryRechargeLog');
    const req = child(msg, 'QueryRechargeLogRequest');
    assert.equal(textAt(child(req, 'SubAccessCode'), 'PrimaryIdentity'), '93701234567');
    assert.equal(textAt(req, 'StartTime'), '20250304084500');
    assert.equal(textAt(req, 'EndTime'), '20250304092006');
  });

  it('formats CBS times as yyyyMMddHHmmss', () => {
    assert.equal(cbsTime(new Date(Date.UTC(2025, 11, 31, 23, 59, 58))), '20251231235958');
  });
});

describe('huawei-cbs connector: recharge classification', () => {
  let server: ScriptedServer;
  let connector: Connector;
  const agent = testAgent();
  const cases: [string, Step, Record<string, unknown>][] = [
    [
      '0 with a prefixed ResultHeader',
      reply(200, prefixed('0')),
      { status: 'succeeded', operatorTransactionId: ref },
    ],
    ['0 with an unprefixed ResultHeader', reply(200, unprefixed('0')), { status: 'succeeded' }],
    [
      'a non-zero code',
      reply(200, prefixed('102010211')),
      { status: 'failed', operatorCode: '102010211', message: 'desc 102010211', sent: true },
    ],
    ['a non-zero code, unprefixed', reply(200, unprefixed('105')), { status: 'failed', operatorCode: '105' }],
    [
      'a code configured as ambiguous',
      reply(200, prefixed('8001')),
      { status: 'unknown', reason: 'ambiguous-code', operatorCode: '8001' },
    ],
    [
      'an answer for another serial',
      reply(200, prefixed('0', 'OTHER-1')),
      { status: 'unknown', reason: 'unparseable' },
    ],
    [
      'a SOAP fault with HTTP 500',
      reply(500, FAULT),
      { status: 'unknown', reason: 'http-error', operatorCode: 'HTTP_500' },
    ],
    ['a SOAP fault with HTTP 200', reply(200, FAULT), { status: 'unknown', reason: 'unparseable' }],
    ['HTTP 500 with a non-zero code', reply(500, prefixed('102010211')), { status: 'failed' }],
    ['HTTP 502 with nothing', reply(502, ''), { status: 'unknown', reason: 'http-error' }],
    ['XML without a ResultHeader', reply(200, '<a><b/></a>'), { status: 'unknown', reason: 'unparseable' }],
    ['no answer', hang(), { status: 'unknown', reason: 'timeout' }],
    ['a reset after the request', resetAfterBody(), { status: 'unknown', reason: 'reset' }],
  ];
  before(async () => {
    server = await startScriptedServer(cases.map(([, step]) => step));
    connector = connectorFor(server.url, { ambiguousResultCodes: '8001, 8002' });
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  for (const [name, , expected] of cases) {
    it(`classifies ${name}`, async () => {
      const out = await connector.recharge(makeCall(), ctxFor(server.url, agent));
      for (const [key, value] of Object.entries(expected)) {
        assert.equal((out as Record<string, unknown>)[key], value, `${key} of ${JSON.stringify(out)}`);
      }
    });
  }

  it('a refused connection is failed with sent: false', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/services/ArServices`;
    const out = await connector.recharge(makeCall(), ctxFor(url, agent));
    assert.deepEqual(out.status === 'failed' && [out.sent, out.operatorCode], [false, 'CONNECT_REFUSED']);
  });
});

describe('huawei-cbs connector: status classification', () => {
  let server: ScriptedServer;
  let connector: Connector;
  const agent = testAgent();
  const entry = (serial: string, result?: string) =>
    `<RechargeInfo><TradeTime>20250304090507</TradeTime><RechargeSerialNo>${serial}</RechargeSerialNo>${
      result === undefined ? '' : `<ResultCode>${result}</ResultCode>`
    }</RechargeInfo>`;
  const logAnswer = (headerCode: string, entries: string) =>
    reply(
      200,
      `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><QueryRechargeLogResultMsg xmlns="${ars}"><ResultHeader><ResultCode>${headerCode}</ResultCode><ResultDesc>d</ResultDesc></ResultHeader><QueryRechargeLogResult>${entries}</QueryRechargeLogResult></QueryRechargeLogResultMsg></S:Body></S:Envelope>`,
    );
  const cases: [string, Step, string][] = [
    ['our entry among others', logAnswer('0', entry('OTHER-1', '0') + entry(ref, '0')), 'succeeded'],
    ['our entry without a result field', logAnswer('0', entry(ref)), 'succeeded'],
    ['our entry with a failed result', logAnswer('0', entry(ref, '102010211')), 'failed'],
    ['only other serials', logAnswer('0', entry('OTHER-1', '0') + entry('OTHER-2', '0')), 'not-found'],
    ['an empty log', logAnswer('0', ''), 'not-found'],
    ['a non-zero header', logAnswer('102010999', ''), 'error'],
    ['102010107: our credentials were refused', logAnswer('102010107', ''), 'error:auth'],
    ['a SOAP fault', reply(500, FAULT), 'error'],
    ['garbage', reply(200, 'nope'), 'error'],
    ['no answer', hang(), 'error'],
  ];
  before(async () => {
    server = await startScriptedServer(cases.map(([, step]) => step));
    connector = connectorFor(server.url);
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  for (const [name, , expected] of cases) {
    it(`reads ${name} as ${expected}`, async () => {
      const out = await connector.status(makeCall(), ctxFor(server.url, agent));
      assert.equal(statusRead(out), expected, JSON.stringify(out));
    });
  }
});
