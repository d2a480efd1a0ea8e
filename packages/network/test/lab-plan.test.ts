/** The lab's plan is a pure function of the config; its addresses stay in the lab's own ranges. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contains, parseCidr, parseIpv4 } from '@mnogate/core';
import { renderLabSwanctl } from '../src/lab/lab.js';
import { LabError, planLab } from '../src/lab/lab-plan.js';
import { clone, loadExample } from './helpers/config.js';

describe('planLab', () => {
  const config = loadExample('lab');

  it('names every namespace with the one prefix and runs one charon per edge', () => {
    const plan = planLab(config, { prefix: 'mnox' });
    assert.ok(plan.namespaces.every((n) => n.name.startsWith('mnox-')));
    assert.deepEqual(plan.namespaces.map((n) => n.role).sort(), [
      'cloud',
      'edge',
      'edge',
      'gateway',
      'inet',
      'operator',
      'operator',
    ]);
    assert.equal(plan.runDir, '/run/mnox');
    assert.deepEqual(
      new Set([plan.cloudCharon.socketPath, ...plan.operators.map((o) => o.charon.socketPath)]).size,
      3,
    );
  });

  it('uses documentation ranges on the internet links and the config ranges inside', () => {
    const plan = planLab(config);
    const inet = plan.namespaces.find((n) => n.role === 'inet');
    const doc = [parseCidr('198.51.100.0/24'), parseCidr('203.0.113.0/24')];
    for (const a of inet?.addresses ?? [])
      assert.ok(
        doc.some((d) => contains(d, parseIpv4(a.cidr.split('/')[0] as string))),
        a.cidr,
      );
    for (const op of plan.operators) {
      assert.ok(op.tunnels.every((t) => doc.some((d) => contains(d, parseIpv4(t.cloudOutside)))));
      assert.ok(contains(parseCidr(op.egressSubnet), parseIpv4(op.egressSource)));
    }
    const cloud = plan.namespaces.find((n) => n.role === 'cloud');
    // without a tunnel the cloud edge drops operator traffic rather than routing it in clear
    assert.deepEqual(
      cloud?.routes.filter((r) => r.args[0] === 'blackhole').map((r) => r.args[1]),
      ['172.20.10.0/24', '10.201.0.0/24'],
    );
  });

  it('renders both ends from the peer-config renderers, UDP-encapsulated, no automatic start', () => {
    const plan = planLab(config);
    const conf = renderLabSwanctl(config, plan, { mtn: ['a', 'b'], awcc: ['c', 'd'] });
    assert.match(conf.cloud, /mtn-tunnel1 \{[\s\S]*local_addrs = 198\.51\.100\.1[\s\S]*encap = yes/);
    assert.match(conf.cloud, /awcc-tunnel2 \{[\s\S]*local_addrs = 198\.51\.100\.2/);
    assert.match(conf.edges.mtn ?? '', /remote_addrs = 198\.51\.100\.2/);
    assert.doesNotMatch(`${conf.cloud}${conf.edges.mtn}`, /start_action = (start|trap)/);
  });

  it('refuses an endpoint outside the remote CIDRs', () => {
    const bad = clone(config);
    (bad.operators[0] as { api: { endpoints: string[] } }).api.endpoints = ['http://192.0.2.1:8080'];
    assert.throws(() => planLab(bad), LabError);
  });
});
