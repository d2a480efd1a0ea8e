import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, runCli } from './run-cli.js';

describe('mnogate validate', () => {
  for (const example of ['examples/demo/mnogate.yaml', 'examples/aws/mnogate.yaml']) {
    it(`accepts ${example} with a summary`, async () => {
      const r = await runCli(['validate', '--config', example]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /valid/);
      assert.match(r.stdout, /4 operators, 8 prefixes/);
    });
  }

  it('lists every problem with path, line and code, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnogate-validate-'));
    const text = readFileSync(join(REPO_ROOT, 'examples/aws/mnogate.yaml'), 'utf8')
      .replace('id: roshan', 'id: awcc')
      .replace('password: secret:mno/mtn/api', 'password: hunter2')
      .replace('credentials: secret:mno/mtn/api', 'credentials: hunter2');
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, text);
    const r = await runCli(['validate', '--config', file, '--json']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as {
      valid: boolean;
      issues: { code: string; path: string; line: number }[];
    };
    assert.equal(out.valid, false);
    const lines = text.split('\n');
    const dup = out.issues.find((i) => i.code === 'MNOGATE_ERR_CONFIG_DUPLICATE_ID');
    assert.equal(dup?.path, 'operators[1].id');
    assert.match(lines[dup!.line - 1]!, /id: awcc/);
    const literal = out.issues.find((i) => i.code === 'MNOGATE_ERR_CONFIG_LITERAL_SECRET');
    assert.equal(literal?.path, 'operators[3].api.credentials');
    assert.match(lines[literal!.line - 1]!, /hunter2/);

    const human = await runCli(['validate', '--config', file]);
    assert.equal(human.code, 1);
    assert.match(human.stderr, /MNOGATE_ERR_CONFIG_DUPLICATE_ID/);
    assert.match(human.stderr, new RegExp(`broken.yaml:${dup!.line}:`));
  });

  it('reports a missing file with its code', async () => {
    const r = await runCli(['validate', '--config', '/nonexistent/mnogate.yaml', '--json']);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).issues[0].code, 'MNOGATE_ERR_CONFIG_FILE');
  });

  it('refuses an unknown option with exit 2 and the usage', async () => {
    const r = await runCli(['validate', '--bogus']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /usage: mnogate validate/);
  });

  it('lists the commands with --help', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /validate/);
  });
});
