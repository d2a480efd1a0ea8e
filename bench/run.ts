/**
 * `npm run bench`: every scenario of bench/README.md, side by side in one run, each in its own
 * processes on loopback; writes bench/results.json and bench/results.md.
 *
 *   npm run bench
 *   npm run bench -- --only gateway-sqlite,direct-simulator --duration 10
 *   npm run bench -- --list
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { type BenchDialect, REPO_ROOT } from './lib/config.js';
import { cleanupAll, killAllNow } from './lib/proc.js';
import { type Results, renderMarkdown, targetsOf, type Unavailable } from './lib/report.js';
import { runScenario, type ScenarioResult, type ScenarioSpec } from './lib/scenario.js';
import { postgresVersion } from './lib/store-check.js';
import { summariseFile } from './profile-summary.js';

const USAGE = `usage: npm run bench -- [--only <name,...>] [--duration <s>] [--warmup <s>] [--connections <n>] [--out <dir>] [--list]

  --only <names>     run only these scenarios (see --list); results go to bench/.tmp/ unless --out
  --duration <s>     seconds of measured load per scenario (default 15; slow-operators-10k: at least 10)
  --warmup <s>       seconds of unmeasured load before each (default 3)
  --connections <n>  connections of the closed-loop throughput scenarios (default 64)
  --out <dir>        where results.json and results.md go (default bench/ for a full run)
  --list             print the scenarios and exit
  --render           rewrite results.md from results.json (in --out, default bench/) and bench/profile-notes.md`;

interface Requirement {
  readonly wrk?: boolean;
  readonly nginx?: boolean;
  readonly postgres?: boolean;
}

interface Entry {
  readonly spec: ScenarioSpec;
  readonly needs: Requirement;
  /** Summarise the gateway's CPU profile into the results. */
  readonly profile?: boolean;
}

function catalogue(durationS: number, warmupS: number, connections: number): Entry[] {
  const base = { warmupS, durationS, connections, dialect: 'rest-json' as BenchDialect };
  const entries: Entry[] = [
    {
      spec: {
        ...base,
        name: 'direct-simulator',
        title: '(a) load -> simulator (rest-json): the one-hop bound',
        path: 'direct',
        tool: 'autocannon',
      },
      needs: {},
    },
    {
      spec: {
        ...base,
        name: 'nginx-proxy',
        title: '(b) load -> nginx -> simulator: a plain reverse proxy, no durability',
        path: 'nginx',
        tool: 'autocannon',
      },
      needs: { nginx: true },
    },
    {
      spec: {
        ...base,
        name: 'gateway-sqlite',
        title: '(c) load -> gateway (SQLite, fsync per group commit) -> simulator',
        path: 'gateway',
        store: 'sqlite',
        tool: 'autocannon',
      },
      needs: {},
    },
    {
      spec: {
        ...base,
        name: 'direct-simulator-wrk',
        title: '(a) with wrk as the load generator',
        path: 'direct',
        tool: 'wrk',
      },
      needs: { wrk: true },
    },
    {
      spec: { ...base, name: 'nginx-proxy-wrk', title: '(b) with wrk', path: 'nginx', tool: 'wrk' },
      needs: { wrk: true, nginx: true },
    },
    {
      spec: {
        ...base,
        name: 'gateway-sqlite-wrk',
        title: '(c) with wrk',
        path: 'gateway',
        store: 'sqlite',
        tool: 'wrk',
      },
      needs: { wrk: true },
    },
    {
      spec: {
        ...base,
        name: 'direct-simulator-1k',
        title: '(a) at a fixed 1,000 requests/s',
        path: 'direct',
        tool: 'autocannon',
        connections: 50,
        overallRate: 1_000,
      },
      needs: {},
    },
    {
      spec: {
        ...base,
        name: 'gateway-sqlite-1k',
        title: '(c) at a fixed 1,000 recharges/s',
        path: 'gateway',
        store: 'sqlite',
        tool: 'autocannon',
        connections: 50,
        overallRate: 1_000,
      },
      needs: {},
    },
    {
      spec: {
        ...base,
        name: 'gateway-postgres-1',
        title: '(d) gateway on PostgreSQL, one replica',
        path: 'gateway',
        store: 'postgres',
        tool: 'autocannon',
      },
      needs: { postgres: true },
    },
    {
      spec: {
        ...base,
        name: 'gateway-postgres-2',
        title: '(d) two replicas on one PostgreSQL database, load split across both',
        path: 'gateway',
        store: 'postgres',
        replicas: 2,
        tool: 'autocannon',
      },
      needs: { postgres: true },
    },
  ];
  for (const dialect of ['rest-json', 'ers', 'pretups', 'huawei-cbs'] as const) {
    entries.push({
      spec: {
        ...base,
        dialect,
        name: `dialect-${dialect}`,
        title: `gateway (SQLite) -> ${dialect} simulator`,
        path: 'gateway',
        store: 'sqlite',
        tool: 'autocannon',
      },
      needs: {},
    });
  }
  entries.push(
    {
      spec: {
        ...base,
        name: 'slow-operators-10k',
        title: '(e) operator latency 2 s, 10,000 recharges in flight (10,000 connections)',
        path: 'gateway',
        store: 'sqlite',
        tool: 'autocannon',
        connections: 10_000,
        simulatorLatencyMs: 2_000,
        syncWindowMs: 30_000,
        requestMs: 25_000,
        concurrency: 12_000,
        timeoutS: 60,
        // no separate warm-up: its 10,000 abandoned requests would still be queued in the gateway when
        // the measured run starts; the one run includes the ramp (10,000 connects through a backlog of 511)
        warmupS: 0,
        durationS: Math.max(durationS + warmupS, 20),
        nofile: 20_000,
      },
      needs: {},
    },
    {
      spec: {
        ...base,
        name: 'profile-gateway-sqlite',
        title: '(c) again, the gateway under node --cpu-prof (slower: the profiler costs CPU)',
        path: 'gateway',
        store: 'sqlite',
        tool: 'autocannon',
        cpuProfileDir: join(REPO_ROOT, 'bench/profiles'),
      },
      needs: {},
      profile: true,
    },
  );
  return entries;
}

function has(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function versionOf(cmd: string, args: string[]): string | null {
  try {
    // nginx -v and others print their version on stderr
    const out = execFileSync('sh', ['-c', `${cmd} ${args.join(' ')} 2>&1`], { encoding: 'utf8' });
    return out.trim().split('\n')[0] || null;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    const text = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
    return text ? (text.split('\n')[0] ?? null) : null;
  }
}

function fmt(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(n);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      duration: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '64' },
      out: { type: 'string' },
      list: { type: 'boolean', default: false },
      render: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const durationS = Number(values.duration);
  const warmupS = Number(values.warmup);
  const connections = Number(values.connections);
  if (!(durationS > 0) || !(warmupS >= 0) || !(connections > 0)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const notesFile = join(REPO_ROOT, 'bench/profile-notes.md');
  const notes = () => (existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : '');
  if (values.render) {
    // results.md again from results.json (after editing bench/profile-notes.md), without running
    const dir = values.out ?? join(REPO_ROOT, 'bench');
    const saved = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
    writeFileSync(join(dir, 'results.md'), renderMarkdown(saved, notes()));
    process.stdout.write(`wrote ${relative(process.cwd(), join(dir, 'results.md'))}\n`);
    return 0;
  }
  const all = catalogue(durationS, warmupS, connections);
  if (values.list) {
    for (const e of all) process.stdout.write(`${e.spec.name.padEnd(24)} ${e.spec.title}\n`);
    return 0;
  }
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((n) => !all.some((e) => e.spec.name === n)) ?? [];
  if (unknown.length) {
    process.stderr.write(`no scenario ${unknown.join(', ')} (npm run bench -- --list)\n`);
    return 2;
  }
  const selected = all.filter((e) => !only || only.includes(e.spec.name));
  const outDir = values.out ?? (only ? join(REPO_ROOT, 'bench/.tmp') : join(REPO_ROOT, 'bench'));
  mkdirSync(outDir, { recursive: true });

  const pgVersion = selected.some((e) => e.needs.postgres) ? await postgresVersion() : null;
  const available = { wrk: has('wrk'), nginx: has('nginx'), postgres: pgVersion !== null };
  const machine = {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    autocannon: (
      JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/autocannon/package.json'), 'utf8')) as {
        version: string;
      }
    ).version,
    wrk: available.wrk ? versionOf('wrk', ['-v']) : null,
    nginx: available.nginx ? versionOf('nginx', ['-v']) : null,
    postgres: pgVersion,
    loadAverageBefore: loadavg().map((l) => Math.round(l * 100) / 100),
    loadAverageAfter: [] as number[],
    uptimeBefore: versionOf('uptime', []),
  };
  process.stdout.write(
    `mnogate bench: ${selected.length} scenario(s), ${warmupS} s warm-up + ${durationS} s each; ${machine.cores} cores, node ${machine.node}, load average ${machine.loadAverageBefore.join(' ')}\n`,
  );

  const scenarios: Record<string, ScenarioResult> = {};
  const skipped: Unavailable[] = [];
  const failed: Unavailable[] = [];
  let profile: Results['profile'];
  const t0 = Date.now();
  for (const [i, entry] of selected.entries()) {
    const { spec } = entry;
    const missing = (Object.keys(entry.needs) as (keyof Requirement)[]).filter(
      (k) => entry.needs[k] && !available[k],
    );
    const head = `[${i + 1}/${selected.length}] ${spec.name}`;
    if (missing.length) {
      const reason = `${missing.join(', ')} not available${missing.includes('postgres') ? ' (127.0.0.1:5432, user postgres)' : ` (apt-get install -y ${missing.map((m) => (m === 'nginx' ? 'nginx-light' : m)).join(' ')})`}`;
      process.stdout.write(`${head}: skipped: ${reason}\n`);
      skipped.push({ name: spec.name, reason });
      continue;
    }
    const started = Date.now();
    try {
      const result = await runScenario(spec, (step) => process.stdout.write(`${head}: ${step}\n`));
      scenarios[spec.name] = result;
      process.stdout.write(
        `${head}: ${fmt(result.rps)} recharges/s, p50 ${fmt(result.p50Ms)} ms, p99 ${fmt(result.p99Ms)} ms, p99.9 ${fmt(result.p999Ms)} ms, errors ${result.errors}, ${result.subject} ${fmt(result.cpuMsPerRecharge)} CPU ms/recharge, RSS ${fmt(result.rssMb)} MB${result.store ? `, store ${JSON.stringify(result.store.byStatus)} ${fmt(result.store.eventsPerRecharge)} events/recharge${Object.keys(result.store.failures).length ? ` failures ${JSON.stringify(result.store.failures)}` : ''}` : ''} (${Math.round((Date.now() - started) / 1000)} s)\n`,
      );
      if (entry.profile && result.cpuProfile) {
        const summary = summariseFile(result.cpuProfile, 25);
        profile = { scenario: spec.name, file: relative(REPO_ROOT, result.cpuProfile), ...summary };
        process.stdout.write(
          `${head}: profile ${profile.file}: top ${summary.top
            .slice(0, 3)
            .map((f) => `${f.function} ${f.pct}%`)
            .join(', ')}\n`,
        );
      }
    } catch (err) {
      const reason = (err as Error).message;
      process.stdout.write(`${head}: FAILED: ${reason}\n`);
      failed.push({ name: spec.name, reason: reason.split('\n')[0] ?? reason });
    }
  }
  machine.loadAverageAfter = loadavg().map((l) => Math.round(l * 100) / 100);

  const results: Results = {
    generatedAt: new Date().toISOString(),
    wallClockS: Math.round((Date.now() - t0) / 1000),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    settings: { durationS, warmupS, connections },
    machine,
    scenarios,
    targets: targetsOf(scenarios),
    skipped,
    failed,
    ...(profile ? { profile } : {}),
  };
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, 'results.md'), renderMarkdown(results, notes()));
  process.stdout.write(
    `\nwrote ${relative(process.cwd(), join(outDir, 'results.md'))} and results.json (${results.wallClockS} s)\n`,
  );
  for (const [name, t] of Object.entries(results.targets)) {
    process.stdout.write(`  target ${name}: ${t.status.toUpperCase()}: ${t.figure}\n`);
  }
  return failed.length ? 1 : 0;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stdout.write(`\n${signal}: stopping every bench process\n`);
    void cleanupAll().finally(() => process.exit(130));
  });
}
process.on('exit', killAllNow);

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
