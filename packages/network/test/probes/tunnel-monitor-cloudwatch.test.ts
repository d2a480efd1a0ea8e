/**
 * The tunnel monitor on the CloudWatch source: TunnelState through a recording stand-in for the
 * CloudWatch API (AWS cannot run here), the TCP probe against a real listener on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createCloudWatchTunnelSource } from '../../src/probes/cloudwatch-probe.js';
import { createTunnelMonitor, type MonitoredTunnelPair } from '../../src/probes/tunnel-monitor.js';
import { swanctlConnectionNames } from '../../src/render/swanctl-conf.js';
import { answerByIp, awsError, fakeCloudWatch } from '../helpers/fake-cloudwatch.js';

const T = Date.UTC(2025, 0, 15, 12, 0, 30);
const MIN = 60_000;

describe('tunnel monitor with the CloudWatch source', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const pairs = (): MonitoredTunnelPair[] => [
    { operatorId: 'awcc', tunnels: swanctlConnectionNames('awcc'), target: { host: '127.0.0.1', port } },
    { operatorId: 'roshan', tunnels: swanctlConnectionNames('roshan'), target: { host: '127.0.0.1', port } },
  ];
  const connections = [
    {
      operatorId: 'awcc',
      vpnId: 'vpn-0aaaaaaaaaaaaaaa1',
      tunnelOutsideIps: ['198.51.100.10', '198.51.100.20'] as const,
    },
  ];

  it('reads both tunnels from TunnelState, probes TCP, and shows the source', async () => {
    const cw = fakeCloudWatch({
      getMetricData: answerByIp({ '198.51.100.10': [[T - MIN, 0]], '198.51.100.20': [[T - MIN, 1]] }),
    });
    const monitor = createTunnelMonitor({
      tunnels: pairs(),
      source: createCloudWatchTunnelSource({ client: cw.client, connections, now: () => T }),
      now: () => T,
    });
    const snap = await monitor.tick();
    await monitor.stop();
    const awcc = snap.operators.find((o) => o.operatorId === 'awcc')!;
    assert.equal(awcc.source, 'cloudwatch');
    assert.equal(awcc.error, null);
    assert.deepEqual(
      awcc.tunnels.map((t) => ({ name: t.name, state: t.state, up: t.up, outsideIp: t.outsideIp })),
      [
        { name: 'awcc-tunnel1', state: 'DOWN', up: false, outsideIp: '198.51.100.10' },
        { name: 'awcc-tunnel2', state: 'UP', up: true, outsideIp: '198.51.100.20' },
      ],
    );
    assert.equal(awcc.tunnels[1].observedAt, T - MIN);
    assert.equal(awcc.active, 1);
    assert.equal(awcc.tcp?.outcome, 'connected');
    assert.equal(awcc.healthy, true);
    // an operator without a VPN connection in the source: unknown, saying why
    const roshan = snap.operators.find((o) => o.operatorId === 'roshan')!;
    assert.deepEqual(
      roshan.tunnels.map((t) => t.state),
      ['UNKNOWN', 'UNKNOWN'],
    );
    assert.match(roshan.error ?? '', /no VPN connection configured for roshan/);
    assert.equal(roshan.healthy, false);
    assert.equal(cw.calls.length, 1, 'one GetMetricData for the round');
  });

  it('survives CloudWatch failing: tunnels unknown with the error, tunnel-down emitted, the next round recovers', async () => {
    const up = answerByIp({ '198.51.100.10': [[T - MIN, 1]], '198.51.100.20': [[T - MIN, 1]] });
    const cw = fakeCloudWatch({ getMetricData: up });
    const monitor = createTunnelMonitor({
      tunnels: pairs().slice(0, 1),
      source: createCloudWatchTunnelSource({ client: cw.client, connections, now: () => T }),
      now: () => T,
    });
    const downs: string[] = [];
    const ups: string[] = [];
    monitor.on('tunnel-down', (e) => downs.push(e.tunnel));
    monitor.on('tunnel-up', (e) => ups.push(e.tunnel));

    let snap = await monitor.tick();
    assert.equal(snap.operators[0]?.active, 0);
    assert.deepEqual(ups, ['awcc-tunnel1', 'awcc-tunnel2']);

    cw.script = {
      getMetricData: () =>
        Promise.reject(
          awsError('AccessDeniedException', 'User is not authorized to perform: cloudwatch:GetMetricData'),
        ),
    };
    snap = await monitor.tick();
    const failed = snap.operators[0]!;
    assert.match(failed.error ?? '', /AccessDeniedException/);
    assert.deepEqual(
      failed.tunnels.map((t) => [t.state, t.up]),
      [
        ['UNKNOWN', false],
        ['UNKNOWN', false],
      ],
    );
    assert.match(failed.tunnels[0].error ?? '', /AccessDeniedException/);
    assert.equal(failed.active, null);
    assert.equal(failed.healthy, false, 'unknown is not up');
    assert.equal(failed.tcp?.outcome, 'connected', 'the TCP probe still ran');
    assert.deepEqual(downs, ['awcc-tunnel1', 'awcc-tunnel2']);

    cw.script = { getMetricData: up };
    snap = await monitor.tick();
    assert.equal(snap.operators[0]?.error, null);
    assert.equal(snap.operators[0]?.healthy, true);
    assert.deepEqual(ups, ['awcc-tunnel1', 'awcc-tunnel2', 'awcc-tunnel1', 'awcc-tunnel2']);
    await monitor.stop();
  });

  it('starts on a failing source without throwing and keeps polling every intervalMs', async () => {
    const cw = fakeCloudWatch({
      getMetricData: () => Promise.reject(awsError('ThrottlingException', 'Rate exceeded')),
    });
    const monitor = createTunnelMonitor({
      tunnels: pairs().slice(0, 1),
      source: createCloudWatchTunnelSource({ client: cw.client, connections, now: () => T }),
      intervalMs: 20,
    });
    await monitor.start();
    assert.match(monitor.snapshot().operators[0]?.error ?? '', /ThrottlingException/);
    cw.script = { getMetricData: answerByIp({ '198.51.100.10': [[T - MIN, 1]] }) };
    const deadline = Date.now() + 5_000;
    while (monitor.snapshot().operators[0]?.error !== null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await monitor.stop();
    const op = monitor.snapshot().operators[0]!;
    assert.equal(op.error, null, 'a later round read the tunnels again');
    assert.equal(op.tunnels[0].up, true);
    assert.ok(cw.calls.length >= 2);
  });

  it('reads a source that throws anyway as unknown, with the error', async () => {
    const monitor = createTunnelMonitor({
      tunnels: pairs().slice(0, 1),
      source: {
        kind: 'cloudwatch',
        read: () => Promise.reject(new Error('boom')),
        close: async () => {},
      },
    });
    const snap = await monitor.tick();
    await monitor.stop();
    assert.equal(snap.operators[0]?.error, 'cloudwatch: boom');
    assert.deepEqual(
      snap.operators[0]?.tunnels.map((t) => t.up),
      [false, false],
    );
  });

  it('refuses failover without VICI, and the VICI source without a socket, when built', () => {
    const cw = fakeCloudWatch({});
    assert.throws(
      () =>
        createTunnelMonitor({
          tunnels: pairs(),
          source: createCloudWatchTunnelSource({ client: cw.client, connections }),
          failover: true,
        }),
      /failover needs the VICI source/,
    );
    assert.throws(() => createTunnelMonitor({ tunnels: pairs() }), /needs a viciSocket/);
  });
});
