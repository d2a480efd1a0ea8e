/**
 * The gateway's tunnel states from the config's source. CloudWatch is a recording stand-in (AWS
 * cannot run here); the TCP probe goes to a real listener on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { type MnogateConfig, parseConfig } from '@mnogate/core';
import type { CloudWatchClientLike } from '@mnogate/network';
import { createGatewayTunnelMonitor } from '../../src/engine/tunnel-states.js';

const T = Date.UTC(2025, 0, 15, 12, 0, 30);

function tunnel(n: number, third: number): string {
  return `        - insideCidr: 169.254.${third}.${n * 4}/30
          preSharedKey: secret:vpn#t${n + 1}
          phase1: { encryption: [AES256], integrity: [SHA2-256], dhGroups: [14], lifetimeSeconds: 28800 }
          phase2: { encryption: [AES256], integrity: [SHA2-256], dhGroups: [14], lifetimeSeconds: 3600 }
`;
}

function operator(id: string, index: number, port: number, withVpn: boolean): string {
  return `  - id: ${id}
    name: ${id}
    country: AF
    prefixes: ["+937${index}"]
    currency: AFN
    products: [{ id: airtime, kind: airtime, denominations: ["50"] }]
    api: { dialect: rest-json, endpoints: ["http://127.0.0.1:${port}"], credentials: secret:${id}-api }
    egress: { mode: cidr, subnet: 10.40.${index}.0/24 }
${
  withVpn
    ? `    vpn:
      peerIp: 203.0.113.${index}
      remoteCidrs: [10.20${index}.0.0/24]
      peerAsn: 6501${index}
      tunnels:
${tunnel(0, 10 + index)}${tunnel(1, 10 + index)}`
    : ''
}`;
}

function configWith(tunnelMonitor: string, port: number): MnogateConfig {
  const text = `version: 1
gateway:
  store: "sqlite::memory:"
${tunnelMonitor}network:
  vpcCidr: 10.40.0.0/16
  region: eu-central-1
operators:
${operator('awcc', 1, port, true)}${operator('roshan', 2, port, true)}${operator('salaam', 3, port, false)}`;
  const parsed = parseConfig(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues, null, 1));
  return parsed.config;
}

/** CloudWatch stand-in: TunnelState per outside IP, or a thrown error; records every request. */
interface FakeCloudWatch {
  readonly requests: GetMetricDataCommandInput[];
  failWith: Error | null;
  state: Record<string, number>;
  readonly client: CloudWatchClientLike;
}

function fakeCloudWatch(): FakeCloudWatch {
  const fake: FakeCloudWatch = {
    requests: [] as GetMetricDataCommandInput[],
    failWith: null as Error | null,
    state: { '198.51.100.10': 1, '198.51.100.20': 0 } as Record<string, number>,
    client: {
      async send(command: unknown): Promise<unknown> {
        assert.ok(command instanceof GetMetricDataCommand, 'only GetMetricData: the outside IPs are pinned');
        fake.requests.push(command.input);
        if (fake.failWith) throw fake.failWith;
        return {
          MetricDataResults: (command.input.MetricDataQueries ?? []).map((q) => {
            const ip =
              q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'TunnelIpAddress')?.Value ?? '';
            const value = fake.state[ip];
            return {
              Id: q.Id,
              Timestamps: value === undefined ? [] : [new Date(T - 60_000)],
              Values: value === undefined ? [] : [value],
            };
          }),
        };
      },
    },
  };
  return fake;
}

function recordingLogger() {
  const lines: { level: 'warn' | 'info'; fields: Record<string, unknown>; msg: string }[] = [];
  const log = (level: 'warn' | 'info') => (fields: unknown, msg?: string) => {
    lines.push({ level, fields: fields as Record<string, unknown>, msg: msg ?? '' });
  };
  return { lines, logger: { warn: log('warn'), info: log('info') } as never };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const CLOUDWATCH = `  tunnelMonitor:
    intervalMs: 30
    cloudwatch:
      vpnConnections: { awcc: vpn-0aaaaaaaaaaaaaaa1 }
      tunnelOutsideIps: { awcc: [198.51.100.10, 198.51.100.20] }
`;

describe('gateway tunnel states', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('has no monitor without a tunnelMonitor section', () => {
    assert.equal(createGatewayTunnelMonitor(configWith('', port)), undefined);
  });

  it('keeps VICI when the config names a socket (nothing is read before start)', () => {
    const monitor = createGatewayTunnelMonitor(
      configWith('  tunnelMonitor: { viciSocket: /nonexistent/charon.vici }\n', port),
    );
    assert.ok(monitor);
    const ops = monitor.snapshot().operators;
    assert.deepEqual(
      ops.map((o) => [o.operatorId, o.source]),
      [
        ['awcc', 'vici'],
        ['roshan', 'vici'],
      ],
      'every operator with a vpn, none without',
    );
  });

  it('monitors only the fronted operator when the gateway is scoped to one', () => {
    const config = configWith(
      `  tunnelMonitor:
    cloudwatch:
      vpnConnections: { awcc: vpn-0aaaaaaaaaaaaaaa1, roshan: vpn-0bbbbbbbbbbbbbbb2 }
`,
      port,
    );
    const all = createGatewayTunnelMonitor(config, { cloudWatchClient: fakeCloudWatch().client });
    assert.deepEqual(
      all?.snapshot().operators.map((o) => o.operatorId),
      ['awcc', 'roshan'],
    );
    const scoped = createGatewayTunnelMonitor(config, {
      cloudWatchClient: fakeCloudWatch().client,
      operatorScope: 'roshan',
    });
    assert.deepEqual(
      scoped?.snapshot().operators.map((o) => o.operatorId),
      ['roshan'],
    );
  });

  it('reads CloudWatch for the operators whose VPN connection is configured, reports changes, logs failures once and recoveries', async () => {
    const cw = fakeCloudWatch();
    const { lines, logger } = recordingLogger();
    const changes: string[] = [];
    const monitor = createGatewayTunnelMonitor(configWith(CLOUDWATCH, port), {
      cloudWatchClient: cw.client,
      logger,
      now: () => T,
      onChange: (op, tunnel, up) => changes.push(`${op} ${tunnel} ${up ? 'up' : 'down'}`),
    });
    assert.ok(monitor);
    try {
      await monitor.start();
      assert.deepEqual(monitor.states('awcc'), [
        { name: 'awcc-tunnel1', up: true, state: 'UP' },
        { name: 'awcc-tunnel2', up: false, state: 'DOWN' },
      ]);
      assert.deepEqual(monitor.states('roshan'), [], 'a vpn without a connection id is not monitored');
      assert.deepEqual(monitor.states('salaam'), []);
      assert.deepEqual(changes, ['awcc awcc-tunnel1 up', 'awcc awcc-tunnel2 down']);
      const request = cw.requests[0]!;
      assert.deepEqual(
        request.MetricDataQueries?.map((q) => q.MetricStat?.Metric?.Dimensions),
        [
          [
            { Name: 'VpnId', Value: 'vpn-0aaaaaaaaaaaaaaa1' },
            { Name: 'TunnelIpAddress', Value: '198.51.100.10' },
          ],
          [
            { Name: 'VpnId', Value: 'vpn-0aaaaaaaaaaaaaaa1' },
            { Name: 'TunnelIpAddress', Value: '198.51.100.20' },
          ],
        ],
      );
      const snap = monitor.snapshot().operators[0]!;
      assert.equal(snap.source, 'cloudwatch');
      assert.equal(snap.tcp?.outcome, 'connected', 'the TCP probe through the tunnel still runs');

      // CloudWatch throttles: the tunnels read as not up, one warning, no crash
      cw.failWith = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      const failedFrom = cw.requests.length;
      await until(() => monitor.snapshot().operators[0]?.error != null, 'a failed round');
      await until(() => cw.requests.length >= failedFrom + 3, 'more failed rounds');
      // the health API says why: the source's error on each tunnel
      const unreadable = monitor.states('awcc');
      assert.deepEqual(
        unreadable.map((t) => [t.name, t.up]),
        [
          ['awcc-tunnel1', false],
          ['awcc-tunnel2', false],
        ],
      );
      for (const t of unreadable) assert.match(t.error ?? '', /ThrottlingException: Rate exceeded/);
      assert.match(monitor.snapshot().operators[0]?.error ?? '', /ThrottlingException: Rate exceeded/);
      const warnings = lines.filter((l) => l.level === 'warn');
      assert.equal(warnings.length, 1, 'one line per failure, not one per round');
      assert.equal(warnings[0]?.fields.operatorId, 'awcc');
      assert.equal(warnings[0]?.fields.source, 'cloudwatch');
      assert.match(String(warnings[0]?.fields.error), /ThrottlingException/);
      assert.ok(changes.includes('awcc awcc-tunnel1 down'));

      // the next rounds retry and recover
      cw.failWith = null;
      await until(() => monitor.states('awcc')[0]?.up === true, 'recovery');
      assert.equal(monitor.snapshot().operators[0]?.error, null);
      assert.equal(lines.filter((l) => l.level === 'info').length, 1, 'one line on recovery');
      assert.equal(changes.at(-1), 'awcc awcc-tunnel1 up');
    } finally {
      await monitor.stop();
    }
  });
});
