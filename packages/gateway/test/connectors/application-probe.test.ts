/**
 * Against the real simulators, one operator per dialect: a status query whose credentials the
 * operator refuses reads `error` with reason `auth` (field by field), a good one for a reference
 * nobody used reads `not-found`, and doctor's application probe, built from these connectors, says
 * authenticated / auth-failed / error accordingly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MnogateConfig, OperatorConfig } from '@mnogate/core';
import type { Simulators } from '@mnogate/simulator';
import {
  createApplicationProbe,
  PROBE_REFERENCE,
  probeMsisdn,
  probeOutcome,
} from '../../src/connectors/application-probe.js';
import type { RechargeCall } from '../../src/connectors/connector.js';
import { createEgressAgent } from '../../src/connectors/egress-agent.js';
import { createConnector } from '../../src/connectors/registry.js';
import { demoCredentials, loadDemoConfig, startSimulators } from '../harness.js';
import { AIRTIME, statusRead } from './helpers.js';

describe('status queries against the simulators: auth failures and unknown references', () => {
  let config: MnogateConfig;
  let sims: Simulators;
  let credentials: Record<string, Record<string, string>>;
  before(async () => {
    config = loadDemoConfig();
    for (const op of config.operators)
      op.api.timeouts = { connectMs: 1_000, requestMs: 2_000, statusMs: 2_000 };
    sims = await startSimulators(config);
    credentials = await demoCredentials(config);
  });
  after(async () => {
    await sims?.stop();
  });

  const probeCall = (op: OperatorConfig): RechargeCall => ({
    reference: PROBE_REFERENCE,
    msisdn: probeMsisdn(op),
    amountMinor: 0,
    currency: op.currency,
    product: AIRTIME,
    acceptedAt: Date.now(),
  });

  async function status(op: OperatorConfig, creds: Record<string, string>) {
    const connector = await createConnector(op, { credentials: creds });
    const dispatcher = createEgressAgent(op);
    try {
      return await connector.status(probeCall(op), {
        endpoint: op.api.endpoints[0] as string,
        dispatcher,
        timeoutMs: op.api.timeouts.statusMs,
      });
    } finally {
      await dispatcher.close();
    }
  }

  const DIALECTS = ['ers', 'pretups', 'huawei-cbs', 'rest-json'] as const;
  for (const dialect of DIALECTS) {
    describe(dialect, () => {
      const op = () => config.operators.find((o) => o.api.dialect === dialect) as OperatorConfig;

      it('good credentials, a reference nobody used: not-found', async () => {
        const before = sims.counters(op().id).statusQueries;
        const out = await status(op(), credentials[op().id] as Record<string, string>);
        assert.equal(statusRead(out), 'not-found', JSON.stringify(out));
        assert.equal(sims.counters(op().id).statusQueries, before + 1);
      });

      it('each credential field wrong on its own: error with reason auth', async () => {
        const good = credentials[op().id] as Record<string, string>;
        assert.ok(Object.keys(good).length > 0);
        for (const field of Object.keys(good)) {
          const before = sims.counters(op().id).authFailures;
          const out = await status(op(), { ...good, [field]: `${good[field]}-rotated` });
          assert.equal(statusRead(out), 'error:auth', `${field}: ${JSON.stringify(out)}`);
          assert.equal(sims.counters(op().id).authFailures, before + 1, field);
        }
      });

      it('a busy operator is an error, not an auth failure', async () => {
        await sims.setFaults(op().id, { status: 'busy' });
        try {
          const out = await status(op(), credentials[op().id] as Record<string, string>);
          assert.equal(statusRead(out), 'error', JSON.stringify(out));
        } finally {
          await sims.setFaults(op().id, {}, { replace: true });
        }
      });

      it("doctor's application probe: authenticated, auth-failed, error", async () => {
        const probe = createApplicationProbe();
        const good = credentials[op().id] as Record<string, string>;
        const context = {
          endpoint: op().api.endpoints[0] as string,
          localAddress: op().egress.sourceIp,
          timeoutMs: op().api.timeouts.statusMs,
        };
        const ok = await probe(op(), { ...context, credentials: good });
        assert.equal(ok.outcome, 'authenticated', ok.saw);
        assert.match(ok.saw, /not-found/);
        const wrong = Object.fromEntries(Object.keys(good).map((k) => [k, 'wrong']));
        const refused = await probe(op(), { ...context, credentials: wrong });
        assert.equal(refused.outcome, 'auth-failed', refused.saw);
        await sims.setFaults(op().id, { status: 'busy' });
        try {
          const busy = await probe(op(), { ...context, credentials: good });
          assert.equal(busy.outcome, 'error', busy.saw);
        } finally {
          await sims.setFaults(op().id, {}, { replace: true });
        }
      });
    });
  }

  it('the probe reports a handler module that cannot be loaded as an error, never throws', async () => {
    const op = structuredClone(config.operators[0] as OperatorConfig);
    op.api.dialect = './no-such-handler.js';
    const r = await createApplicationProbe({ baseDir: '/nonexistent' })(op, {
      endpoint: op.api.endpoints[0] as string,
      credentials: {},
      timeoutMs: 500,
    });
    assert.equal(r.outcome, 'error');
    assert.match(r.saw, /no-such-handler/);
  });

  it('the probe sends from the source address it is given (the whitelist refuses another)', async () => {
    const op = config.operators.find((o) => o.api.dialect === 'rest-json') as OperatorConfig;
    const before = sims.counters(op.id).connectionsRefused;
    const r = await createApplicationProbe()(op, {
      endpoint: op.api.endpoints[0] as string,
      credentials: credentials[op.id] as Record<string, string>,
      localAddress: '127.0.0.99',
      timeoutMs: 1_000,
    });
    assert.equal(r.outcome, 'error', r.saw);
    assert.equal(sims.counters(op.id).connectionsRefused, before + 1);
  });
});

describe('probeOutcome and probeMsisdn', () => {
  it('reads a status outcome as what it says about our access', () => {
    assert.equal(probeOutcome({ status: 'not-found', message: 'x' }).outcome, 'authenticated');
    assert.equal(
      probeOutcome({ status: 'failed', operatorCode: '10', message: 'x' }).outcome,
      'authenticated',
    );
    assert.equal(probeOutcome({ status: 'error', reason: 'auth', message: 'x' }).outcome, 'auth-failed');
    assert.equal(probeOutcome({ status: 'error', message: 'busy' }).outcome, 'error');
  });

  it('a valid number of the first prefix, zero-filled', () => {
    const op = loadDemoConfig().operators.find((o) => o.prefixes[0] === '+9378') as OperatorConfig;
    assert.equal(probeMsisdn(op), '+93780000000');
  });
});
