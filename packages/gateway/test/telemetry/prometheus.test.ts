/**
 * /metrics on a real gateway after real recharges: the right series, the key scopes, and
 * `promtool check metrics` on the output; the example rules pass `promtool check rules`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateApiKey } from '@mnogate/gateway';
import { eventually, type Harness, numberFor, REPO_ROOT, startHarness } from '../harness.js';
import { IN_CI, PROMTOOL_MISSING, promtool } from './promtool.js';

const RULES = join(REPO_ROOT, 'examples/prometheus/mnogate-rules.yml');

function needPromtool(): string | false {
  if (!PROMTOOL_MISSING) return false;
  if (IN_CI) throw new Error(`${PROMTOOL_MISSING}; CI must provide it`);
  return PROMTOOL_MISSING;
}

describe('prometheus', () => {
  let h: Harness;
  let metricsKey: string;
  before(async () => {
    h = await startHarness({ requestMs: 500, hangMs: 1_000 });
    const { key, record } = generateApiKey({
      clientId: 'prometheus',
      name: 'prometheus',
      scopes: ['metrics'],
    });
    await h.gateway.store.createApiKey(record);
    metricsKey = key;
  });
  after(async () => {
    await h?.close();
  });
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  const recharge = (msisdn: string, idempotencyKey: string) =>
    h.gateway.app.inject({
      method: 'POST',
      url: '/v1/recharges',
      headers: { ...auth(h.keys.client), 'idempotency-key': idempotencyKey },
      payload: { msisdn, amount: '50', currency: 'AFN' },
    });
  const scrape = async (key = metricsKey) =>
    h.gateway.app.inject({ method: 'GET', url: '/metrics', headers: auth(key) });

  it('counts outcomes, latency, replays and backlogs per operator, and promtool accepts the output', async (t) => {
    const ok = await recharge(numberFor('+9377'), `m-ok-${Date.now()}`);
    assert.equal(ok.statusCode, 201);
    assert.equal((await recharge(numberFor('+9377'), `m-ok-${Date.now()}`)).statusCode, 201);
    const key = `m-replay-${Date.now()}`;
    const msisdn = numberFor('+9370');
    assert.equal((await recharge(msisdn, key)).statusCode, 201);
    const replay = await recharge(msisdn, key);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    const rejected = await recharge(numberFor('+9379', '901'), `m-rej-${Date.now()}`);
    assert.equal(rejected.json().status, 'failed');
    const unknown = await recharge(numberFor('+9378', '913'), `m-unk-${Date.now()}`);
    assert.equal(unknown.json().status, 'unknown');
    h.gateway.metrics.setTunnelUp('awcc', 'tunnel-1', true);
    h.gateway.metrics.setTunnelUp('awcc', 'tunnel-2', false);
    h.gateway.metrics.setCircuitState('roshan', 'open');
    h.gateway.metrics.setEndpointUp('mtn', 'http://127.0.0.1:1/', false);

    const res = await scrape();
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = res.body;
    const has = (pattern: RegExp) => assert.match(text, pattern);
    has(/^mnogate_recharges_total\{operator="mtn",outcome="succeeded"\} 2$/m);
    has(/^mnogate_recharges_total\{operator="awcc",outcome="succeeded"\} 1$/m);
    has(/^mnogate_recharges_total\{operator="roshan",outcome="failed"\} 1$/m);
    has(/^mnogate_recharges_total\{operator="etisalat",outcome="unknown"\} 1$/m);
    has(/^mnogate_operator_calls_total\{operator="mtn",operation="recharge",outcome="succeeded"\} 2$/m);
    has(
      /^mnogate_operator_call_duration_seconds_bucket\{le="\+Inf",operator="mtn",operation="recharge"\} 2$/m,
    );
    has(/^mnogate_idempotency_replays_total 1$/m);
    has(/^mnogate_operator_in_flight\{operator="mtn"\} 0$/m);
    has(/^mnogate_reconciler_backlog\{state="unknown"\} [01]$/m);
    has(/^mnogate_oldest_unknown_age_seconds [\d.e+-]+$/m);
    has(/^mnogate_webhook_backlog \d+$/m);
    has(/^mnogate_tunnel_up\{operator="awcc",tunnel="tunnel-2"\} 0$/m);
    has(/^mnogate_circuit_state\{operator="roshan"\} 2$/m);
    has(/^mnogate_endpoint_up\{operator="mtn",endpoint="http:\/\/127\.0\.0\.1:1\/"\} 0$/m);
    has(/^mnogate_process_resident_memory_bytes \d+/m);
    has(/^mnogate_nodejs_eventloop_lag_seconds /m);

    // the unknown one is resolved by the reconciler's status query: a status call is counted
    await eventually(async () => {
      const body = (await scrape()).body;
      return /mnogate_operator_calls_total\{operator="etisalat",operation="status",outcome="[a-z-]+"\} [1-9]/.test(
        body,
      )
        ? true
        : undefined;
    });

    const skip = needPromtool();
    if (skip) {
      t.skip(skip);
      return;
    }
    const check = promtool(['check', 'metrics'], text);
    assert.equal(check.code, 0, check.output);
  });

  it('needs a key with the metrics or the admin scope', async () => {
    assert.equal((await h.gateway.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
    const reader = await scrape(h.keys.reader);
    assert.equal(reader.statusCode, 403);
    assert.equal(reader.json().code, 'MNOGATE_ERR_AUTH_SCOPE');
    assert.equal((await scrape(h.keys.client)).statusCode, 403);
    assert.equal((await scrape(h.keys.admin)).statusCode, 200);
  });

  it('two gateways in one process keep separate registries', async () => {
    const other = await startHarness();
    try {
      const res = await other.gateway.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: auth(other.keys.admin),
      });
      assert.equal(res.statusCode, 200);
      assert.doesNotMatch(res.body, /mnogate_recharges_total\{/);
      assert.match(res.body, /^mnogate_idempotency_replays_total 0$/m);
    } finally {
      await other.close();
    }
  });

  it('the example rules pass promtool check rules', (t) => {
    const skip = needPromtool();
    if (skip) {
      t.skip(skip);
      return;
    }
    const check = promtool(['check', 'rules', RULES]);
    assert.equal(check.code, 0, check.output);
    assert.match(check.output, /SUCCESS: \d+ rules found/);
  });
});
