/** CloudWatch metrics as EMF lines: what a line holds, how samples are split and capped, and a real gateway's. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createGateway, generateApiKey } from '@mnogate/gateway';
import { createEmfPublisher, EMF_MAX_VALUES, EMF_METRICS } from '../../src/telemetry/cloudwatch-emf.js';
import { DEMO_DIR, loadDemoConfig, numberFor, startSimulators } from '../harness.js';

interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

function publisher(extra: { maxSamples?: number } = {}) {
  const lines: EmfLine[] = [];
  const p = createEmfPublisher({
    namespace: 'Mnogate',
    write: (l) => {
      assert.ok(l.endsWith('\n') && !l.slice(0, -1).includes('\n'), 'one JSON document per line');
      lines.push(JSON.parse(l) as EmfLine);
    },
    now: () => 1_700_000_000_000,
    ...extra,
  });
  return { p, lines };
}

const call = (operatorId: string, durationMs: number, outcome = 'succeeded') => ({
  operatorId,
  operation: 'recharge' as const,
  endpoint: 'http://127.0.0.1:1/x',
  outcome,
  durationMs,
});
const move = (operatorId: string, from: string | null, to: string) => ({
  rechargeId: 'r',
  operatorId,
  from,
  to,
  cause: 'submit',
});

describe('EMF publisher', () => {
  it('writes one line per operator with counts and latency samples, in the EMF structure', () => {
    const { p, lines } = publisher();
    p.events.transition?.(move('mtn', 'submitting', 'succeeded'));
    p.events.transition?.(move('mtn', 'submitting', 'succeeded'));
    p.events.transition?.(move('mtn', 'submitting', 'unknown'));
    p.events.transition?.(move('mtn', 'unknown', 'unknown')); // still unknown: not counted again
    p.events.transition?.(move('mtn', 'unknown', 'failed'));
    p.events.transition?.(move('mtn', 'accepted', 'submitting')); // not a metric
    p.events.transition?.(move('awcc', 'submitting', 'failed'));
    p.events.operatorCall?.(call('mtn', 12.34));
    p.events.operatorCall?.(call('mtn', 40));
    p.events.operatorCall?.(call('mtn', 5, 'not-sent')); // never reached the operator: no latency
    p.flush();
    assert.equal(lines.length, 2);
    const mtn = lines.find((l) => l[EMF_METRICS.dimension] === 'mtn')!;
    assert.equal(mtn._aws.Timestamp, 1_700_000_000_000);
    const directive = mtn._aws.CloudWatchMetrics[0]!;
    assert.equal(directive.Namespace, 'Mnogate');
    assert.deepEqual(directive.Dimensions, [['OperatorId']]);
    assert.deepEqual(directive.Metrics, [
      { Name: 'RechargesSucceeded', Unit: 'Count' },
      { Name: 'RechargesFailed', Unit: 'Count' },
      { Name: 'RechargesUnknown', Unit: 'Count' },
      { Name: 'OperatorLatencyMs', Unit: 'Milliseconds' },
    ]);
    assert.equal(mtn.RechargesSucceeded, 2);
    assert.equal(mtn.RechargesFailed, 1);
    assert.equal(mtn.RechargesUnknown, 1);
    assert.deepEqual(mtn.OperatorLatencyMs, [12.3, 40]);
    const awcc = lines.find((l) => l[EMF_METRICS.dimension] === 'awcc')!;
    assert.equal(awcc.RechargesFailed, 1);
    assert.equal('OperatorLatencyMs' in awcc, false, 'no samples, no latency metric');
    // every metric a line declares is on it
    for (const l of lines) {
      for (const m of l._aws.CloudWatchMetrics[0]!.Metrics) assert.ok(m.Name in l, m.Name);
    }
    // counted once: the next flush starts from zero and writes nothing for a quiet interval
    p.flush();
    assert.equal(lines.length, 2);
  });

  it('splits samples into lines of at most 100 values, and caps them with a fair sample', () => {
    const { p, lines } = publisher({ maxSamples: 250 });
    for (let i = 0; i < 1_000; i++) p.events.operatorCall?.(call('mtn', i));
    p.flush();
    assert.equal(lines.length, 3, '250 samples: 100 + 100 + 50');
    const values = lines.flatMap((l) => l.OperatorLatencyMs as number[]);
    assert.equal(values.length, 250);
    assert.ok(lines.every((l) => (l.OperatorLatencyMs as number[]).length <= EMF_MAX_VALUES));
    // later lines carry only the latency metric
    assert.deepEqual(
      lines[1]!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name),
      ['OperatorLatencyMs'],
    );
    // a reservoir over 0..999, not the first 250 calls
    assert.ok(Math.max(...values) >= 500, `the sample reaches late calls (max ${Math.max(...values)})`);
  });
});

describe('a gateway with CloudWatch metrics on', () => {
  it("writes its operators' recharges and latencies as EMF lines; stop flushes the last interval", async () => {
    const config = loadDemoConfig();
    config.gateway.store = 'sqlite::memory:';
    config.gateway.secrets = { provider: 'file', dir: join(DEMO_DIR, 'secrets') };
    config.gateway.syncWindowMs = 3_000;
    const simulators = await startSimulators(config);
    const lines: EmfLine[] = [];
    const gateway = await createGateway({
      config,
      baseDir: DEMO_DIR,
      env: {},
      background: false,
      cloudwatchNamespace: 'Mnogate',
      emfWrite: (l) => lines.push(JSON.parse(l) as EmfLine),
    });
    try {
      await gateway.listen({ host: '127.0.0.1', port: 0 });
      const { key, record } = generateApiKey({ clientId: 'c', name: 'c', scopes: ['recharge:write'] });
      await gateway.store.createApiKey(record);
      for (const last of ['000', '000', '901']) {
        const res = await gateway.app.inject({
          method: 'POST',
          url: '/v1/recharges',
          headers: { authorization: `Bearer ${key}`, 'idempotency-key': `emf-${last}-${Math.random()}` },
          payload: { msisdn: numberFor('+9377', last), amount: '50', currency: 'AFN' },
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      assert.equal(lines.length, 0, 'nothing before the interval ends');
    } finally {
      await gateway.stop();
      await simulators.stop();
    }
    const mtn = lines.find((l) => l.OperatorId === 'mtn');
    assert.ok(mtn, JSON.stringify(lines));
    assert.equal(mtn.RechargesSucceeded, 2);
    assert.equal(mtn.RechargesFailed, 1);
    assert.equal((mtn.OperatorLatencyMs as number[]).length, 3);
    assert.equal(mtn._aws.CloudWatchMetrics[0]!.Namespace, 'Mnogate');
  });
});
