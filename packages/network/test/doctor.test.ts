/**
 * mnogate doctor in the lab: every layer passes on the working lab, and breaking one layer at a time
 * (a wrong PSK, a removed route, a whitelist excluding the source, wrong credentials) makes doctor
 * name that layer and only that one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DoctorReport } from '../src/doctor/doctor.js';
import { nsRun, run } from '../src/lab/exec.js';
import { type LabPlan, planLab } from '../src/lab/lab-plan.js';
import { renderNftables } from '../src/render/nftables.js';
import { createViciClient } from '../src/vici/client.js';
import { type LabConfigCopy, labConfigCopy, mnogate, requireLab } from './helpers/lab.js';

const PREFIX = 'mnodt';

describe('doctor names the broken layer', { ...requireLab(), timeout: 240_000 }, () => {
  let copy: LabConfigCopy;
  let plan: LabPlan;
  const doctor = async (operator: string, configFile = copy.file): Promise<DoctorReport> => {
    const r = await mnogate(['doctor', operator, '--config', configFile, '--lab', PREFIX, '--json'], 60_000);
    const report = JSON.parse(r.stdout) as DoctorReport;
    assert.equal(r.code, report.ok ? 0 : 1);
    return report;
  };
  const mtn = () => plan.operators.find((o) => o.id === 'mtn') as LabPlan['operators'][number];

  before(async () => {
    await mnogate(['lab', 'down', '--prefix', PREFIX]);
    copy = labConfigCopy();
    plan = planLab(copy.config, { prefix: PREFIX });
    const up = await mnogate([
      'lab',
      'up',
      '--config',
      copy.file,
      '--prefix',
      PREFIX,
      '--no-gateway',
      '--no-monitor',
    ]);
    assert.equal(up.code, 0, `lab up failed:\n${up.stdout}\n${up.stderr}`);
  });
  after(async () => {
    await mnogate(['lab', 'down', '--prefix', PREFIX]);
    copy?.remove();
  });

  it('passes every layer on the working lab, for every operator, inside the gateway namespace', async () => {
    for (const id of ['mtn', 'awcc']) {
      const report = await doctor(id);
      assert.deepEqual(report.failed, [], JSON.stringify(report, null, 2));
      assert.deepEqual(
        report.layers.map((l) => [l.layer, l.status]),
        [
          ['config', 'pass'],
          ['credentials', 'pass'],
          ['route', 'pass'],
          ['tunnel', 'pass'],
          ['tcp', 'pass'],
          ['application', 'pass'],
        ],
      );
      assert.equal(report.netns, plan.gatewayNetns);
      assert.match(report.layers[5]?.saw ?? '', /not-found/);
      assert.match(report.layers[3]?.saw ?? '', /dev ipsec0/);
    }
  });

  it('a wrong pre-shared key: the tunnel layer, only', async () => {
    const op = mtn();
    const t1 = op.tunnels[0];
    const edge = createViciClient({ socketPath: op.charon.socketPath });
    const cloud = createViciClient({ socketPath: plan.cloudCharon.socketPath });
    const psk = (await import('node:fs')).readFileSync(`${copy.dir}/secrets/mtn-vpn`, 'utf8');
    const right = (JSON.parse(psk) as { tunnel1: string }).tunnel1;
    const owners = [t1.peerOutside, t1.cloudOutside];
    try {
      await edge.loadShared({ id: `ike-${t1.names.ike}`, type: 'IKE', data: 'not-the-agreed-key', owners });
      await cloud.terminate({ ike: t1.names.ike, force: true, timeoutMs: -1 });
      await cloud.initiate({ child: t1.names.child, ike: t1.names.ike, timeoutMs: 5_000 }).then(
        () => assert.fail('the tunnel came up with a wrong PSK'),
        () => undefined,
      );
      const report = await doctor('mtn');
      assert.deepEqual(report.failed, ['tunnel'], JSON.stringify(report, null, 2));
      assert.match(report.layers.find((l) => l.layer === 'tunnel')?.fix ?? '', /pre-shared key/);
    } finally {
      await edge.loadShared({ id: `ike-${t1.names.ike}`, type: 'IKE', data: right, owners });
      await cloud.initiate({ child: t1.names.child, ike: t1.names.ike, timeoutMs: 10_000 });
      await edge.close();
      await cloud.close();
    }
    assert.deepEqual((await doctor('mtn')).failed, []);
  });

  it('a removed route: the route layer, only', async () => {
    const op = mtn();
    const route = [op.remoteCidrs[0] as string, 'via', op.vpcNextHop, 'src', op.egressSource];
    await run('ip', ['-n', plan.gatewayNetns, 'route', 'del', ...route]);
    try {
      const report = await doctor('mtn');
      assert.deepEqual(report.failed, ['route'], JSON.stringify(report, null, 2));
      assert.match(report.layers.find((l) => l.layer === 'route')?.fix ?? '', /static route/);
    } finally {
      await run('ip', ['-n', plan.gatewayNetns, 'route', 'add', ...route]);
    }
  });

  it('a whitelist that excludes our source: the tcp layer, only', async () => {
    const op = mtn();
    const apply = (allowedSources?: string[]) =>
      nsRun(op.edgeNetns, 'nft', ['-f', '-'], {
        input: renderNftables(copy.config, 'mtn', {
          nat: false,
          edgeFirewall: true,
          ...(allowedSources ? { allowedSources } : {}),
        }),
      });
    await apply(['10.60.99.0/24']);
    try {
      const report = await doctor('mtn');
      assert.deepEqual(report.failed, ['tcp'], JSON.stringify(report, null, 2));
      assert.match(report.layers.find((l) => l.layer === 'tcp')?.fix ?? '', /whitelist/);
    } finally {
      await apply();
    }
  });

  it('wrong credentials: the application layer, only', async () => {
    const wrong = copy.withSecret('mtn-api', '{ "apiKey": "rotated-and-not-updated" }');
    const report = await doctor('mtn', wrong);
    assert.deepEqual(report.failed, ['application'], JSON.stringify(report, null, 2));
    const app = report.layers.find((l) => l.layer === 'application');
    assert.match(app?.fix ?? '', /credentials/);
    // the connector read the operator's answer as a refusal of the credentials (HTTP 401), not as trouble
    assert.match(app?.saw ?? '', /credentials were refused: .*401/);
    const awcc = await doctor(
      'awcc',
      copy.withSecret('awcc-api', '{ "userId": "mnogate-lab-user", "password": "old" }'),
    );
    assert.deepEqual(awcc.failed, ['application'], JSON.stringify(awcc, null, 2));
    assert.match(
      awcc.layers.find((l) => l.layer === 'application')?.saw ?? '',
      /credentials were refused: .*\b20\b/,
    );
  });
});
