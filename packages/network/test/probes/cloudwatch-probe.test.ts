/** The CloudWatch TunnelState probe, against a recording stand-in for the CloudWatch API (AWS cannot run here). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createCloudWatchTunnelProbe,
  GET_METRIC_DATA_MAX_QUERIES,
  sortOutsideIps,
  tunnelStatusOf,
} from '../../src/probes/cloudwatch-probe.js';
import { answerByIp, awsError, fakeCloudWatch, tunnelIpOf } from '../helpers/fake-cloudwatch.js';

const T = Date.UTC(2025, 0, 15, 12, 0, 30);
const MIN = 60_000;
const AWCC = {
  operatorId: 'awcc',
  vpnId: 'vpn-0aaaaaaaaaaaaaaa1',
  tunnelOutsideIps: ['198.51.100.10', '198.51.100.20'] as const,
};
const ROSHAN = {
  operatorId: 'roshan',
  vpnId: 'vpn-0bbbbbbbbbbbbbbb2',
  tunnelOutsideIps: ['198.51.100.30', '198.51.100.40'] as const,
};

describe('CloudWatch TunnelState probe', () => {
  it('asks once per round for every tunnel: AWS/VPN TunnelState by VpnId and TunnelIpAddress, Maximum per minute over the last 5 minutes', async () => {
    const cw = fakeCloudWatch({ getMetricData: answerByIp({}) });
    const probe = createCloudWatchTunnelProbe({ client: cw.client, now: () => T });
    await probe.read([AWCC, ROSHAN]);
    assert.equal(cw.calls.length, 1, 'one GetMetricData call for both operators, no ListMetrics');
    const call = cw.calls[0]!;
    assert.equal(call.kind, 'GetMetricData');
    if (call.kind !== 'GetMetricData') return;
    assert.equal(call.input.StartTime?.getTime(), T - 5 * MIN);
    assert.equal(call.input.EndTime?.getTime(), T);
    assert.equal(call.input.ScanBy, 'TimestampDescending');
    const queries = call.input.MetricDataQueries ?? [];
    assert.equal(queries.length, 4);
    assert.deepEqual(
      queries.map((q) => q.MetricStat?.Metric?.Dimensions),
      [
        [
          { Name: 'VpnId', Value: AWCC.vpnId },
          { Name: 'TunnelIpAddress', Value: '198.51.100.10' },
        ],
        [
          { Name: 'VpnId', Value: AWCC.vpnId },
          { Name: 'TunnelIpAddress', Value: '198.51.100.20' },
        ],
        [
          { Name: 'VpnId', Value: ROSHAN.vpnId },
          { Name: 'TunnelIpAddress', Value: '198.51.100.30' },
        ],
        [
          { Name: 'VpnId', Value: ROSHAN.vpnId },
          { Name: 'TunnelIpAddress', Value: '198.51.100.40' },
        ],
      ],
    );
    for (const q of queries) {
      assert.equal(q.MetricStat?.Metric?.Namespace, 'AWS/VPN');
      assert.equal(q.MetricStat?.Metric?.MetricName, 'TunnelState');
      assert.equal(q.MetricStat?.Period, 60);
      assert.equal(q.MetricStat?.Stat, 'Maximum');
      assert.equal(q.ReturnData, true);
      assert.match(q.Id ?? '', /^[a-z][a-zA-Z0-9_]*$/, 'GetMetricData ids start with a lower-case letter');
    }
    assert.equal(new Set(queries.map((q) => q.Id)).size, 4, 'ids are unique');
    assert.ok(call.signal, 'each call carries an abort signal (its deadline)');
  });

  it('maps the newest datapoint: 1 up, 0 down, none unknown (not up)', async () => {
    const cw = fakeCloudWatch({
      getMetricData: answerByIp({
        // out of order on purpose: the newest point decides, not the first or the largest
        '198.51.100.10': [
          [T - 3 * MIN, 0],
          [T - MIN, 1],
          [T - 2 * MIN, 0],
        ],
        '198.51.100.20': [
          [T - 4 * MIN, 1],
          [T - MIN, 0],
        ],
        '198.51.100.30': [],
      }),
    });
    const probe = createCloudWatchTunnelProbe({ client: cw.client, now: () => T });
    const [awcc, roshan] = await probe.read([AWCC, ROSHAN]);
    assert.deepEqual(awcc?.tunnels, [
      { outsideIp: '198.51.100.10', status: 'up', value: 1, observedAt: T - MIN },
      { outsideIp: '198.51.100.20', status: 'down', value: 0, observedAt: T - MIN },
    ]);
    assert.equal(awcc?.error, undefined);
    assert.equal(roshan?.tunnels[0].status, 'unknown');
    assert.equal(roshan?.tunnels[0].value, null);
    assert.equal(roshan?.tunnels[1].status, 'unknown', 'a series missing from the answer is unknown too');
    assert.equal(tunnelStatusOf(undefined), 'unknown');
    assert.equal(tunnelStatusOf(Number.NaN), 'unknown');
    assert.equal(tunnelStatusOf(0), 'down');
    assert.equal(tunnelStatusOf(1), 'up');
  });

  it('reports a series AWS refused (StatusCode Forbidden) as unknown with the reason', async () => {
    const cw = fakeCloudWatch({
      getMetricData: (input) => ({
        MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
          Id: q.Id,
          StatusCode: tunnelIpOf(q) === '198.51.100.20' ? ('Forbidden' as const) : ('Complete' as const),
          Timestamps: tunnelIpOf(q) === '198.51.100.20' ? [] : [new Date(T - MIN)],
          Values: tunnelIpOf(q) === '198.51.100.20' ? [] : [1],
          Messages: tunnelIpOf(q) === '198.51.100.20' ? [{ Code: 'Forbidden', Value: 'no access' }] : [],
        })),
      }),
    });
    const [awcc] = await createCloudWatchTunnelProbe({ client: cw.client, now: () => T }).read([AWCC]);
    assert.equal(awcc?.tunnels[0].status, 'up');
    assert.equal(awcc?.tunnels[1].status, 'unknown');
    assert.match(awcc?.tunnels[1].error ?? '', /Forbidden.*no access/);
    assert.match(awcc?.error ?? '', /Forbidden/);
  });

  it('merges GetMetricData pages (NextToken)', async () => {
    let page = 0;
    const cw = fakeCloudWatch({
      getMetricData: (input) => {
        page++;
        const [q1, q2] = input.MetricDataQueries ?? [];
        if (!input.NextToken) {
          return {
            MetricDataResults: [{ Id: q1?.Id, Timestamps: [new Date(T - 3 * MIN)], Values: [1] }],
            NextToken: 'page-2',
          };
        }
        assert.equal(input.NextToken, 'page-2');
        return {
          MetricDataResults: [
            { Id: q1?.Id, Timestamps: [new Date(T - MIN)], Values: [0] },
            { Id: q2?.Id, Timestamps: [new Date(T - MIN)], Values: [1] },
          ],
        };
      },
    });
    const [awcc] = await createCloudWatchTunnelProbe({ client: cw.client, now: () => T }).read([AWCC]);
    assert.equal(page, 2);
    assert.equal(awcc?.tunnels[0].status, 'down', 'the newest point came on the second page');
    assert.equal(awcc?.tunnels[1].status, 'up');
  });

  it(`splits more than ${GET_METRIC_DATA_MAX_QUERIES} queries over several calls`, async () => {
    const targets = Array.from({ length: 260 }, (_, i) => ({
      operatorId: `op${i}`,
      vpnId: `vpn-${(0x10000000 + i).toString(16)}`,
      tunnelOutsideIps: [
        `198.18.${i >> 7}.${(i & 127) * 2}`,
        `198.18.${i >> 7}.${(i & 127) * 2 + 1}`,
      ] as const,
    }));
    const cw = fakeCloudWatch({
      getMetricData: (input) => ({
        MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
          Id: q.Id,
          Timestamps: [new Date(T - MIN)],
          // odd last octet: tunnel 2 is down, tunnel 1 up
          Values: [Number(tunnelIpOf(q).split('.')[3]) % 2 === 0 ? 1 : 0],
        })),
      }),
    });
    const readings = await createCloudWatchTunnelProbe({ client: cw.client, now: () => T }).read(targets);
    const sizes = cw.calls.map((c) =>
      c.kind === 'GetMetricData' ? (c.input.MetricDataQueries ?? []).length : -1,
    );
    assert.deepEqual(sizes, [500, 20]);
    for (const call of cw.calls) {
      if (call.kind !== 'GetMetricData') continue;
      const ids = (call.input.MetricDataQueries ?? []).map((q) => q.Id);
      assert.equal(new Set(ids).size, ids.length);
    }
    assert.equal(readings.length, 260);
    assert.ok(readings.every((r) => r.tunnels[0].status === 'up' && r.tunnels[1].status === 'down'));
    assert.equal(readings[259]?.operatorId, 'op259');
  });

  it('discovers the outside IPs with ListMetrics, tunnel 1 the lower address, and keeps them for the TTL', async () => {
    let now = T;
    const cw = fakeCloudWatch({
      listMetrics: (input) =>
        input.NextToken
          ? {
              Metrics: [
                {
                  Namespace: 'AWS/VPN',
                  MetricName: 'TunnelState',
                  Dimensions: [
                    { Name: 'VpnId', Value: AWCC.vpnId },
                    { Name: 'TunnelIpAddress', Value: '52.9.1.7' },
                  ],
                },
              ],
            }
          : {
              Metrics: [
                // the connection's aggregate: not a tunnel
                {
                  Namespace: 'AWS/VPN',
                  MetricName: 'TunnelState',
                  Dimensions: [{ Name: 'VpnId', Value: AWCC.vpnId }],
                },
                {
                  Namespace: 'AWS/VPN',
                  MetricName: 'TunnelState',
                  Dimensions: [
                    { Name: 'VpnId', Value: AWCC.vpnId },
                    { Name: 'TunnelIpAddress', Value: '52.10.0.3' },
                  ],
                },
              ],
              NextToken: 'more',
            },
      getMetricData: answerByIp({ '52.9.1.7': [[T - MIN, 1]], '52.10.0.3': [[T - MIN, 0]] }),
    });
    const probe = createCloudWatchTunnelProbe({
      client: cw.client,
      now: () => now,
      discoveryTtlMs: 10 * MIN,
    });
    const target = { operatorId: 'awcc', vpnId: AWCC.vpnId };
    const [first] = await probe.read([target]);
    const lists = cw.calls.filter((c) => c.kind === 'ListMetrics');
    assert.equal(lists.length, 2, 'both pages');
    assert.deepEqual(lists[0]?.input, {
      Namespace: 'AWS/VPN',
      MetricName: 'TunnelState',
      Dimensions: [{ Name: 'VpnId', Value: AWCC.vpnId }],
      RecentlyActive: 'PT3H',
    });
    assert.equal(lists[1]?.input.NextToken, 'more');
    // numeric order: 52.9.1.7 < 52.10.0.3 although "52.10..." < "52.9..." as text
    assert.equal(first?.tunnels[0].outsideIp, '52.9.1.7');
    assert.equal(first?.tunnels[0].status, 'up');
    assert.equal(first?.tunnels[1].outsideIp, '52.10.0.3');
    assert.equal(first?.tunnels[1].status, 'down');

    now = T + 5 * MIN;
    await probe.read([target]);
    assert.equal(
      cw.calls.filter((c) => c.kind === 'ListMetrics').length,
      2,
      'within the TTL: no new ListMetrics',
    );
    now = T + 11 * MIN;
    await probe.read([target]);
    assert.equal(
      cw.calls.filter((c) => c.kind === 'ListMetrics').length,
      4,
      'after the TTL: discovered again',
    );
  });

  it('reads a tunnel it cannot find as unknown, and looks again next round', async () => {
    const cw = fakeCloudWatch({
      listMetrics: () => ({
        Metrics: [
          {
            Dimensions: [
              { Name: 'VpnId', Value: AWCC.vpnId },
              { Name: 'TunnelIpAddress', Value: '52.9.1.7' },
            ],
          },
        ],
      }),
      getMetricData: answerByIp({ '52.9.1.7': [[T - MIN, 1]] }),
    });
    const probe = createCloudWatchTunnelProbe({ client: cw.client, now: () => T });
    const [r] = await probe.read([{ operatorId: 'awcc', vpnId: AWCC.vpnId }]);
    assert.equal(r?.tunnels[0].status, 'up');
    assert.equal(r?.tunnels[1].status, 'unknown');
    assert.equal(r?.tunnels[1].outsideIp, null);
    assert.match(r?.tunnels[1].error ?? '', /tunnel 2/);
    await probe.read([{ operatorId: 'awcc', vpnId: AWCC.vpnId }]);
    assert.equal(
      cw.calls.filter((c) => c.kind === 'ListMetrics').length,
      2,
      'an incomplete discovery is not kept',
    );
  });

  it('turns a throttled or refused call into unknown tunnels with the error, never a throw; the next round recovers', async () => {
    const cw = fakeCloudWatch({
      getMetricData: () => Promise.reject(awsError('ThrottlingException', 'Rate exceeded')),
    });
    const probe = createCloudWatchTunnelProbe({ client: cw.client, now: () => T });
    const failed = await probe.read([AWCC, ROSHAN]);
    for (const r of failed) {
      assert.deepEqual(
        r.tunnels.map((t) => t.status),
        ['unknown', 'unknown'],
      );
      assert.match(r.error ?? '', /GetMetricData: ThrottlingException: Rate exceeded/);
      assert.ok(r.tunnels.every((t) => t.outsideIp !== null && t.value === null));
    }
    cw.script = {
      getMetricData: answerByIp({ '198.51.100.10': [[T - MIN, 1]], '198.51.100.20': [[T - MIN, 1]] }),
    };
    const [awcc] = await probe.read([AWCC]);
    assert.equal(awcc?.error, undefined);
    assert.deepEqual(
      awcc?.tunnels.map((t) => t.status),
      ['up', 'up'],
    );
  });

  it('keeps a failed discovery to its own connection', async () => {
    const cw = fakeCloudWatch({
      listMetrics: () =>
        Promise.reject(
          awsError('AccessDeniedException', 'not authorized to perform: cloudwatch:ListMetrics'),
        ),
      getMetricData: answerByIp({ '198.51.100.30': [[T - MIN, 1]], '198.51.100.40': [[T - MIN, 0]] }),
    });
    const [awcc, roshan] = await createCloudWatchTunnelProbe({ client: cw.client, now: () => T }).read([
      { operatorId: 'awcc', vpnId: AWCC.vpnId },
      ROSHAN,
    ]);
    assert.match(awcc?.error ?? '', /ListMetrics vpn-0aaaaaaaaaaaaaaa1: AccessDeniedException/);
    assert.deepEqual(
      awcc?.tunnels.map((t) => t.status),
      ['unknown', 'unknown'],
    );
    assert.deepEqual(
      roshan?.tunnels.map((t) => t.status),
      ['up', 'down'],
    );
    const get = cw.calls.find((c) => c.kind === 'GetMetricData');
    assert.equal(
      get?.kind === 'GetMetricData' && get.input.MetricDataQueries?.length,
      2,
      'only roshan is asked',
    );
  });

  it('gives up on a call that does not answer within timeoutMs, and aborts it', async () => {
    const cw = fakeCloudWatch({ getMetricData: () => new Promise<never>(() => {}) });
    const started = performance.now();
    const [awcc] = await createCloudWatchTunnelProbe({ client: cw.client, now: () => T, timeoutMs: 50 }).read(
      [AWCC],
    );
    assert.ok(performance.now() - started < 2_000);
    assert.match(awcc?.error ?? '', /did not answer within 50 ms/);
    assert.equal(awcc?.tunnels[0].status, 'unknown');
    assert.equal(cw.calls[0]?.signal?.aborted, true);
  });

  it('checks its options when built', () => {
    const cw = fakeCloudWatch({});
    assert.throws(() => createCloudWatchTunnelProbe({ client: cw.client, periodSeconds: 90 }), RangeError);
    assert.throws(() => createCloudWatchTunnelProbe({ client: cw.client, windowMs: 30_000 }), RangeError);
  });

  it('sorts outside IPs numerically', () => {
    assert.deepEqual(sortOutsideIps(['52.10.0.3', '52.9.1.7', '3.5.1.1', '52.9.1.7']), [
      '3.5.1.1',
      '52.9.1.7',
      '52.10.0.3',
    ]);
  });
});
