#!/usr/bin/env node
// Runs every package's tests with Node's built-in runner (TypeScript through tsx), after the
// type check and the linter. `npm test -- <filter>...` runs only test files whose path contains
// one of the filters; `--no-checks` skips tsc and biome for a quick local loop.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const skipChecks = args.includes('--no-checks');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

function run(label, cmd, cmdArgs) {
  process.stdout.write(`\n== ${label}\n`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stdout.write(`\n${label} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
}

if (!skipChecks) {
  run('typecheck (tsc)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  run('lint (biome)', 'npx', ['biome', 'check', '.']);
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const testDir = join(root, 'packages', pkg, 'test');
  try {
    if (statSync(testDir).isDirectory()) walk(testDir, files);
  } catch {
    // a package without tests yet
  }
}
const selected = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
if (selected.length === 0) {
  process.stdout.write(`no test files match ${filters.join(' ')}\n`);
  process.exit(1);
}
selected.sort();
const concurrency = process.env.MNOGATE_TEST_CONCURRENCY ?? '2';
run(`tests (${selected.length} files)`, process.execPath, [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-reporter=spec',
  ...selected,
]);
