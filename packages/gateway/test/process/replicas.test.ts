/**
 * Two, then three gateway processes on one PostgreSQL under concurrent load, with duplicate
 * idempotency keys spread across replicas; one replica is SIGKILLed mid-load. Every recharge ends
 * matching the simulators' ledgers, none is credited twice, and the survivors resolve the dead
 * replica's unfinished work.
 */
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStore, type Store } from '@mnogate/gateway';
import type { Simulators } from '@mnogate/simulator';
import { DEMO_DIR, eventually, loadDemoConfig, numberFor, startSimulators } from '../harness.js';
import {
  dropSchema,
  IN_CI,
  POSTGRES_SKIP_MESSAGE,
  POSTGRES_URL,
  postgresUnavailable,
  testSchema,
} from '../postgres.js';
import { createKey, type GatewayProcess, startGatewayProcess, writeConfig } from './gateway-process.js';

const PG_URL = POSTGRES_URL;
const schema = testSchema('replicas');

describe('replicas on one PostgreSQL', () => {
  let simulators: Simulators;
  const gateways: GatewayProcess[] = [];
  let store: Store;
  let available = true;
  let config: ReturnType<typeof loadDemoConfig>;
  let file: string;

  before(async () => {
    available = (await postgresUnavailable()) === null;
    if (!available) {
      if (IN_CI) throw new Error(`PostgreSQL is required in CI (${PG_URL})`);
      return;
    }
    config = loadDemoConfig();
    config.gateway.store = `${PG_URL}?schema=${schema}`;
    config.gateway.secrets = { provider: 'file', dir: `${DEMO_DIR}/secrets` };
    config.gateway.syncWindowMs = 5_000;
    config.gateway.reconciler = {
      ...config.gateway.reconciler,
      intervalMs: 200,
      initialBackoffMs: 200,
      maxBackoffMs: 1_000,
      leaseMs: 3_000,
    };
    for (const op of config.operators) {
      op.api.timeouts = { connectMs: 1_000, requestMs: 2_000, statusMs: 1_500 };
      op.api.settleWindowMs = 3_000;
      op.limits = { ...op.limits, concurrency: 200, ratePerSecond: 1_000, probeIntervalMs: 0 };
    }
    simulators = await startSimulators(config, { hangMs: 3_000 });
    for (const op of config.operators) {
      await simulators.setFaults(op.id, { latency: { distribution: 'uniform', minMs: 100, maxMs: 900 } });
    }
    file = writeConfig(config);
    store = createStore(config.gateway.store, { baseDir: dirname(file) });
  });

  after(async () => {
    for (const g of gateways) await g.kill('SIGKILL');
    await simulators?.stop();
    await store?.close();
    if (available) await dropSchema(schema);
  });

  it('stays exactly-once with 2 then 3 replicas and one SIGKILLed mid-load', async (t) => {
    if (!available) return t.skip(POSTGRES_SKIP_MESSAGE);
    const key = await createKey(config, dirname(file));
    gateways.push(await startGatewayProcess(file), await startGatewayProcess(file));

    const prefixes = ['+9370', '+9379', '+9378', '+9377'];
    const endings = ['000', '000', '000', '911', '913', '901'];
    type Job = { idempotencyKey: string; body: string };
    const jobs: Job[] = [];
    for (let i = 0; i < 120; i++) {
      const msisdn = numberFor(prefixes[i % 4]!, endings[i % endings.length]!);
      jobs.push({
        idempotencyKey: `rep-${i}`,
        body: JSON.stringify({ msisdn, amount: '100', currency: 'AFN' }),
      });
    }
    const send = (g: GatewayProcess, job: Job) =>
      fetch(`${g.url}/v1/recharges`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'idempotency-key': job.idempotencyKey,
          'content-type': 'application/json',
        },
        body: job.body,
      })
        .then((r) => r.status)
        .catch(() => 0);

    // phase 1: two replicas, each job sent to both (duplicate keys across replicas)
    const phase1 = jobs.slice(0, 60).flatMap((job) => [send(gateways[0]!, job), send(gateways[1]!, job)]);
    const statuses1 = await Promise.all(phase1);
    assert.ok(
      statuses1.every((s) => [201, 202, 409].includes(s)),
      `phase 1 statuses: ${[...new Set(statuses1)]}`,
    );

    // phase 2: a third replica joins; the first is killed while its calls are in flight
    gateways.push(await startGatewayProcess(file));
    const phase2 = jobs
      .slice(60)
      .flatMap((job, i) => [send(gateways[i % 3]!, job), send(gateways[(i + 1) % 3]!, job)]);
    const killing = new Promise((r) => setTimeout(r, 300)).then(() => gateways[0]!.kill('SIGKILL'));
    await Promise.all([...phase2, killing]);
    // whatever the dead replica never answered is retried by the client on a survivor: same key, same body
    await Promise.all(jobs.slice(60).map((job) => send(gateways[1]!, job)));

    const all = await eventually(
      async () => {
        const items = (await store.listRecharges({}, 1_000)).items;
        return items.length >= jobs.length &&
          items.every((r) => r.status === 'succeeded' || r.status === 'failed')
          ? items
          : undefined;
      },
      60_000,
      500,
    );
    assert.equal(all.length, jobs.length, 'one recharge per idempotency key, across replicas');
    for (const r of all) {
      const tx = simulators.ledger.find(r.operatorId, r.operatorReference);
      assert.equal(
        tx?.credited ?? false,
        r.status === 'succeeded',
        `${r.id} ${r.status} vs ${JSON.stringify(tx)}`,
      );
    }
    for (const op of config.operators)
      assert.equal(simulators.counters(op.id).duplicates, 0, `${op.id} got a reference twice`);
    const credited = config.operators.reduce(
      (n, op) => n + simulators.ledger.transactions(op.id).filter((x) => x.credited).length,
      0,
    );
    assert.equal(
      credited,
      all.filter((r) => r.status === 'succeeded').length,
      'nothing credited beyond the succeeded recharges',
    );
  });
});
