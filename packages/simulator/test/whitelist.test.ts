import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createSimulators, createWhitelist, type Simulators, whitelistFromEgress } from '../src/index.js';
import { httpCall, testConfig } from './helpers.js';

const KEY = 'k';
const config = testConfig([
  {
    id: 'fixed',
    dialect: 'rest-json',
    host: '127.0.1.25',
    path: '',
    prefixes: ['+9377'],
    egress: { mode: 'static-ip', sourceIp: '127.0.0.11', subnet: '127.0.0.8/29' },
  },
  {
    id: 'subnet',
    dialect: 'rest-json',
    host: '127.0.1.26',
    path: '/api',
    prefixes: ['+9376'],
    egress: { mode: 'cidr', subnet: '127.0.0.16/29' },
  },
]);

describe('whitelist arithmetic', () => {
  it('accepts exactly the static source, or the whole cidr', () => {
    const s = whitelistFromEgress({ mode: 'static-ip', sourceIp: '127.0.0.11', subnet: '127.0.0.8/29' });
    assert.deepEqual(s.cidrs, ['127.0.0.11/32']);
    assert.ok(s.allows('127.0.0.11'));
    assert.ok(s.allows('::ffff:127.0.0.11'));
    assert.ok(!s.allows('127.0.0.12'));
    const c = whitelistFromEgress({ mode: 'cidr', subnet: '127.0.0.16/29' });
    assert.ok(c.allows('127.0.0.16') && c.allows('127.0.0.23'));
    assert.ok(!c.allows('127.0.0.24') && !c.allows('127.0.0.15') && !c.allows('::1'));
    assert.ok(createWhitelist(['0.0.0.0/0']).allows('127.9.9.9'));
  });
});

describe('source-address whitelist on the wire (node:http localAddress)', () => {
  let sims: Simulators;
  const urls: Record<string, string> = {};

  before(async () => {
    sims = createSimulators(config, { credentials: { fixed: { apiKey: KEY }, subnet: { apiKey: KEY } } });
    for (const o of (await sims.start()).operators) urls[o.id] = o.url.replace(/\/$/, '');
  });
  after(() => sims.stop());
  beforeEach(() => sims.reset());

  const topup = (operator: string, localAddress: string | undefined, msisdn: string, ref: string) =>
    httpCall({
      url: `${urls[operator]}/topups`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ externalId: ref, msisdn, amount: 10, currency: 'AFN', productId: 'airtime' }),
      localAddress,
    });

  it('static-ip: serves its one source and refuses any other before HTTP, counting each', async () => {
    const ok = await topup('fixed', '127.0.0.11', '+93771234567', 'w-1');
    assert.equal(ok.kind === 'response' && ok.status, 201);
    for (const [source, ref] of [
      ['127.0.0.12', 'w-2'],
      ['127.0.0.1', 'w-3'],
    ] as const) {
      const r = await topup('fixed', source, '+93771234567', ref);
      assert.equal(r.kind, 'error');
      assert.equal(sims.ledger.find('fixed', ref), undefined);
    }
    const c = sims.counters('fixed');
    assert.equal(c.connectionsRefused, 2);
    assert.deepEqual(c.refusedSources, { '127.0.0.12': 1, '127.0.0.1': 1 });
    assert.equal(c.requests, 1);
    assert.equal(sims.ledger.balanceMinor('fixed', '+93771234567'), 1000);
  });

  it('cidr: serves any source in the subnet and refuses the others', async () => {
    for (const [source, ref] of [
      ['127.0.0.17', 's-1'],
      ['127.0.0.22', 's-2'],
    ] as const) {
      const r = await topup('subnet', source, '+93761234567', ref);
      assert.equal(r.kind === 'response' && r.status, 201);
    }
    const refused = await topup('subnet', '127.0.0.11', '+93761234567', 's-3');
    assert.equal(refused.kind, 'error');
    assert.equal(sims.counters('subnet').connectionsRefused, 1);
    assert.equal(sims.ledger.balanceMinor('subnet', '+93761234567'), 2000);
  });

  it('deny-all refuses even the whitelisted source until cleared', async () => {
    await sims.setFaults('fixed', { denyAll: true });
    assert.equal((await topup('fixed', '127.0.0.11', '+93771234567', 'd-1')).kind, 'error');
    assert.equal(sims.counters('fixed').refusedSources['127.0.0.11'], 1);
    await sims.setFaults('fixed', { denyAll: false });
    const ok = await topup('fixed', '127.0.0.11', '+93771234567', 'd-2');
    assert.equal(ok.kind === 'response' && ok.status, 201);
  });
});

describe('stop()', () => {
  it('releases a connection held by a never-answer fault at once (hangMs stays long)', async () => {
    const sims = createSimulators(config, {
      credentials: { fixed: { apiKey: KEY }, subnet: { apiKey: KEY } },
    });
    const started = await sims.start();
    const url = started.operators.find((o) => o.id === 'fixed')!.url;
    const pending = httpCall({
      url: `${url}topups`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ externalId: 'h-1', msisdn: '+93771230911', amount: 10, currency: 'AFN' }),
      localAddress: '127.0.0.11',
      timeoutMs: 10_000,
    });
    while (!sims.ledger.find('fixed', 'h-1')) await new Promise((r) => setTimeout(r, 10));
    const t0 = Date.now();
    await sims.stop();
    const r = await pending;
    assert.ok(Date.now() - t0 < 1_000, 'stop and the client end promptly');
    assert.equal(r.kind, 'error');
    assert.equal(sims.ledger.find('fixed', 'h-1')?.credited, true);
  });
});
