/**
 * `npm run bench` end to end on its smallest scenario: starts a simulator through `mnogate simulate`,
 * loads it for a second and writes results.json and results.md. Checks shape, not speed (speed
 * goals live in bench/results.md, not in tests).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from './run-cli.js';

describe('npm run bench (smoke)', () => {
  const out = mkdtempSync(join(tmpdir(), 'mnogate-bench-smoke-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  it('runs direct-simulator and writes results.json and results.md', { timeout: 60_000 }, async () => {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/run.ts',
          '--only',
          'direct-simulator',
          '--duration',
          '1',
          '--warmup',
          '0',
          '--out',
          out,
        ],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let text = '';
      child.stdout.on('data', (d) => {
        text += d;
      });
      child.stderr.on('data', (d) => {
        text += d;
      });
      child.once('error', reject);
      child.once('exit', (c) => {
        if (c !== 0) process.stderr.write(text);
        resolve(c);
      });
    });
    assert.equal(code, 0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      scenarios: Record<string, Record<string, unknown>>;
      targets: Record<string, { status: string }>;
      machine: { cores: number; node: string };
    };
    const s = results.scenarios['direct-simulator'];
    assert.ok(s, 'the direct-simulator scenario is in the results');
    for (const field of ['rps', 'p50Ms', 'p99Ms', 'p999Ms', 'errors', 'rssMb', 'cpuMsPerRecharge']) {
      assert.equal(typeof s[field], 'number', `${field} is a number`);
    }
    assert.ok((s.rps as number) > 0);
    assert.equal(s.errors, 0);
    assert.ok(results.machine.cores >= 1);
    assert.equal(results.machine.node, process.version);
    assert.equal(results.targets['gateway-sqlite-5000-rps']?.status, 'not run');
    assert.match(readFileSync(join(out, 'results.md'), 'utf8'), /\| `direct-simulator` \|/);
  });
});
