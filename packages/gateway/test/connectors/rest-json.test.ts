import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connector, RechargeOutcome } from '../../src/connectors/connector.js';
import { createRestJsonConnector } from '../../src/connectors/rest-json/index.js';
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
  startScriptedServer,
  statusRead,
  testAgent,
} from './helpers.js';

const JSON_TYPE = 'application/json';
const ref = makeCall().reference;
const answer = (status: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ transactionId: 'T-77', externalId: ref, status, ...extra });

function connectorFor(endpoint: string): Connector {
  return createRestJsonConnector({
    operator: makeOperator('rest-json', endpoint),
    credentials: { apiKey: 'k-123' },
  });
}

describe('rest-json connector: recharge', () => {
  let server: ScriptedServer;
  let connector: Connector;
  const agent = testAgent();
  const script: [string, Parameters<typeof reply> | 'hang' | 'reset', Partial<RechargeOutcome>][] = [
    [
      'SUCCESSFUL',
      [201, answer('SUCCESSFUL'), JSON_TYPE],
      { status: 'succeeded', operatorTransactionId: 'T-77' },
    ],
    ['lower-case successful', [200, answer('successful'), JSON_TYPE], { status: 'succeeded' }],
    [
      'FAILED with a code',
      [200, answer('FAILED', { errorCode: 'INSUFFICIENT_FLOAT', message: 'no float' }), JSON_TYPE],
      { status: 'failed', operatorCode: 'INSUFFICIENT_FLOAT', sent: true },
    ],
    ['PROCESSING', [202, answer('PROCESSING'), JSON_TYPE], { status: 'unknown', reason: 'ambiguous-code' }],
    [
      'an unknown status word',
      [200, answer('QUEUED'), JSON_TYPE],
      { status: 'unknown', reason: 'ambiguous-code' },
    ],
    [
      '409 reused externalId',
      [409, '{"error":"conflict"}', JSON_TYPE],
      { status: 'unknown', reason: 'http-error' },
    ],
    [
      '409 even with FAILED in the body',
      [409, answer('FAILED'), JSON_TYPE],
      { status: 'unknown', reason: 'http-error', operatorCode: 'HTTP_409' },
    ],
    [
      '400 bad request',
      [400, '{"message":"msisdn invalid"}', JSON_TYPE],
      { status: 'failed', operatorCode: 'HTTP_400' },
    ],
    [
      '401 bad key',
      [401, '{"message":"bad key"}', JSON_TYPE],
      { status: 'failed', operatorCode: 'HTTP_401' },
    ],
    ['429 throttled', [429, '{}', JSON_TYPE], { status: 'unknown', reason: 'http-error' }],
    ['408', [408, '', 'text/plain'], { status: 'unknown', reason: 'http-error' }],
    [
      'HTTP 500',
      [500, 'oops', 'text/plain'],
      { status: 'unknown', reason: 'http-error', operatorCode: 'HTTP_500' },
    ],
    [
      'HTTP 502 with html',
      [502, '<html>bad gateway</html>', 'text/html'],
      { status: 'unknown', reason: 'http-error' },
    ],
    ['HTTP 500 with a definitive FAILED', [500, answer('FAILED'), JSON_TYPE], { status: 'failed' }],
    ['200 with garbage', [200, 'not json', 'text/plain'], { status: 'unknown', reason: 'unparseable' }],
    ['200 without status', [200, '{"ok":true}', JSON_TYPE], { status: 'unknown', reason: 'unparseable' }],
    [
      '200 for another externalId',
      [200, JSON.stringify({ externalId: 'OTHER', status: 'SUCCESSFUL' }), JSON_TYPE],
      { status: 'unknown', reason: 'unparseable' },
    ],
    ['no answer', 'hang', { status: 'unknown', reason: 'timeout' }],
    ['reset after the request', 'reset', { status: 'unknown', reason: 'reset' }],
  ];

  before(async () => {
    server = await startScriptedServer(
      script.map(([, step]) =>
        step === 'hang' ? hang() : step === 'reset' ? resetAfterBody() : reply(...step),
      ),
    );
    connector = connectorFor(server.url);
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  it('sends POST /topups with the API key and the JSON body', async () => {
    // (the first scripted answer)
    const out = await connector.recharge(makeCall({ product: DATA_1GB }), ctxFor(server.url, agent));
    assert.equal(out.status, 'succeeded');
    const seen = server.requests[0]!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url.pathname, '/topups');
    assert.equal(seen.headers['x-api-key'], 'k-123');
    assert.match(String(seen.headers['content-type']), /application\/json/);
    assert.deepEqual(JSON.parse(seen.body), {
      externalId: ref,
      msisdn: '+93701234567',
      amount: '100',
      currency: 'AFN',
      productId: 'DATA_1GB',
    });
  });

  for (const [name, , expected] of script.slice(1)) {
    it(`classifies ${name}`, async () => {
      const out = await connector.recharge(makeCall(), ctxFor(server.url, agent));
      for (const [key, value] of Object.entries(expected)) {
        assert.equal((out as Record<string, unknown>)[key], value, `${key} of ${JSON.stringify(out)}`);
      }
    });
  }

  it('a refused connection is failed and not sent', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const out = await connector.recharge(makeCall(), ctxFor(url, agent));
    assert.deepEqual(
      out.status === 'failed' && [out.sent, out.operatorCode],
      [false, 'CONNECT_REFUSED'],
      JSON.stringify(out),
    );
  });

  it('writes amounts with the currency exponent, and as configured', async () => {
    const s = await startScriptedServer([
      reply(200, answer('SUCCESSFUL'), JSON_TYPE),
      reply(200, answer('SUCCESSFUL'), JSON_TYPE),
    ]);
    try {
      await connectorFor(s.url).recharge(makeCall({ amountMinor: 250 }), ctxFor(s.url, agent));
      assert.equal(JSON.parse(s.requests[0]!.body).amount, '2.50');
      const minor = createRestJsonConnector({
        operator: makeOperator('rest-json', s.url, { amountFormat: 'minor' }),
        credentials: { apiKey: 'k' },
      });
      await minor.recharge(makeCall({ amountMinor: 250 }), ctxFor(s.url, agent));
      assert.equal(JSON.parse(s.requests[1]!.body).amount, 250);
    } finally {
      await s.close();
    }
  });
});

describe('rest-json connector: status', () => {
  let server: ScriptedServer;
  let connector: Connector;
  const agent = testAgent();
  const script: [string, Parameters<typeof reply> | 'hang', string][] = [
    ['SUCCESSFUL', [200, answer('SUCCESSFUL'), JSON_TYPE], 'succeeded'],
    ['PROCESSING', [200, answer('PROCESSING'), JSON_TYPE], 'pending'],
    ['FAILED', [200, answer('FAILED'), JSON_TYPE], 'failed'],
    ['404', [404, '{"message":"not found"}', JSON_TYPE], 'not-found'],
    ['an empty list', [200, '[]', JSON_TYPE], 'not-found'],
    [
      'a list holding ours',
      [200, JSON.stringify({ items: [JSON.parse(answer('SUCCESSFUL'))] }), JSON_TYPE],
      'succeeded',
    ],
    [
      'a list holding another',
      [200, JSON.stringify([{ externalId: 'X', status: 'SUCCESSFUL' }]), JSON_TYPE],
      'not-found',
    ],
    ['HTTP 503', [503, 'busy', 'text/plain'], 'error'],
    ['HTTP 401', [401, '{"error":{"code":"UNAUTHORIZED"}}', JSON_TYPE], 'error:auth'],
    ['HTTP 403', [403, '{"message":"Forbidden"}', JSON_TYPE], 'error:auth'],
    ['garbage', [200, 'garbage', 'text/plain'], 'error'],
    ['no answer', 'hang', 'error'],
  ];
  before(async () => {
    server = await startScriptedServer(script.map(([, step]) => (step === 'hang' ? hang() : reply(...step))));
    connector = connectorFor(`${server.url}/`);
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  for (const [name, , expected] of script) {
    it(`reads ${name} as ${expected}`, async () => {
      const out = await connector.status(makeCall(), ctxFor(`${server.url}/`, agent));
      assert.equal(statusRead(out), expected, JSON.stringify(out));
      const seen = server.requests.at(-1)!;
      assert.equal(seen.method, 'GET');
      assert.equal(seen.url.pathname, '/topups');
      assert.equal(seen.url.searchParams.get('externalId'), ref);
      assert.equal(seen.headers['x-api-key'], 'k-123');
    });
  }

  it('a refused connection is an error, never thrown', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    assert.equal((await connector.status(makeCall(), ctxFor(url, agent))).status, 'error');
  });
});
