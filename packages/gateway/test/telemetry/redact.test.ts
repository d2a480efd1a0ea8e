/**
 * Redaction of credentials inside bodies, on what each dialect's connector really puts on the wire
 * (captured by a local server), and MSISDN masking; then the logger applying both to every line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Agent } from 'undici';
import { createConnector } from '../../src/connectors/registry.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { maskMsisdns, REDACTED, redactBody, redactXml } from '../../src/telemetry/redact.js';
import { makeCall, reply, startScriptedServer } from '../connectors/helpers.js';
import { demoCredentials, loadDemoConfig } from '../harness.js';

/** A request as a log line would show it: request line, header lines, body. */
function dump(seen: { method: string; url: URL; headers: Record<string, unknown>; body: string }): string {
  const headers = Object.entries(seen.headers).map(([k, v]) => `${k}: ${String(v)}`);
  return [`${seen.method} ${seen.url.pathname}${seen.url.search}`, ...headers, '', seen.body].join('\r\n');
}

describe('redactBody on each dialect', async () => {
  const config = loadDemoConfig();
  const credentials = await demoCredentials(config);

  for (const op of config.operators) {
    it(`${op.api.dialect} (${op.id}): no credential survives in the request or the status query`, async () => {
      const server = await startScriptedServer([reply(500, 'oops'), reply(500, 'oops')]);
      const agent = new Agent();
      try {
        const endpoint = new URL(op.api.endpoints[0]!);
        const target = new URL(server.url);
        endpoint.host = target.host;
        const connector = await createConnector(op, { credentials: credentials[op.id]! });
        const ctx = { endpoint: endpoint.href, dispatcher: agent, timeoutMs: 2_000 };
        await connector.recharge(makeCall({ product: op.products[0]! }), ctx);
        if (op.api.statusQuery) await connector.status(makeCall({ product: op.products[0]! }), ctx);
        assert.ok(server.requests.length >= 1);
        // the secret fields: user ids and system codes are identities, sent in other elements too
        const values = Object.entries(credentials[op.id]!)
          .filter(([k]) => /^(password|pin|apiKey)$/.test(k))
          .map(([, v]) => v);
        assert.ok(values.length > 0);
        for (const seen of server.requests) {
          const raw = dump(seen);
          assert.ok(
            values.some((v) => raw.includes(v)),
            'the wire carries a credential (else this test proves nothing)',
          );
          const redacted = redactBody(raw);
          for (const v of values) assert.ok(!redacted.includes(v), `${v} left in:\n${redacted}`);
          assert.ok(redacted.includes(REDACTED));
        }
      } finally {
        await agent.close();
        await server.close();
      }
    });
  }

  it('redactXml: prefixed, attributed, CDATA and upper-case elements; other elements kept', () => {
    assert.equal(
      redactXml(
        '<a><wsse:Password Type="PasswordText">pw1</wsse:Password><PIN><![CDATA[12<34]]></PIN><userId>u</userId></a>',
      ),
      '<a><wsse:Password Type="PasswordText">[redacted]</wsse:Password><PIN>[redacted]</PIN><userId>u</userId></a>',
    );
    assert.equal(redactXml('<cbs:Password/>'), '<cbs:Password/>');
  });

  it('redactBody: query strings, JSON (also escaped inside a string) and header lines', () => {
    assert.equal(
      redactBody('/x?LOGIN=l&PASSWORD=p&MSISDN=1'),
      '/x?LOGIN=[redacted]&PASSWORD=[redacted]&MSISDN=1',
    );
    assert.equal(redactBody('{"apiKey":"k","n":1}'), '{"apiKey":"[redacted]","n":1}');
    assert.equal(redactBody('{"m":"{\\"password\\":\\"p\\"}"}'), '{"m":"{\\"password\\":\\"[redacted]\\"}"}');
    assert.equal(
      redactBody('Authorization: Bearer mng_x\r\nX-API-Key: k'),
      'Authorization: [redacted]\r\nX-API-Key: [redacted]',
    );
  });

  it('maskMsisdns: E.164, URL-encoded, and msisdn= parameters keep the country code and last 3 digits', () => {
    assert.equal(maskMsisdns('to +93701234567.'), 'to +93******567.');
    assert.equal(maskMsisdns('/v1/recharges?msisdn=%2B93701234567'), '/v1/recharges?msisdn=%2B93******567');
    assert.equal(maskMsisdns('?msisdn=0701234567&x=1'), '?msisdn=*******567&x=1');
  });
});

describe('createLogger', () => {
  it('redacts credential fields and strings, and masks MSISDNs, on every line (children included)', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (l: string) => lines.push(l) } });
    const child = logger.child({ reqId: 'req-1' });
    child.info({ password: 'p1', nested: { apiKey: 'k1' }, body: '<password>p2</password>' }, 'x');
    child.info(
      { req: { url: '/v1/recharges?msisdn=%2B93701234567', headers: { authorization: 'Bearer mng_1' } } },
      'y',
    );
    child.warn('number +93701234567 failed');
    const text = lines.join('');
    for (const secret of ['p1', 'k1', 'p2', 'mng_1', '93701234567'])
      assert.ok(!text.includes(secret), secret);
    assert.ok(text.includes('+93******567'));
    assert.ok(text.includes('"reqId":"req-1"'));
    for (const line of lines) JSON.parse(line); // still valid JSON
  });
});
