/**
 * SIGKILL the gateway while recharges are in flight against slow operators, start it again, and
 * find every recharge in the state the simulators' ledgers say: none lost, none doubled.
 */
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStore } from '@mnogate/gateway';
import type { Simulators } from '@mnogate/simulator';
import { DEMO_DIR, eventually, loadDemoConfig, numberFor, startSimulators } from '../harness.js';
import { createKey, type GatewayProcess, startGatewayProcess, writeConfig } from './gateway-process.js';

describe('crash recovery', () => {
  let simulators: Simulators;
  const gateways: GatewayProcess[] = [];
  after(async () => {
    for (const g of gateways) await g.kill('SIGKILL');
    await simulators?.stop();
  });

  let config: ReturnType<typeof loadDemoConfig>;
  let file: string;
  before(async () => {
    config = loadDemoConfig();
    config.gateway.secrets = { provider: 'file', dir: `${DEMO_DIR}/secrets` };
    config.gateway.syncWindowMs = 10_000;
    config.gateway.reconciler = {
      ...config.gateway.reconciler,
      intervalMs: 200,
      initialBackoffMs: 200,
      maxBackoffMs: 1_000,
    };
    for (const op of config.operators) {
      op.api.timeouts = { connectMs: 1_000, requestMs: 2_500, statusMs: 1_500 };
      op.api.settleWindowMs = 3_000;
      op.limits = { ...op.limits, probeIntervalMs: 0 };
    }
    simulators = await startSimulators(config, { hangMs: 4_000 });
    file = writeConfig(config); // written first so that the store path can sit beside it
    config.gateway.store = `sqlite:${dirname(file)}/crash.db`;
    file = writeConfig(config);
    for (const op of config.operators) {
      await simulators.setFaults(op.id, { latency: { distribution: 'uniform', minMs: 800, maxMs: 1_500 } });
    }
  });

  it('every recharge ends as the ledger says after a SIGKILL mid-flight', async () => {
    const key = await createKey(config, dirname(file));
    const first = await startGatewayProcess(file);
    gateways.push(first);
    const prefixes = ['+9370', '+9379', '+9378', '+9377'];
    const digits = ['000', '000', '911', '913', '000'];
    const requests: Promise<unknown>[] = [];
    for (let i = 0; i < 24; i++) {
      const msisdn = numberFor(prefixes[i % 4]!, digits[i % digits.length]!);
      requests.push(
        fetch(`${first.url}/v1/recharges`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${key}`,
            'idempotency-key': `crash-${i}-${Date.now()}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ msisdn, amount: '100', currency: 'AFN' }),
        }).catch(() => 'connection lost'),
      );
    }
    await new Promise((r) => setTimeout(r, 400)); // all sent to the operators, none answered yet
    await first.kill('SIGKILL');
    await Promise.all(requests);

    const store = createStore(config.gateway.store, { baseDir: dirname(file) });
    const inFlight = (await store.listRecharges({}, 100)).items;
    assert.equal(inFlight.length, 24, 'every accepted recharge was durable before the crash');
    assert.ok(
      inFlight.some((r) => r.status === 'submitting'),
      'some were cut off mid-call',
    );

    const second = await startGatewayProcess(file);
    gateways.push(second);
    const final = await eventually(
      async () => {
        const all = (await store.listRecharges({}, 100)).items;
        return all.every((r) => r.status === 'succeeded' || r.status === 'failed') ? all : undefined;
      },
      45_000,
      250,
    );
    for (const r of final) {
      const tx = simulators.ledger.find(r.operatorId, r.operatorReference);
      assert.equal(
        tx?.credited ?? false,
        r.status === 'succeeded',
        `${r.id} ${r.status} vs ledger ${JSON.stringify(tx)}`,
      );
    }
    for (const op of config.operators) assert.equal(simulators.counters(op.id).duplicates, 0);
    await store.close();
  });
});
