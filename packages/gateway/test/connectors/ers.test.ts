import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connector } from '../../src/connectors/connector.js';
import { createErsConnector, ERS_RESULT_CODES } from '../../src/connectors/ers/index.js';
import { findFirst, parseXml, textAt, type XmlNode } from '../../src/connectors/xml.js';
import {
  closedPort,
  ctxFor,
  DATA_1GB,
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

const NS = 'http://external.interfaces.ers.seamless.com/';

/** A prefixed response, as a JAX-WS server writes it. */
function topupResponse(code: string, description = 'X', operation = 'requestTopupResponse'): string {
  return `<?xml version="1.0" ?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><ns2:${operation} xmlns:ns2="${NS}"><return><ersReference>2025030409050600042</ersReference><resultCode>${code}</resultCode><resultDescription>${description}</resultDescription><requestedTopupAmount><currency>AFN</currency><value>100</value></requestedTopupAmount><topupPrincipal><principalId><id>93701234567</id><type>SUBSCRIBERMSISDN</type></principalId></topupPrincipal></return></ns2:${operation}></S:Body></S:Envelope>`;
}

/** An unprefixed, indented response with prefixed children and an unknown element. */
const SLOPPY_SUCCESS = `
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
  <soapenv:Body>
    <requestTopupResponse xmlns="${NS}">
      <e:return xmlns:e="${NS}">
        <e:vendorExtension><x>1</x></e:vendorExtension>
        <e:ersReference> R-7 </e:ersReference>
        <e:resultCode>
          0
        </e:resultCode >
        <e:resultDescription>SUCCESS</e:resultDescription>
      </e:return>
    </requestTopupResponse>
  </soapenv:Body>
</soapenv:Envelope>`;

const SOAP_FAULT = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>java.lang.NullPointerException</faultstring></soap:Fault></soap:Body></soap:Envelope>`;

function connectorFor(endpoint: string): Connector {
  return createErsConnector({
    operator: makeOperator('ers', endpoint, {
      clientId: 'mnogate-demo',
      channel: 'WSClient',
      senderId: 'DIST-0001',
    }),
    credentials: { userId: 'webuser', password: 's3cret' },
  });
}

function body(node: XmlNode, name: string): XmlNode {
  const found = findFirst(node, name);
  assert.ok(found !== undefined, `request has <${name}>`);
  return found;
}

describe('ers connector: the request', () => {
  let server: ScriptedServer;
  const agent = testAgent();
  before(async () => {
    server = await startScriptedServer([
      reply(200, topupResponse('0')),
      reply(200, topupResponse('0', 'x', 'getTransactionStatusResponse')),
    ]);
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  it('requestTopup carries context, principals, account specifiers, product and amount', async () => {
    const out = await connectorFor(`${server.url}/topupservice/service`).recharge(
      makeCall({ product: DATA_1GB, amountMinor: 30_000 }),
      ctxFor(`${server.url}/topupservice/service`, agent),
    );
    assert.deepEqual(out.status === 'succeeded' && [out.operatorCode, out.operatorTransactionId], [
      '0',
      '2025030409050600042',
    ]);
    const seen = server.requests[0]!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url.pathname, '/topupservice/service');
    assert.equal(seen.headers.soapaction, '"requestTopup"');
    assert.match(String(seen.headers['content-type']), /^text\/xml/);
    assert.ok(seen.body.includes(`xmlns:ext="${NS}"`), 'the ERS namespace');
    const doc = parseXml(seen.body)!;
    const op = body(doc, 'requestTopup');
    const ctx = body(op, 'context');
    assert.equal(textAt(ctx, 'clientReference'), makeCall().reference);
    assert.equal(textAt(ctx, 'clientId'), 'mnogate-demo');
    assert.equal(textAt(ctx, 'channel'), 'WSClient');
    assert.equal(textAt(ctx, 'password'), 's3cret');
    assert.equal(textAt(ctx, 'clientRequestTimeout'), '1000', 'the call context timeout, in ms');
    assert.equal(textAt(body(ctx, 'initiatorPrincipalId'), 'id'), 'DIST-0001');
    assert.equal(textAt(body(ctx, 'initiatorPrincipalId'), 'userId'), 'webuser');
    assert.equal(textAt(body(op, 'senderPrincipalId'), 'id'), 'DIST-0001');
    assert.equal(textAt(body(op, 'topupPrincipalId'), 'id'), '93701234567');
    assert.equal(textAt(body(op, 'topupPrincipalId'), 'type'), 'SUBSCRIBERMSISDN');
    assert.equal(textAt(body(op, 'topupAccountSpecifier'), 'accountId'), '93701234567');
    assert.equal(textAt(body(op, 'topupAccountSpecifier'), 'accountTypeId'), 'DATA_BUNDLE');
    assert.equal(textAt(op, 'productId'), 'DATA_1GB');
    assert.equal(textAt(body(op, 'amount'), 'currency'), 'AFN');
    assert.equal(textAt(body(op, 'amount'), 'value'), '300');
  });

  it('getTransactionStatus finds the original by context.clientReference', async () => {
    const out = await connectorFor(server.url).status(makeCall(), ctxFor(server.url, agent));
    assert.equal(out.status, 'succeeded');
    const seen = server.requests[1]!;
    assert.equal(seen.headers.soapaction, '"getTransactionStatus"');
    const op = body(parseXml(seen.body)!, 'getTransactionStatus');
    assert.equal(textAt(body(op, 'context'), 'clientReference'), makeCall().reference);
    assert.equal(textAt(body(op, 'context'), 'password'), 's3cret');
  });
});

describe('ers connector: recharge classification', () => {
  let server: ScriptedServer;
  let connector: Connector;
  const agent = testAgent();
  const cases: [string, Step, Record<string, unknown>][] = [
    ...Object.entries(ERS_RESULT_CODES).map(([code, entry]): [string, Step, Record<string, unknown>] => [
      `${code} ${entry.name}`,
      reply(200, topupResponse(code, entry.name)),
      {
        status: entry.recharge,
        operatorCode: code,
        ...(entry.recharge === 'unknown' ? { reason: 'ambiguous-code' } : {}),
        ...(entry.recharge === 'failed' ? { sent: true } : {}),
      },
    ]),
    [
      'a sloppy, unprefixed answer',
      reply(200, SLOPPY_SUCCESS),
      { status: 'succeeded', operatorTransactionId: 'R-7' },
    ],
    [
      'a code nobody listed',
      reply(200, topupResponse('777')),
      { status: 'unknown', reason: 'ambiguous-code' },
    ],
    [
      'a SOAP fault with HTTP 500',
      reply(500, SOAP_FAULT),
      { status: 'unknown', reason: 'http-error', operatorCode: 'HTTP_500' },
    ],
    ['HTTP 500 with an empty body', reply(500, ''), { status: 'unknown', reason: 'http-error' }],
    [
      'HTTP 500 carrying a definitive refusal',
      reply(500, topupResponse('11')),
      { status: 'failed', operatorCode: '11' },
    ],
    [
      'HTTP 500 carrying SYSTEM_ERROR',
      reply(500, topupResponse('90')),
      { status: 'unknown', reason: 'http-error' },
    ],
    [
      'HTTP 200 with HTML',
      reply(200, '<html><body>proxy</body></html>', 'text/html'),
      { status: 'unknown', reason: 'unparseable' },
    ],
    ['HTTP 200 with non-XML', reply(200, 'OK'), { status: 'unknown', reason: 'unparseable' }],
    ['HTTP 404', reply(404, 'no such service', 'text/plain'), { status: 'failed', operatorCode: 'HTTP_404' }],
    ['no answer', hang(), { status: 'unknown', reason: 'timeout' }],
    ['a reset after the request', resetAfterBody(), { status: 'unknown', reason: 'reset' }],
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
    it(`classifies ${name}`, async () => {
      const out = await connector.recharge(makeCall(), ctxFor(server.url, agent));
      for (const [key, value] of Object.entries(expected)) {
        assert.equal((out as Record<string, unknown>)[key], value, `${key} of ${JSON.stringify(out)}`);
      }
    });
  }

  it('reads the codes the brief singles out as the dialect intends', () => {
    assert.equal(ERS_RESULT_CODES['93'].recharge, 'failed');
    assert.equal(ERS_RESULT_CODES['94'].recharge, 'failed');
    assert.equal(ERS_RESULT_CODES['90'].recharge, 'unknown');
    assert.equal(ERS_RESULT_CODES['105'].recharge, 'unknown');
    assert.equal(ERS_RESULT_CODES['2016'].recharge, 'unknown');
    assert.equal(ERS_RESULT_CODES['933'].status, 'not-found');
  });

  it('a refused connection is failed with sent: false', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/topupservice/service`;
    const out = await connector.recharge(makeCall(), ctxFor(url, agent));
    assert.deepEqual(out.status === 'failed' && [out.sent, out.operatorCode], [false, 'CONNECT_REFUSED']);
  });
});

describe('ers connector: status classification', () => {
  let server: ScriptedServer;
  let connector: Connector;
  const agent = testAgent();
  const status = (code: string) => reply(200, topupResponse(code, 'x', 'getTransactionStatusResponse'));
  const nested = (queryCode: string, originalCode: string) =>
    reply(
      200,
      `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><ns2:getTransactionStatusResponse xmlns:ns2="${NS}"><return><resultCode>${queryCode}</resultCode><resultDescription>SUCCESS</resultDescription><transaction><ersReference>E-9</ersReference><resultCode>${originalCode}</resultCode></transaction></return></ns2:getTransactionStatusResponse></S:Body></S:Envelope>`,
    );
  const cases: [string, Step, string][] = [
    ['0: the original succeeded', status('0'), 'succeeded'],
    ['1: pending approval', status('1'), 'pending'],
    ['10: the original was refused', status('10'), 'failed'],
    ['104: insufficient credit', status('104'), 'failed'],
    ['933: not found', status('933'), 'not-found'],
    [
      '933 inside a 500 answer',
      reply(500, topupResponse('933', 'x', 'getTransactionStatusResponse')),
      'not-found',
    ],
    ['20: our credentials were refused (not the top-up)', status('20'), 'error:auth'],
    ['21: our principal was refused', status('21'), 'error:auth'],
    [
      '20 inside a 500 answer',
      reply(500, topupResponse('20', 'x', 'getTransactionStatusResponse')),
      'error:auth',
    ],
    ['93: busy', status('93'), 'error'],
    ['90: system error', status('90'), 'error'],
    ['query ok, original refused (nested)', nested('0', '40'), 'failed'],
    ['query ok, original succeeded (nested)', nested('0', '0'), 'succeeded'],
    ['a SOAP fault', reply(500, SOAP_FAULT), 'error'],
    ['garbage', reply(200, 'garbage'), 'error'],
    ['no answer', hang(), 'error'],
    ['a reset', resetAfterBody(), 'error'],
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
