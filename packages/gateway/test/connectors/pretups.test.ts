import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connector } from '../../src/connectors/connector.js';
import {
  createPretupsConnector,
  PRETUPS_TXN_STATUS,
  pretupsDate,
} from '../../src/connectors/pretups/index.js';
import { findFirst, parseXml, textAt } from '../../src/connectors/xml.js';
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
const DOCTYPE = '<!DOCTYPE COMMAND PUBLIC "-//Ocam//DTD XML Command 1.0//EN" "xml/command.dtd">';

/** A tidy answer. */
function answer(type: string, txnStatus: string, extra = ''): string {
  return `<?xml version="1.0"?><COMMAND><TYPE>${type}</TYPE><TXNSTATUS>${txnStatus}</TXNSTATUS><DATE>04/03/2025 09:05:07</DATE><EXTREFNUM>${ref}</EXTREFNUM><TXNID>R250304.0905.100001</TXNID><MESSAGE>msg ${txnStatus}</MESSAGE>${extra}</COMMAND>`;
}

/** A sloppy answer: DOCTYPE, a space before '>' in closing tags, line breaks, an unknown element. */
function sloppy(txnStatus: string): string {
  return `<?xml version="1.0"?>\n${DOCTYPE}\n<COMMAND>\n  <TYPE>EXRCTRFRESP</TYPE >\n  <TXNSTATUS> ${txnStatus} </TXNSTATUS >\n  <VENDOR_X>1</VENDOR_X>\n  <EXTREFNUM>${ref}</EXTREFNUM >\n  <TXNID>R1</TXNID>\n  <MESSAGE>Transaction &amp; more</MESSAGE>\n</COMMAND>\n`;
}

const OPTIONS = {
  requestGatewayCode: 'MNOGATE',
  sourceType: 'EXTGW',
  servicePort: '190',
  extNwCode: 'AF',
  retailerMsisdn: '93790000001',
  extCode: 'RET001',
};

function connectorFor(endpoint: string, options: Record<string, string> = {}): Connector {
  return createPretupsConnector({
    operator: makeOperator('pretups', endpoint, { ...OPTIONS, ...options }),
    credentials: { login: 'gwuser', password: 'gw&pass', pin: '1357' },
    now: FIXED_NOW,
  });
}

describe('pretups connector: the requests', () => {
  let server: ScriptedServer;
  const agent = testAgent();
  before(async () => {
    server = await startScriptedServer([
      reply(200, answer('EXRCTRFRESP', '200')),
      reply(200, answer('EXRCSTATRESP', '200', '<REQSTATUS>200</REQSTATUS>')),
    ]);
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  it('EXRCTRFREQ: gateway identity in the query string, retailer and recharge in the body', async () => {
    const endpoint = `${server.url}/pretups/C2SReceiver`;
    const out = await connectorFor(endpoint).recharge(
      makeCall({ msisdn: '+93791234567' }),
      ctxFor(endpoint, agent),
    );
    assert.deepEqual(out.status === 'succeeded' && out.operatorTransactionId, 'R250304.0905.100001');
    const seen = server.requests[0]!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url.pathname, '/pretups/C2SReceiver');
    const q = Object.fromEntries(seen.url.searchParams);
    assert.deepEqual(q, {
      REQUEST_GATEWAY_CODE: 'MNOGATE',
      REQUEST_GATEWAY_TYPE: 'EXTGW',
      LOGIN: 'gwuser',
      PASSWORD: 'gw&pass',
      SOURCE_TYPE: 'EXTGW',
      SERVICE_PORT: '190',
    });
    assert.ok(!seen.headers.soapaction, 'not SOAP');
    const cmd = findFirst(parseXml(seen.body)!, 'COMMAND')!;
    assert.equal(textAt(cmd, 'TYPE'), 'EXRCTRFREQ');
    assert.equal(textAt(cmd, 'DATE'), '04/03/2025 09:05:06');
    assert.equal(textAt(cmd, 'EXTNWCODE'), 'AF');
    assert.equal(textAt(cmd, 'MSISDN'), '93790000001');
    assert.equal(textAt(cmd, 'PIN'), '1357');
    assert.equal(textAt(cmd, 'EXTCODE'), 'RET001');
    assert.equal(textAt(cmd, 'EXTREFNUM'), ref);
    assert.equal(textAt(cmd, 'MSISDN2'), '93791234567');
    assert.equal(textAt(cmd, 'AMOUNT'), '100');
    assert.equal(textAt(cmd, 'PASSWORD'), 'gw&pass', 'escaped in XML, read back intact');
    assert.ok(seen.body.includes('gw&amp;pass'));
    assert.equal(textAt(cmd, 'SELECTOR'), '1');
  });

  it('EXRCSTATREQ asks by EXTREFNUM', async () => {
    const out = await connectorFor(server.url).status(makeCall(), ctxFor(server.url, agent));
    assert.equal(out.status, 'succeeded');
    const cmd = findFirst(parseXml(server.requests[1]!.body)!, 'COMMAND')!;
    assert.equal(textAt(cmd, 'TYPE'), 'EXRCSTATREQ');
    assert.equal(textAt(cmd, 'EXTREFNUM'), ref);
    assert.equal(server.requests[1]!.url.searchParams.get('REQUEST_GATEWAY_TYPE'), 'EXTGW');
  });

  it('formats DATE as dd/MM/yyyy HH:mm:ss, in the configured time zone', () => {
    assert.equal(pretupsDate(new Date(Date.UTC(2025, 0, 2, 3, 4, 5))), '02/01/2025 03:04:05');
    assert.equal(pretupsDate(new Date(Date.UTC(2025, 0, 2, 23, 4, 5)), 'Asia/Kabul'), '03/01/2025 03:34:05');
  });
});

describe('pretups connector: recharge classification', () => {
  let server: ScriptedServer;
  let connector: Connector;
  const agent = testAgent();
  const cases: [string, Step, Record<string, unknown>][] = [
    ['200 success', reply(200, answer('EXRCTRFRESP', '200')), { status: 'succeeded', operatorCode: '200' }],
    [
      '205 under process',
      reply(200, answer('EXRCTRFRESP', '205')),
      { status: 'unknown', reason: 'ambiguous-code' },
    ],
    [
      '206 failed',
      reply(200, answer('EXRCTRFRESP', '206')),
      { status: 'failed', operatorCode: '206', sent: true },
    ],
    [
      '250 ambiguous',
      reply(200, answer('EXRCTRFRESP', '250')),
      { status: 'unknown', reason: 'ambiguous-code', operatorCode: '250' },
    ],
    [
      'an error code (insufficient balance)',
      reply(200, answer('EXRCTRFRESP', '7001')),
      { status: 'failed', operatorCode: '7001', message: 'msg 7001' },
    ],
    [
      'a sloppy 200 with DOCTYPE and `</TXNSTATUS >`',
      reply(200, sloppy('200')),
      { status: 'succeeded', operatorTransactionId: 'R1' },
    ],
    ['a sloppy 206', reply(200, sloppy('206')), { status: 'failed' }],
    ['a sloppy 250', reply(200, sloppy('250')), { status: 'unknown', reason: 'ambiguous-code' }],
    [
      'an answer for another EXTREFNUM',
      reply(200, answer('EXRCTRFRESP', '200').replace(ref, 'SOMEONE-ELSE')),
      { status: 'unknown', reason: 'unparseable' },
    ],
    [
      'an answer without TXNSTATUS',
      reply(200, '<COMMAND><TYPE>EXRCTRFRESP</TYPE></COMMAND>'),
      { status: 'unknown', reason: 'unparseable' },
    ],
    [
      'plain text',
      reply(200, 'Service Temporarily Unavailable', 'text/plain'),
      { status: 'unknown', reason: 'unparseable' },
    ],
    [
      'HTTP 500 without a body',
      reply(500, ''),
      { status: 'unknown', reason: 'http-error', operatorCode: 'HTTP_500' },
    ],
    [
      'HTTP 500 with 250',
      reply(500, answer('EXRCTRFRESP', '250')),
      { status: 'unknown', reason: 'http-error' },
    ],
    [
      'HTTP 503 with 206',
      reply(503, answer('EXRCTRFRESP', '206')),
      { status: 'failed', operatorCode: '206' },
    ],
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

  it('the table has the four protocol codes', () => {
    assert.deepEqual(Object.keys(PRETUPS_TXN_STATUS).sort(), ['200', '205', '206', '250']);
  });

  it('a refused connection is failed with sent: false', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/pretups/C2SReceiver`;
    const out = await connector.recharge(makeCall(), ctxFor(url, agent));
    assert.deepEqual(out.status === 'failed' && [out.sent, out.operatorCode], [false, 'CONNECT_REFUSED']);
  });
});

describe('pretups connector: status classification', () => {
  let server: ScriptedServer;
  let connector: Connector;
  const agent = testAgent();
  const stat = (txn: string, req?: string, message = 'x') =>
    reply(
      200,
      `<?xml version="1.0"?>\n${DOCTYPE}\n<COMMAND><TYPE>EXRCSTATRESP</TYPE><TXNSTATUS>${txn}</TXNSTATUS ><EXTREFNUM>${ref}</EXTREFNUM><TXNID>R9</TXNID>${
        req === undefined ? '' : `<REQSTATUS>${req}</REQSTATUS >`
      }<MESSAGE>${message}</MESSAGE></COMMAND>`,
    );
  const cases: [string, Step, string][] = [
    ['query 200, original 200', stat('200', '200'), 'succeeded'],
    ['query 200, original 205', stat('200', '205'), 'pending'],
    ['query 200, original 206', stat('200', '206'), 'failed'],
    ['query 200, original 250', stat('200', '250'), 'pending'],
    ['query 200, original error code', stat('200', '7001'), 'failed'],
    ['no REQSTATUS, 200', stat('200'), 'succeeded'],
    ['no REQSTATUS, 205', stat('205'), 'pending'],
    ['no REQSTATUS, 206', stat('206'), 'failed'],
    ['an error code that says not found', stat('2052', undefined, 'Transaction not found'), 'not-found'],
    ['a configured not-found code', stat('9999', undefined, 'no luck'), 'not-found'],
    ['1001: our login was refused', stat('1001', undefined, 'Authentication failed'), 'error:auth'],
    ['1002: our PIN was refused', stat('1002', undefined, 'Invalid PIN'), 'error:auth'],
    ['an error code not listed as auth', stat('1003', undefined, 'Invalid password'), 'error'],
    ['HTTP 500', reply(500, ''), 'error'],
    ['garbage', reply(200, '<<<'), 'error'],
    ['no answer', hang(), 'error'],
  ];
  before(async () => {
    server = await startScriptedServer(cases.map(([, step]) => step));
    connector = connectorFor(server.url, { statusNotFoundCodes: '9999, 9998' });
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

describe('pretups connector: authFailedCodes replaces the authentication codes', () => {
  let server: ScriptedServer;
  const agent = testAgent();
  const stat = (txn: string) =>
    reply(
      200,
      `<?xml version="1.0"?><COMMAND><TYPE>EXRCSTATRESP</TYPE><TXNSTATUS>${txn}</TXNSTATUS><EXTREFNUM>${ref}</EXTREFNUM><MESSAGE>m</MESSAGE></COMMAND>`,
    );
  before(async () => {
    server = await startScriptedServer([stat('1003'), stat('1001')]);
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  it('reads a configured code as error:auth, and a default one no longer', async () => {
    const connector = connectorFor(server.url, { authFailedCodes: '1003' });
    assert.equal(statusRead(await connector.status(makeCall(), ctxFor(server.url, agent))), 'error:auth');
    assert.equal(statusRead(await connector.status(makeCall(), ctxFor(server.url, agent))), 'error');
  });
});
