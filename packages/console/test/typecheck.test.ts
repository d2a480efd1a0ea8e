/**
 * The console has its own tsconfig (DOM, JSX, bundler resolution), which the root type check
 * (tsconfig.json, run first by `npm test`) excludes: this runs it, so `npm test` covers it too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../../', import.meta.url).pathname;

test('the console type-checks under its own tsconfig', { timeout: 120_000 }, () => {
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'packages/console/tsconfig.json', '--noEmit'],
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});
