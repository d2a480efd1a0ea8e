/**
 * A full scenario through a real gateway and the simulators (every dialect, successes, refusals,
 * an unknown settled by the reconciler, an admin decision, lookups, lists, metrics, the audit
 * trail), then: no configured secret value and no API key appears in the logs, the metrics, any
 * API response, the audit trail or the stored operator exchanges; the API's request id is on its recharge's operator call line;
 * with the production logger, no raw MSISDN appears in the logs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createGateway, createLogger, type Gateway } from '@mnogate/gateway';
import {
  DEMO_DIR,
  eventually,
  type Harness,
  loadDemoConfig,
  numberFor,
  startHarness,
  startSimulators,
} from '../harness.js';

/** Every string value in the demo secrets (examples/demo/secrets/*). */
function demoSecretValues(): string[] {
  const dir = join(DEMO_DIR, 'secrets');
  const values: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('-api')) continue;
    const obj = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, string>;
    values.push(...Object.values(obj));
  }
  return values;
}

/** The value as a token of its own (a 4-digit PIN must not match inside a timestamp). */
function occurs(text: string, value: string): boolean {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9_-])${escaped}(?![A-Za-z0-9_-])`).test(text);
}

describe('no secret leaks', () => {
  let h: Harness;
  const responses: string[] = [];
  before(async () => {
    h = await startHarness({ requestMs: 500, hangMs: 1_000, settleWindowMs: 500 });
  });
  after(async () => {
    await h?.close();
  });

  async function call(
    method: 'GET' | 'POST',
    url: string,
    key: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await h.gateway.app.inject({
      method,
      url,
      payload: payload as never,
      headers: { authorization: `Bearer ${key}`, ...headers },
    });
    responses.push(JSON.stringify(res.headers), res.body);
    return res;
  }

  it('a full scenario leaves no secret in logs, metrics, responses or the audit trail', async () => {
    const ids: string[] = [];
    // every operator (every dialect): a success and a refusal
    for (const prefix of ['+9370', '+9379', '+9378', '+9377']) {
      for (const last of ['000', '901']) {
        const res = await call(
          'POST',
          '/v1/recharges',
          h.keys.client,
          { msisdn: numberFor(prefix, last), amount: '50', currency: 'AFN' },
          { 'idempotency-key': `leak-${prefix}-${last}-${Date.now()}` },
        );
        assert.ok([201, 202].includes(res.statusCode), res.body);
        ids.push(res.json().id);
      }
    }
    // an ambiguous one, which the reconciler settles
    const unknown = await call(
      'POST',
      '/v1/recharges',
      h.keys.client,
      { msisdn: numberFor('+9370', '911'), amount: '50', currency: 'AFN' },
      { 'idempotency-key': `leak-unknown-${Date.now()}`, 'x-request-id': 'req-leak-trace-1' },
    );
    assert.equal(unknown.json().status, 'unknown');
    await eventually(async () => {
      const r = await call('GET', `/v1/recharges/${unknown.json().id}`, h.keys.admin);
      return r.json().status === 'unknown' ? undefined : true;
    });
    await call('POST', '/v1/lookups', h.keys.client, { msisdn: numberFor('+9377') });
    await call('GET', '/v1/operators', h.keys.client);
    await call('GET', '/v1/recharges?limit=50', h.keys.admin);
    await call('GET', '/v1/admin/unresolved?all=true', h.keys.admin);
    // every recharge's detail, with its operator exchanges (every dialect's request and answer)
    const exchanges: unknown[] = [];
    for (const id of [...ids, unknown.json().id]) {
      const detail = await call('GET', `/v1/admin/recharges/${id}`, h.keys.admin);
      assert.ok(detail.json().exchanges.length >= 1, `${id} has its operator exchanges`);
      exchanges.push(...(await h.gateway.store.getExchanges(id)));
    }
    await call('GET', '/v1/admin/audit?limit=200', h.keys.admin);
    await call('POST', '/v1/admin/audit/verify', h.keys.admin);
    await call('GET', '/v1/admin/config', h.keys.admin);
    const metrics = await call('GET', '/metrics', h.keys.admin);
    assert.equal(metrics.statusCode, 200);
    const audit = JSON.stringify(await h.gateway.store.auditEntries(0, 100_000));

    const secrets = demoSecretValues();
    assert.ok(secrets.includes('demo-ers-Pa55') && secrets.includes('4321'), 'the demo secrets were read');
    const apiKeys = Object.values(h.keys);
    const places: Record<string, string> = {
      logs: h.logs(),
      metrics: metrics.body,
      'API responses': responses.join('\n'),
      'audit trail': audit,
      'stored operator exchanges': JSON.stringify(exchanges),
    };
    for (const [where, text] of Object.entries(places)) {
      assert.ok(text.length > 100, `${where} collected`);
      for (const value of [...secrets, ...apiKeys]) {
        // login names equal to the product's name would match everywhere: they are not secrets
        if (value.toLowerCase() === 'mnogate') continue;
        assert.ok(!occurs(text, value), `${where} contain the secret value ${value.slice(0, 3)}...`);
      }
    }

    // one request id through the whole recharge: the API line and the engine's operator call line
    const lines = h
      .logs()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const traced = lines.filter((l) => l.reqId === 'req-leak-trace-1');
    assert.ok(
      traced.some((l) => l.msg === 'operator call' && l.rechargeId === unknown.json().id),
      'the operator call carries the request id',
    );
  });
});

describe('MSISDNs in the production logger', () => {
  let gateway: Gateway | undefined;
  let stopSimulators: (() => Promise<void>) | undefined;
  const lines: string[] = [];
  before(async () => {
    const config = loadDemoConfig();
    config.gateway.store = 'sqlite::memory:';
    config.gateway.secrets = { provider: 'file', dir: join(DEMO_DIR, 'secrets') };
    config.gateway.syncWindowMs = 3_000;
    const simulators = await startSimulators(config);
    stopSimulators = () => simulators.stop();
    gateway = await createGateway({
      config,
      baseDir: DEMO_DIR,
      env: {},
      background: false,
      logger: createLogger({ level: 'debug', destination: { write: (l: string) => lines.push(l) } }),
    });
    await gateway.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await gateway?.stop();
    await stopSimulators?.();
  });

  it('no raw MSISDN in any line: request URLs and messages are masked', async () => {
    const { generateApiKey } = await import('@mnogate/gateway');
    const { key, record } = generateApiKey({ clientId: 'c', name: 'c', scopes: ['admin'] });
    await gateway!.store.createApiKey(record);
    const msisdn = numberFor('+9377');
    const headers = { authorization: `Bearer ${key}`, 'idempotency-key': `mask-${Date.now()}` };
    const res = await gateway!.app.inject({
      method: 'POST',
      url: '/v1/recharges',
      headers,
      payload: { msisdn, amount: '50', currency: 'AFN' },
    });
    assert.equal(res.statusCode, 201, res.body);
    await gateway!.app.inject({
      method: 'GET',
      url: `/v1/recharges?msisdn=${encodeURIComponent(msisdn)}`,
      headers: { authorization: `Bearer ${key}` },
    });
    await gateway!.app.inject({
      method: 'GET',
      url: `/v1/recharges?msisdn=${msisdn.slice(3)}`,
      headers: { authorization: `Bearer ${key}` },
    });
    const text = lines.join('');
    assert.ok(text.includes('operator call'));
    const digits = msisdn.slice(1);
    assert.ok(!text.includes(digits), 'the full number appears nowhere');
    assert.ok(!text.includes(msisdn.slice(3)), 'nor its national form');
    assert.ok(
      text.includes(`%2B93`) && text.includes(msisdn.slice(-3)),
      'the masked form keeps cc and last 3',
    );
    assert.ok(!text.includes(key), 'nor the API key');
  });
});
