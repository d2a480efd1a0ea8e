/**
 * doctor's tunnel layer on AWS, where our end of the tunnels is AWS's and there is no local charon:
 * it reads TunnelState from CloudWatch (through a recording stand-in for the CloudWatch API, which
 * cannot run here), as the gateway's tunnel monitor does. Everything else is real, on loopback.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { MnogateConfig, OperatorConfig } from '@mnogate/core';
import { type DoctorReport, runDoctor } from '../src/doctor/doctor.js';
import { cloudWatchTunnelSourceFor } from '../src/probes/cloudwatch-probe.js';
import { clone, loadExample } from './helpers/config.js';
import { answerByIp, fakeCloudWatch } from './helpers/fake-cloudwatch.js';

const T = Date.now();
const MIN = 60_000;

describe('doctor: the tunnel layer from CloudWatch', () => {
  let server: Server;
  let config: MnogateConfig;

  before(async () => {
    server = createServer((s) => s.destroy()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    config = clone(loadExample('demo'));
    const op = config.operators.find((o) => o.id === 'awcc') as OperatorConfig;
    op.api.endpoints = [`http://127.0.0.1:${port}/topupservice/service`];
    // the operator's VPN as in the aws example; its state read from CloudWatch, outside IPs pinned
    const aws = loadExample('aws').operators.find((o) => o.id === 'awcc') as OperatorConfig;
    op.vpn = clone(aws.vpn);
    config.gateway.tunnelMonitor = {
      cloudwatch: {
        vpnConnections: { awcc: 'vpn-0aaaaaaaaaaaaaaa1' },
        tunnelOutsideIps: { awcc: ['198.51.100.10', '198.51.100.20'] },
      },
    } as MnogateConfig['gateway']['tunnelMonitor'];
  });
  after(() => {
    server.close();
  });

  const doctor = async (states: Record<string, [number, number][]>) => {
    const cw = fakeCloudWatch({ getMetricData: answerByIp(states) });
    const tunnelSource = cloudWatchTunnelSourceFor(config, { operatorIds: ['awcc'], client: cw.client });
    assert.ok(tunnelSource, 'the config names a CloudWatch source');
    try {
      const report = await runDoctor({
        operatorId: 'awcc',
        config,
        resolveCredentials: async () => ({ userId: 'u', password: 'p' }),
        applicationProbe: async () => ({ outcome: 'authenticated', ms: 2, saw: 'not-found' }),
        tunnelSource,
      });
      return { report, cw };
    } finally {
      await tunnelSource.close();
    }
  };
  const layer = (report: DoctorReport, name: string) => report.layers.find((l) => l.layer === name)!;

  it('passes when one tunnel is up, and says which, from the metric', async () => {
    const { report, cw } = await doctor({ '198.51.100.10': [[T - MIN, 0]], '198.51.100.20': [[T - MIN, 1]] });
    assert.deepEqual(report.failed, [], JSON.stringify(report.layers, null, 2));
    const tunnel = layer(report, 'tunnel');
    assert.equal(tunnel.status, 'pass');
    assert.match(
      tunnel.saw,
      /^cloudwatch: awcc-tunnel1 DOWN \(198\.51\.100\.10\); awcc-tunnel2 UP \(198\.51\.100\.20\)/,
    );
    assert.equal(cw.calls.length, 1);
    const call = cw.calls[0]!;
    assert.equal(call.kind, 'GetMetricData');
    assert.ok(
      JSON.stringify(call.input).includes('vpn-0aaaaaaaaaaaaaaa1'),
      "asks about the operator's VPN connection",
    );
  });

  it('fails the tunnel layer, only, when both tunnels are down; TCP is then not checked', async () => {
    const { report } = await doctor({ '198.51.100.10': [[T - MIN, 0]], '198.51.100.20': [[T - MIN, 0]] });
    assert.deepEqual(report.failed, ['tunnel']);
    assert.equal(layer(report, 'tcp').status, 'skip');
    assert.match(layer(report, 'tunnel').fix ?? '', /IKE proposal or pre-shared key/);
  });

  it('a metric with no datapoint is not "up": the layer fails, saying UNKNOWN', async () => {
    const { report } = await doctor({});
    assert.deepEqual(report.failed, ['tunnel']);
    assert.match(layer(report, 'tunnel').saw, /UNKNOWN/);
  });
});
