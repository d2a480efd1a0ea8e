/** Configuration reload without a restart: validated first, a bad one refused, the diff audited. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { eventually, type Harness, numberFor, startHarness } from './harness.js';

describe('configuration reload', () => {
  let h: Harness;
  let file: string;
  before(async () => {
    h = await startHarness();
    file = h.writeConfigFile();
  });
  after(async () => {
    await h?.close();
  });

  const admin = () => ({ authorization: `Bearer ${h.keys.admin}` });
  const reload = (payload: object) =>
    h.gateway.app.inject({ method: 'POST', url: '/v1/admin/config/reload', headers: admin(), payload });
  const lookup = (msisdn: string) =>
    h.gateway.app.inject({ method: 'POST', url: '/v1/lookups', headers: admin(), payload: { msisdn } });

  it('serves the running configuration to admins only', async () => {
    const res = await h.gateway.app.inject({ method: 'GET', url: '/v1/admin/config', headers: admin() });
    assert.equal(res.statusCode, 200);
    assert.equal(parse(res.json().yaml).operators.length, 4);
    const client = await h.gateway.app.inject({
      method: 'GET',
      url: '/v1/admin/config',
      headers: { authorization: `Bearer ${h.keys.client}` },
    });
    assert.equal(client.statusCode, 403);
  });

  it('refuses an invalid configuration with its issues and keeps the running one', async () => {
    const broken = readFileSync(file, 'utf8').replace('id: roshan', 'id: awcc');
    const res = await reload({ yaml: broken });
    assert.equal(res.statusCode, 422, res.body);
    const problem = res.json();
    assert.equal(problem.code, 'MNOGATE_ERR_CONFIG_DUPLICATE_ID');
    assert.ok(
      problem.issues.some((i: { path: string; line: number }) => i.path === 'operators[1].id' && i.line > 0),
    );
    assert.equal(h.gateway.config().operators[1]!.id, 'roshan', 'the running configuration stays');
    assert.equal(
      readFileSync(file, 'utf8').includes('id: awcc\n    name: Roshan'),
      false,
      'the file was not written',
    );
  });

  it('applies a valid one at once, saves it, keeps unchanged operators, and audits the diff', async () => {
    const unchanged = h.gateway.operators().get('awcc');
    const before = await lookup('+93751234567');
    assert.equal(before.json().code, 'MNOGATE_ERR_ROUTE_NO_OPERATOR');
    const doc = parse(readFileSync(file, 'utf8'));
    doc.operators[3].prefixes.push('+9375');
    const res = await reload({ yaml: stringify(doc) });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().restartRequired, []);
    assert.ok(
      res.json().changes.some((c: { path: string }) => c.path.startsWith('operators[mtn].prefixes')),
      res.body,
    );
    const after = await lookup('+93751234567');
    assert.equal(after.json().operator.id, 'mtn');
    assert.equal(h.gateway.operators().get('awcc'), unchanged, 'an unchanged operator keeps its runtime');
    assert.ok(readFileSync(file, 'utf8').includes('+9375'), 'saved to the configuration file');
    const sent = h.simulators.counters('mtn').topups;
    const recharge = await h.gateway.app.inject({
      method: 'POST',
      url: '/v1/recharges',
      headers: { authorization: `Bearer ${h.keys.client}`, 'idempotency-key': `reload-${Date.now()}` },
      payload: { msisdn: numberFor('+9375'), amount: '100', currency: 'AFN' },
    });
    // routed to mtn and sent (the simulator, started on the old configuration, does not know the prefix)
    assert.equal(recharge.json().operatorId, 'mtn', recharge.body);
    assert.equal(h.simulators.counters('mtn').topups, sent + 1);
    const audit = await h.gateway.store.listAudit({ action: 'config.reload' }, 10);
    assert.equal(audit.items.length, 1);
    assert.equal(audit.items[0]!.actor, 'admin:ops');
  });

  it('reloads from the file when no YAML is sent (as SIGHUP does)', async () => {
    const doc = parse(readFileSync(file, 'utf8'));
    doc.operators[0].name = 'AWCC (renamed)';
    writeFileSync(file, stringify(doc));
    const res = await reload({});
    assert.equal(res.statusCode, 200, res.body);
    const ops = await h.gateway.app.inject({ method: 'GET', url: '/v1/operators', headers: admin() });
    assert.equal(ops.json().items[0].name, 'AWCC (renamed)');
  });

  it('says which gateway settings wait for a restart (all but the routing)', async () => {
    const doc = parse(readFileSync(file, 'utf8'));
    doc.gateway.exchanges = { retentionDays: 7 };
    doc.gateway.reconciler = { ...(doc.gateway.reconciler ?? {}), maxAttempts: 5 };
    const res = await reload({ yaml: stringify(doc) });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([...res.json().restartRequired].sort(), ['gateway.exchanges', 'gateway.reconciler']);
  });

  it("watches a newly added VPN operator's tunnels at once: the tunnel monitor is rebuilt, no restart", async () => {
    const doc = parse(readFileSync(file, 'utf8'));
    // our end of the tunnels is a charon that is not running here: the monitor reads no SA and says why
    doc.gateway.tunnelMonitor = { viciSocket: '/run/mnogate-test-no-such-charon.vici', intervalMs: 200 };
    const tunnel = (n: number) => ({
      insideCidr: `169.254.10.${n * 4}/30`,
      preSharedKey: `secret:mtn-vpn#tunnel${n + 1}`,
      ikeVersions: ['ikev2'],
      phase1: { encryption: ['AES256'], integrity: ['SHA2-256'], dhGroups: [14], lifetimeSeconds: 28800 },
      phase2: { encryption: ['AES256'], integrity: ['SHA2-256'], dhGroups: [14], lifetimeSeconds: 3600 },
    });
    const mtn = doc.operators.find((o: { id: string }) => o.id === 'mtn');
    mtn.vpn = {
      peerIp: '203.0.113.10',
      remoteCidrs: ['172.20.10.0/24'],
      routing: 'static',
      tunnels: [tunnel(0), tunnel(1)],
    };
    const res = await reload({ yaml: stringify(doc) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().restartRequired.includes('gateway.tunnelMonitor'), false, res.body);
    const tunnels = await eventually(async () => {
      const health = await h.gateway.app.inject({
        method: 'GET',
        url: '/v1/admin/operators/health',
        headers: admin(),
      });
      const op = health.json().operators.find((o: { id: string }) => o.id === 'mtn');
      return op?.tunnels.length === 2 && op.tunnels.every((t: { error?: string }) => t.error)
        ? (op.tunnels as { name: string; up: boolean; error: string }[])
        : undefined;
    });
    assert.deepEqual(
      tunnels.map((t) => [t.name, t.up]),
      [
        ['mtn-tunnel1', false],
        ['mtn-tunnel2', false],
      ],
    );
    assert.match(tunnels[0]!.error, /no-such-charon|ENOENT|connect/);
  });
});
