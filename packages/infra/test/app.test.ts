import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NAG_ACKNOWLEDGEMENTS, synthesize } from '../src/index.js';
import { loadAwsExample } from './helpers/stacks.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mnogate-synth-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An environment with no AWS credentials, profile or region: synthesis must not need them. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('AWS_') && !k.startsWith('CDK_')) env[k] = v;
  return env;
}

describe('synthesize', () => {
  it('GIVEN the aws example WHEN synthesized THEN it writes one template, stages the image without node_modules, and nag finds no unacknowledged error', () => {
    const outDir = tempDir();
    const result = synthesize(loadAwsExample(), { outDir, accountId: '123456789012' });
    assert.deepEqual(result.nagErrors, []);
    assert.equal(result.stacks.length, 1);
    const [stack] = result.stacks;
    assert.equal(stack!.stackName, 'Mnogate');
    assert.ok(existsSync(stack!.templatePath));
    const template = JSON.parse(readFileSync(stack!.templatePath, 'utf8'));
    assert.equal(Object.keys(template.Resources).length, stack!.resourceCount);
    assert.equal(stack!.resourceCounts['AWS::EC2::VPNConnection'], 4);
    assert.equal(stack!.resourceCounts['AWS::EC2::VPNGateway'], 1);
    // pinned to the account and the config's region
    assert.match(JSON.stringify(template), /ecr:eu-west-1:123456789012:repository/);
    // the image asset is staged for a later docker build, filtered by .dockerignore
    const asset = readdirSync(outDir).find((f) => f.startsWith('asset.'));
    assert.ok(asset, 'the gateway image context is staged');
    assert.ok(existsSync(join(outDir, asset, 'Dockerfile')));
    assert.ok(existsSync(join(outDir, asset, 'packages', 'cli', 'bin', 'mnogate.js')));
    assert.ok(!existsSync(join(outDir, asset, 'node_modules')));
    assert.ok(!existsSync(join(outDir, asset, '.git')));
  });

  it('GIVEN the acknowledgement table WHEN read THEN every acknowledgement carries a specific reason', () => {
    for (const [key, ack] of Object.entries(NAG_ACKNOWLEDGEMENTS)) {
      assert.match(ack.rule, /^AwsSolutions-[A-Z0-9]+$/, key);
      assert.ok(ack.reason.length >= 80, `${key} gives a real reason`);
    }
  });
});

describe('mnogate synth', () => {
  it('GIVEN no AWS credentials WHEN run on the aws example THEN it writes the templates, prints a summary and exits 0', () => {
    const outDir = tempDir();
    const r = spawnSync(
      process.execPath,
      ['packages/cli/bin/mnogate.js', 'synth', '--config', 'examples/aws/mnogate.yaml', '--out', outDir],
      { cwd: ROOT, env: offlineEnv(), encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(outDir, 'Mnogate.template.json')));
    assert.ok(existsSync(join(outDir, 'manifest.json')));
    assert.match(r.stdout, /stack Mnogate: \d+ resources/);
    assert.match(r.stdout, /\s4 {2}AWS::EC2::VPNConnection/);
    assert.match(r.stdout, /0 unacknowledged error/);
  });

  it('GIVEN a missing config WHEN run THEN it exits 1 naming the file', () => {
    const r = spawnSync(
      process.execPath,
      ['packages/cli/bin/mnogate.js', 'synth', '--config', 'does-not-exist.yaml', '--out', tempDir()],
      { cwd: ROOT, env: offlineEnv(), encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /MNOGATE_ERR_CONFIG_FILE/);
  });
});
