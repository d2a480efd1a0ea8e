/**
 * `mnogate demo` (what `npm start` runs) serves the demo, and the curl it prints performs a recharge.
 * Run on a copy of the demo configuration with free ports and a temp store, so it never collides
 * with a demo already running on this machine.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { demoConfigOnFreePorts, REPO_ROOT } from './run-cli.js';

describe('mnogate demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnogate-demo-'));
  let child: ReturnType<typeof spawn> | undefined;
  after(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts everything and prints a curl that performs a recharge', async () => {
    let text = await demoConfigOnFreePorts();
    text = text.replace('sqlite:../../data/mnogate.db', `sqlite:${join(dir, 'data/mnogate.db')}`);
    text = text.replace('dir: ./secrets', `dir: ${join(REPO_ROOT, 'examples/demo/secrets')}`);
    const file = join(dir, 'mnogate.yaml');
    writeFileSync(file, text);

    child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'packages/cli/bin/mnogate.js'), 'demo', '--config', file],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
    });
    child.stderr!.on('data', (d) => {
      out += d;
    });
    const curl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no curl printed:\n${out}`)), 30_000);
      const check = setInterval(() => {
        const line = out.split('\n').find((l) => l.startsWith('curl '));
        if (line && out.includes('Ctrl-C stops')) {
          clearInterval(check);
          clearTimeout(timer);
          resolve(line);
        }
      }, 100);
    });
    assert.match(out, /client API key \(recharge:write, recharge:read\): mng_/);
    assert.match(out, /operator\s+awcc\s+ers/);
    const { stdout } = await promisify(execFile)('sh', ['-c', curl]);
    const recharge = JSON.parse(stdout);
    assert.equal(recharge.status, 'succeeded', stdout);
    assert.equal(recharge.operatorId, 'awcc');
    assert.match(readFileSync(join(dir, 'data/demo-keys.json'), 'utf8'), /"client": "mng_/);
  });
});
