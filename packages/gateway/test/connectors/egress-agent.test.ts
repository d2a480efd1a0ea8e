import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEgressAgent } from '../../src/connectors/egress-agent.js';
import { createRestJsonConnector } from '../../src/connectors/rest-json/index.js';
import {
  closedPort,
  ctxFor,
  makeCall,
  makeOperator,
  reply,
  type ScriptedServer,
  startScriptedServer,
} from './helpers.js';

const ok = JSON.stringify({ transactionId: 'T-1', externalId: makeCall().reference, status: 'SUCCESSFUL' });

describe('egress agent', () => {
  let server: ScriptedServer;
  before(async () => {
    server = await startScriptedServer([
      reply(200, ok, 'application/json'),
      reply(200, ok, 'application/json'),
      reply(200, ok, 'application/json'),
    ]);
  });
  after(() => server.close());

  it('GIVEN an operator with egress.sourceIp WHEN it recharges THEN the connection comes from that address', async () => {
    const operator = {
      ...makeOperator('rest-json', server.url),
      egress: { mode: 'static-ip' as const, sourceIp: '127.0.0.12', subnet: '127.0.0.8/29' },
    };
    const agent = createEgressAgent(operator);
    try {
      const connector = createRestJsonConnector({ operator, credentials: { apiKey: 'k' } });
      const out = await connector.recharge(makeCall(), ctxFor(server.url, agent));
      assert.equal(out.status, 'succeeded');
      assert.equal(server.requests[0]?.remoteAddress, '127.0.0.12');
    } finally {
      await agent.close();
    }
  });

  it('two operators leave from their own addresses', async () => {
    const a = {
      ...makeOperator('rest-json', server.url),
      egress: { mode: 'cidr' as const, subnet: '127.0.0.16/29', sourceIp: '127.0.0.17' },
    };
    const b = {
      ...makeOperator('rest-json', server.url),
      egress: { mode: 'cidr' as const, subnet: '127.0.0.24/29', sourceIp: '127.0.0.25' },
    };
    const agentA = createEgressAgent(a);
    const agentB = createEgressAgent(b);
    try {
      await createRestJsonConnector({ operator: a, credentials: {} }).recharge(
        makeCall(),
        ctxFor(server.url, agentA),
      );
      await createRestJsonConnector({ operator: b, credentials: {} }).recharge(
        makeCall(),
        ctxFor(server.url, agentB),
      );
      assert.deepEqual(
        server.requests.slice(1).map((r) => r.remoteAddress),
        ['127.0.0.17', '127.0.0.25'],
      );
    } finally {
      await agentA.close();
      await agentB.close();
    }
  });

  it('uses the connect timeout and still reports a refused connection as not sent', async () => {
    const operator = {
      ...makeOperator('rest-json', server.url),
      egress: { mode: 'cidr' as const, subnet: '127.0.0.8/29', sourceIp: '127.0.0.13' },
    };
    const agent = createEgressAgent(operator);
    try {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const out = await createRestJsonConnector({ operator, credentials: {} }).recharge(
        makeCall(),
        ctxFor(url, agent),
      );
      assert.deepEqual(out.status === 'failed' && [out.sent, out.operatorCode], [false, 'CONNECT_REFUSED']);
    } finally {
      await agent.close();
    }
  });
});
