/**
 * doctor's application layer is injected: it gets the credentials the credentials layer resolved,
 * the endpoint the TCP layer reached, the egress source and the operator's statusMs, and its three
 * outcomes (and a probe that throws) become pass / fail. On loopback, no root needed.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { MnogateConfig, OperatorConfig } from '@mnogate/core';
import type { ApplicationProbe, AppProbeContext, AppProbeResult } from '../src/doctor/app-probe.js';
import { type DoctorReport, runDoctor } from '../src/doctor/doctor.js';
import { clone, loadExample } from './helpers/config.js';

describe('doctor: the injected application probe', () => {
  let server: Server;
  let config: MnogateConfig;
  const CREDENTIALS = { userId: 'u', password: 'p' };

  before(async () => {
    server = createServer((s) => s.destroy()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    config = clone(loadExample('demo'));
    const op = config.operators.find((o) => o.id === 'awcc') as OperatorConfig;
    op.api.endpoints = [`http://127.0.0.1:${port}/topupservice/service`];
  });
  after(() => {
    server.close();
  });

  const doctor = (applicationProbe: ApplicationProbe, resolve = async () => CREDENTIALS) =>
    runDoctor({ operatorId: 'awcc', config, resolveCredentials: resolve, applicationProbe });
  const app = (report: DoctorReport) => report.layers.find((l) => l.layer === 'application');
  const fixed =
    (result: Omit<AppProbeResult, 'ms'>): ApplicationProbe =>
    async () => ({ ...result, ms: 3 });

  it('gets the resolved credentials, the endpoint, the egress source and statusMs', async () => {
    const seen: [OperatorConfig, AppProbeContext][] = [];
    const report = await doctor(async (op, context) => {
      seen.push([op, context]);
      return { outcome: 'authenticated', ms: 3, saw: 'not-found' };
    });
    assert.deepEqual(report.failed, [], JSON.stringify(report, null, 2));
    assert.equal(app(report)?.status, 'pass');
    assert.equal(seen.length, 1);
    const [op, context] = seen[0]!;
    assert.equal(op.id, 'awcc');
    assert.deepEqual(context, {
      endpoint: op.api.endpoints[0],
      credentials: CREDENTIALS,
      localAddress: op.egress.sourceIp,
      timeoutMs: op.api.timeouts.statusMs,
    });
  });

  it('auth-failed fails the application layer, only, with the credentials fix', async () => {
    const report = await doctor(fixed({ outcome: 'auth-failed', saw: 'answered 20' }));
    assert.deepEqual(report.failed, ['application']);
    assert.match(app(report)?.saw ?? '', /credentials were refused: answered 20/);
    assert.match(app(report)?.fix ?? '', /credentials/);
  });

  it('error fails it as no usable answer; a probe that throws too', async () => {
    const report = await doctor(fixed({ outcome: 'error', saw: 'busy' }));
    assert.deepEqual(report.failed, ['application']);
    assert.match(app(report)?.saw ?? '', /no usable answer: busy/);
    const thrown = await doctor(async () => {
      throw new Error('boom');
    });
    assert.deepEqual(thrown.failed, ['application']);
    assert.match(app(thrown)?.saw ?? '', /boom/);
  });

  it('is not called when the credentials do not resolve', async () => {
    let called = false;
    const report = await doctor(
      async () => {
        called = true;
        return { outcome: 'authenticated', ms: 1, saw: '' };
      },
      async () => {
        throw new Error('no such secret');
      },
    );
    assert.equal(called, false);
    assert.deepEqual(report.failed, ['credentials']);
    assert.equal(app(report)?.status, 'skip');
  });
});
