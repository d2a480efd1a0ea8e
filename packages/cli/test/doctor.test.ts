/**
 * `mnogate doctor` on loopback, no root needed: the demo's four operators (one per dialect) against
 * their simulators. The application layer is the gateway's own status query: it passes with the
 * right credentials and fails, alone, when the operator refuses them. The demo has no vpn sections,
 * so the tunnel layer is skipped. (The lab suite in packages/network breaks the other layers.)
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '@mnogate/core';
import { createSecretsProvider, resolveOperatorCredentials } from '@mnogate/gateway/secrets';
import { createSimulators, type Simulators } from '@mnogate/simulator';
import { demoConfigOnFreePorts, REPO_ROOT, runCli } from './run-cli.js';

interface Report {
  readonly ok: boolean;
  readonly failed: string[];
  readonly layers: { layer: string; status: string; saw: string; fix?: string }[];
}

const OPERATORS = ['awcc', 'roshan', 'etisalat', 'mtn'] as const; // ers, pretups, huawei-cbs, rest-json

describe('mnogate doctor against the simulators, one operator per dialect', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnogate-doctor-'));
  let sims: Simulators | undefined;
  let file = '';
  let wrongFile = '';

  const doctor = async (operator: string, config: string): Promise<Report> => {
    const r = await runCli(['doctor', operator, '--config', config, '--json'], { cwd: dir });
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(r.code, report.ok ? 0 : 1, r.stderr);
    return report;
  };

  before(async () => {
    const text = (await demoConfigOnFreePorts()).replace(
      'sqlite:../../data/mnogate.db',
      `sqlite:${join(dir, 'mnogate.db')}`,
    );
    cpSync(join(REPO_ROOT, 'examples/demo/secrets'), join(dir, 'secrets'), { recursive: true });
    file = join(dir, 'mnogate.yaml');
    writeFileSync(file, text);

    // the same configuration with every operator's credentials rotated at the operator, not here
    const alt = join(dir, 'alt');
    cpSync(join(dir, 'secrets'), join(alt, 'secrets'), { recursive: true });
    for (const name of readdirSync(join(alt, 'secrets')).filter((n) => n.endsWith('-api'))) {
      const path = join(alt, 'secrets', name);
      const fields = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
      writeFileSync(
        path,
        JSON.stringify(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, `${v}-old`]))),
      );
    }
    wrongFile = join(alt, 'mnogate.yaml');
    writeFileSync(wrongFile, text);

    const parsed = parseConfig(text);
    assert.ok(parsed.ok);
    const provider = createSecretsProvider(parsed.config.gateway.secrets, { baseDir: dir, env: {} });
    const credentials: Record<string, Record<string, string>> = {};
    for (const op of parsed.config.operators)
      credentials[op.id] = await resolveOperatorCredentials(provider, op);
    sims = createSimulators(parsed.config, { credentials, control: { host: '127.0.0.1', port: 0 } });
    await sims.start();
  });
  after(async () => {
    await sims?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const id of OPERATORS) {
    it(`${id}: every layer passes, the tunnel is skipped (no vpn section)`, async () => {
      const queries = sims!.counters(id).statusQueries;
      const report = await doctor(id, file);
      assert.deepEqual(
        report.layers.map((l) => [l.layer, l.status]),
        [
          ['config', 'pass'],
          ['credentials', 'pass'],
          ['route', 'pass'],
          ['tunnel', 'skip'],
          ['tcp', 'pass'],
          ['application', 'pass'],
        ],
        JSON.stringify(report, null, 2),
      );
      assert.match(report.layers[5]?.saw ?? '', /not-found/);
      assert.equal(sims!.counters(id).statusQueries, queries + 1);
      assert.equal(sims!.counters(id).connectionsRefused, 0, 'sent from the whitelisted source');
    });
  }

  for (const id of OPERATORS) {
    it(`${id}: credentials the operator refuses fail the application layer, only`, async () => {
      const refusals = sims!.counters(id).authFailures;
      const report = await doctor(id, wrongFile);
      assert.deepEqual(report.failed, ['application'], JSON.stringify(report, null, 2));
      const app = report.layers.find((l) => l.layer === 'application');
      assert.match(app?.saw ?? '', /credentials were refused/);
      assert.match(app?.fix ?? '', /credentials/);
      assert.equal(sims!.counters(id).authFailures, refusals + 1);
    });
  }

  it('a busy operator fails the application layer as no usable answer, not as credentials', async () => {
    await sims!.setFaults('mtn', { status: 'busy' });
    try {
      const report = await doctor('mtn', file);
      assert.deepEqual(report.failed, ['application']);
      assert.match(report.layers[5]?.saw ?? '', /no usable answer/);
    } finally {
      await sims!.setFaults('mtn', {}, { replace: true });
    }
  });
});
