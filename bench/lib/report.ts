/** bench/results.json's shape, the targets (met or missed, with their figures), and results.md. */
import type { ProfileSummary } from '../profile-summary.js';
import type { ScenarioResult } from './scenario.js';

export interface Unavailable {
  readonly name: string;
  readonly reason: string;
}

export interface Target {
  readonly goal: string;
  readonly status: 'met' | 'missed' | 'not run';
  readonly figure: string;
  readonly value?: number;
  readonly note?: string;
}

export interface Results {
  readonly generatedAt: string;
  readonly wallClockS: number;
  readonly command: string;
  readonly settings: { durationS: number; warmupS: number; connections: number };
  readonly machine: {
    cores: number;
    cpuModel: string;
    memoryMb: number;
    node: string;
    autocannon: string;
    wrk: string | null;
    nginx: string | null;
    postgres: string | null;
    loadAverageBefore: number[];
    loadAverageAfter: number[];
    uptimeBefore: string | null;
  };
  readonly scenarios: Record<string, ScenarioResult>;
  readonly targets: Record<string, Target>;
  readonly skipped: readonly Unavailable[];
  readonly failed: readonly Unavailable[];
  readonly profile?: ProfileSummary & { scenario: string; file: string };
}

const f = (n: number | undefined, digits = 1) =>
  n === undefined || !Number.isFinite(n)
    ? 'n/a'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits });

/** The scenario whose latency a scenario's "added latency" is measured against: (a) under the same load shape. */
export function baselineOf(name: string): string | undefined {
  if (name.startsWith('direct-simulator')) return undefined;
  if (name.endsWith('-wrk')) return 'direct-simulator-wrk';
  if (name.endsWith('-1k')) return 'direct-simulator-1k';
  if (name === 'slow-operators-10k') return undefined;
  return 'direct-simulator';
}

function storeDurable(r: ScenarioResult | undefined): boolean {
  if (!r?.store) return false;
  const { recharges, byStatus, eventsPerRecharge } = r.store;
  return recharges > 0 && byStatus.succeeded === recharges && eventsPerRecharge === 3;
}

export function targetsOf(s: Record<string, ScenarioResult>): Record<string, Target> {
  const targets: Record<string, Target> = {};

  const sqlite = s['gateway-sqlite'];
  const sqliteWrk = s['gateway-sqlite-wrk'];
  const best = [sqlite, sqliteWrk]
    .filter((r): r is ScenarioResult => r !== undefined)
    .sort((a, b) => b.rps - a.rps)[0];
  targets['gateway-sqlite-5000-rps'] = best
    ? {
        goal: '(c) gateway on SQLite >= 5,000 recharges/s with every state change durable',
        status: best.rps >= 5_000 && storeDurable(best) && best.errors === 0 ? 'met' : 'missed',
        value: best.rps,
        figure: `${f(best.rps, 0)} recharges/s (${best.name}: ${best.tool}, ${best.connections} connections)${
          sqlite && sqliteWrk ? `; autocannon ${f(sqlite.rps, 0)}/s, wrk ${f(sqliteWrk.rps, 0)}/s` : ''
        }; errors ${best.errors}; store: ${best.store ? `${f(best.store.recharges, 0)} recharges, ${JSON.stringify(best.store.byStatus)}, ${f(best.store.eventsPerRecharge, 2)} durable state rows each` : 'not checked'}`,
      }
    : { goal: '(c) >= 5,000 recharges/s', status: 'not run', figure: 'gateway-sqlite not run' };

  const gw1k = s['gateway-sqlite-1k'];
  const direct1k = s['direct-simulator-1k'];
  if (gw1k && direct1k) {
    const added = gw1k.p99Ms - direct1k.p99Ms;
    targets['added-p99-at-1000-rps'] = {
      goal: 'p99 latency added by the gateway <= 5 ms at 1,000 recharges/s',
      status: added <= 5 && gw1k.errors === 0 ? 'met' : 'missed',
      value: Math.round(added * 100) / 100,
      figure: `+${f(added, 2)} ms (gateway p99 ${f(gw1k.p99Ms, 2)} ms at ${f(gw1k.rps, 0)}/s vs direct p99 ${f(direct1k.p99Ms, 2)} ms at ${f(direct1k.rps, 0)}/s); added p50 +${f(gw1k.p50Ms - direct1k.p50Ms, 2)} ms, p99.9 +${f(gw1k.p999Ms - direct1k.p999Ms, 2)} ms`,
    };
  } else {
    targets['added-p99-at-1000-rps'] = {
      goal: 'p99 added <= 5 ms at 1,000/s',
      status: 'not run',
      figure: 'needs gateway-sqlite-1k and direct-simulator-1k',
    };
  }

  const slow = s['slow-operators-10k'];
  targets['slow-operators-10k-in-flight'] = slow
    ? {
        goal: '(e) 10,000 recharges in flight to a 2 s operator with zero errors and RSS <= 512 MB',
        status: slow.errors === 0 && slow.rssMb <= 512 && storeDurable(slow) ? 'met' : 'missed',
        value: slow.rssMb,
        figure: `${f(slow.connections * slow.pipelining, 0)} in flight, ${f(slow.rps, 0)} recharges/s (Little: ${f(slow.rps * (slow.meanMs / 1000), 0)} in flight on average), errors ${slow.errors}, gateway RSS ${f(slow.rssMb)} MB, p50 ${f(slow.p50Ms, 0)} ms, p99 ${f(slow.p99Ms, 0)} ms${slow.store ? `; store ${JSON.stringify(slow.store.byStatus)}` : ''}`,
      }
    : { goal: '(e) 10,000 in flight', status: 'not run', figure: 'slow-operators-10k not run' };

  const pg1 = s['gateway-postgres-1'];
  const pg2 = s['gateway-postgres-2'];
  if (pg1 && pg2) {
    const ratio = pg2.rps / pg1.rps;
    const busy2 = pg2.cpu.busyMs / Math.max(1, pg2.cpu.capacityMs);
    targets['two-replicas-1.6x'] = {
      goal: '(d) two replicas >= 1.6 x one replica, where two cores can show it',
      status: ratio >= 1.6 ? 'met' : 'missed',
      value: Math.round(ratio * 100) / 100,
      figure: `${f(ratio, 2)}x (${f(pg2.rps, 0)}/s vs ${f(pg1.rps, 0)}/s)`,
      note:
        busy2 > 0.9
          ? `cannot be shown on this machine: with ${'two'} replicas the ${Math.round(busy2 * 100)}% busy CPU is shared by the load generator (${f(pg2.cpu.loadGeneratorMs / 1000, 1)} s), the simulator, PostgreSQL and both gateways (${f(pg2.processes.gateway?.cpuMs ? pg2.processes.gateway.cpuMs / 1000 : undefined, 1)} s) over a ${f(pg2.cpu.windowMs / 1000, 1)} s window; a second replica adds no core here`
          : undefined,
    };
  } else {
    targets['two-replicas-1.6x'] = {
      goal: '(d) two replicas >= 1.6x',
      status: 'not run',
      figure: 'needs gateway-postgres-1 and -2',
    };
  }
  return targets;
}

function scenarioRow(r: ScenarioResult, all: Record<string, ScenarioResult>): string {
  const base = baselineOf(r.name);
  const b = base ? all[base] : undefined;
  const added = b
    ? `+${f(r.p50Ms - b.p50Ms, 2)} / +${f(r.p99Ms - b.p99Ms, 2)}`
    : r.name === 'slow-operators-10k'
      ? `+${f(r.p50Ms - 2_000, 0)} / (vs 2,000)`
      : '';
  const load = `${r.tool}, ${r.overallRate ? `${f(r.overallRate, 0)}/s fixed, ` : ''}${f(r.connections, 0)} conn${r.pipelining > 1 ? ` x${r.pipelining}` : ''}`;
  const store = r.store
    ? `${f(r.store.byStatus.succeeded ?? 0, 0)}/${f(r.store.recharges, 0)} succeeded, ${f(r.store.eventsPerRecharge, 2)} rows each${
        (r.store.byStatus.succeeded ?? 0) === r.store.recharges
          ? ''
          : ` — **NOT ALL SUCCEEDED**: ${JSON.stringify(r.store.byStatus)}${Object.keys(r.store.failures ?? {}).length ? ` ${JSON.stringify(r.store.failures)}` : ''}`
      }`
    : '';
  return `| \`${r.name}\` | ${load} | **${f(r.rps, 0)}** | ${f(r.p50Ms, 2)} | ${f(r.p99Ms, 2)} | ${f(r.p999Ms, 2)} | ${added} | ${f(r.errors, 0)} | ${r.subject} ${f(r.cpuMsPerRecharge, 3)} | ${f(r.rssMb, 0)} | ${store} |`;
}

export function renderMarkdown(results: Results, profileNotes: string): string {
  const s = results.scenarios;
  const m = results.machine;
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  const othersShare = Object.values(s).map((r) => r.cpu.othersMs / Math.max(1, r.cpu.capacityMs));
  const maxOthers = othersShare.length ? Math.max(...othersShare) : 0;

  push(
    '# Benchmarks: results',
    '',
    `Generated by \`${results.command}\` on ${results.generatedAt} (${f(results.wallClockS / 60, 1)} min). ` +
      `Every process on loopback; each scenario in its own processes, apart from the load generator's.`,
    '',
    `**Machine:** ${m.cores} cores (\`os.availableParallelism()\`), ${m.cpuModel}, ${f(m.memoryMb / 1024, 1)} GB RAM; ` +
      `Node ${m.node}; autocannon ${m.autocannon}; ${m.wrk ?? 'no wrk'}; ${m.nginx ?? 'no nginx'}; PostgreSQL ${m.postgres ?? 'not reachable'}.`,
    '',
    `**Load average** before the run ${m.loadAverageBefore.join(' / ')}, after ${m.loadAverageAfter.join(' / ')} (1 / 5 / 15 min). ` +
      (maxOthers > 0.05
        ? `The machine was **shared**: other work (not this bench) used up to ${Math.round(maxOthers * 100)}% of the ${m.cores} cores during a measured window (column "others" below), so absolute figures are lower than on an idle machine.`
        : 'Other work on the machine used under 5% of the CPU during the measured windows.'),
    '',
    `Settings: ${results.settings.warmupS} s warm-up (not measured) then ${results.settings.durationS} s measured per scenario; closed-loop scenarios use ${results.settings.connections} connections unless shown.`,
    '',
    '## Targets',
    '',
    '| target | status | figure |',
    '|---|---|---|',
  );
  for (const t of Object.values(results.targets)) {
    push(`| ${t.goal} | **${t.status.toUpperCase()}** | ${t.figure}${t.note ? `. ${t.note}` : ''} |`);
  }
  push(
    '',
    '## Results',
    '',
    'rps = 2xx answers per second over the measured window; latencies in ms from the load generator (exact samples for autocannon, HdrHistogram for wrk); ' +
      '"added" = this scenario minus (a) under the same load shape (p50 / p99); errors = socket errors + timeouts + non-2xx; ' +
      'CPU = user + system time of the named process(es) from /proc/<pid>/stat over the window, per completed recharge; RSS = peak VmRSS/VmHWM in MB of the same process(es).',
    '',
    '| scenario | load | rps | p50 | p99 | p99.9 | added p50 / p99 | errors | CPU ms / recharge | RSS MB | store check |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of Object.values(s)) push(scenarioRow(r, s));
  push('', 'What each scenario is:', '');
  for (const r of Object.values(s)) push(`- \`${r.name}\`: ${r.title}`);

  const ratio = (a?: ScenarioResult, b?: ScenarioResult) => (a && b ? `${f(a.rps / b.rps, 2)}` : 'n/a');
  push(
    '',
    '## Ratios',
    '',
    '| ratio | autocannon | wrk |',
    '|---|---|---|',
    `| (c)/(a): gateway-sqlite / direct-simulator throughput | ${ratio(s['gateway-sqlite'], s['direct-simulator'])} | ${ratio(s['gateway-sqlite-wrk'], s['direct-simulator-wrk'])} |`,
    `| (c)/(b): gateway-sqlite / nginx-proxy throughput | ${ratio(s['gateway-sqlite'], s['nginx-proxy'])} | ${ratio(s['gateway-sqlite-wrk'], s['nginx-proxy-wrk'])} |`,
    `| (b)/(a): nginx-proxy / direct-simulator throughput | ${ratio(s['nginx-proxy'], s['direct-simulator'])} | ${ratio(s['nginx-proxy-wrk'], s['direct-simulator-wrk'])} |`,
    `| (d): gateway-postgres-2 / gateway-postgres-1 | ${ratio(s['gateway-postgres-2'], s['gateway-postgres-1'])} | |`,
    `| (d)/(c): gateway-postgres-1 / gateway-sqlite | ${ratio(s['gateway-postgres-1'], s['gateway-sqlite'])} | |`,
  );
  const dialects = ['rest-json', 'ers', 'pretups', 'huawei-cbs']
    .map((d) => s[`dialect-${d}`])
    .filter((r): r is ScenarioResult => !!r);
  if (dialects.length) {
    const rest = s['dialect-rest-json'];
    push(
      '',
      '### Per dialect (gateway on SQLite to each simulator)',
      '',
      '| dialect | rps | vs rest-json | p50 | p99 | gateway CPU ms / recharge | simulator CPU ms / recharge |',
      '|---|---|---|---|---|---|---|',
    );
    for (const r of dialects) {
      push(
        `| ${r.name.replace('dialect-', '')} | ${f(r.rps, 0)} | ${rest ? f(r.rps / rest.rps, 2) : 'n/a'} | ${f(r.p50Ms, 2)} | ${f(r.p99Ms, 2)} | ${f(r.cpuMsPerRecharge, 3)} | ${f(r.processes.simulator?.cpuMsPerRecharge, 3)} |`,
      );
    }
  }

  push(
    '',
    '## Where the CPU went',
    '',
    `Over each measured window, in CPU seconds (${m.cores} cores = ${m.cores} CPU seconds per second): the scenario's processes, the load generator, and everything else on the machine.`,
    '',
    '| scenario | window s | machine busy | gateway | simulator | nginx | load generator | others |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const r of Object.values(s)) {
    const c = r.cpu;
    const sec = (ms: number | undefined) => (ms === undefined ? '' : f(ms / 1000, 1));
    push(
      `| \`${r.name}\` | ${sec(c.windowMs)} | ${sec(c.busyMs)} (${Math.round((c.busyMs / Math.max(1, c.capacityMs)) * 100)}%) | ${sec(r.processes.gateway?.cpuMs)} | ${sec(r.processes.simulator?.cpuMs)} | ${sec(r.processes.nginx?.cpuMs)} | ${sec(c.loadGeneratorMs)} | ${sec(c.othersMs)} |`,
    );
  }

  push(
    '',
    '## Method',
    '',
    '- Processes: the simulator is `mnogate simulate --config <generated yaml> --latency <ms>`; each gateway replica is `mnogate serve --config <generated yaml> --port <n>` after `mnogate keys create --json` against the same config; nginx (Debian nginx-light) runs in the foreground with `-g "daemon off;" -p <tmpdir> -c <conf>` as a keep-alive reverse proxy (`worker_processes auto`, buffered access log). Each is its own process group, stopped (and its temp dir removed) after its scenario, on failure and on Ctrl-C.',
    '- The generated config is examples/demo/mnogate.yaml reduced to one operator (mtn, rest-json, unless a dialect scenario), every listener on a free 127.0.0.1 port, operator limits (bulkhead, rate limit, circuit) set high enough not to be what is measured, endpoint probes off. The gateway logs at its default level (info: one JSON line per request and per operator call) to a file.',
    "- Load: `bench/load.ts`, a separate process, runs autocannon with a unique `externalId` (direct, nginx) or `Idempotency-Key` (gateway) and a distinct MSISDN per request, or wrk with `bench/wrk/unique-post.lua` doing the same. It reads /proc for the CPU time and RSS of the scenario's processes at the start and end of the measured window (RSS also sampled every 250 ms). Closed loop unless a fixed rate is shown (autocannon `overallRate`; latencies as seen, not corrected for coordinated omission).",
    '- Durability: the SQLite store commits with `synchronous = FULL` in WAL mode (group commit: one fsync per event-loop turn); PostgreSQL with `synchronous_commit = on`. After each gateway scenario the bench reads the store: every recharge must be `succeeded` with 3 history rows (accepted, submitting, succeeded), each committed before the next step.',
    "- (e) holds 10,000 recharges in flight with 5,000 connections and 2 pipelined requests on each: the sandbox's hard limit of 20,000 open files per process cannot hold 10,000 inbound plus 10,000 outbound sockets in one gateway process, 5,000 + 10,000 fit. The gateway handles pipelined requests concurrently, so 10,000 operator calls are open at once.",
    '- PostgreSQL scenarios use a fresh schema per run (`?schema=bench_<ts>_<scenario>`), dropped afterwards.',
  );

  if (results.profile) {
    const p = results.profile;
    push(
      '',
      '## Profile',
      '',
      `\`node --cpu-prof\` on the gateway process during \`${p.scenario}\` (${p.file}, not in git); summarised by \`node --import tsx bench/profile-summary.ts <file>\`. ` +
        `Busy ${f(p.busyMs / 1000, 1)} s of ${f(p.totalMs / 1000, 1)} s profiled. Self time by area:`,
      '',
      '| area | self ms | % of busy |',
      '|---|---|---|',
      ...p.byArea.slice(0, 14).map((a) => `| ${a.area} | ${f(a.selfMs, 0)} | ${f(a.pct, 1)} |`),
      '',
      'Top functions by self time:',
      '',
      '| function | where | self ms | % of busy |',
      '|---|---|---|---|',
      ...p.top
        .slice(0, 20)
        .map((t) => `| \`${t.function}\` | ${t.location || t.area} | ${f(t.selfMs, 0)} | ${f(t.pct, 1)} |`),
    );
  }
  if (profileNotes.trim()) push('', profileNotes.trim());

  if (results.skipped.length || results.failed.length) {
    push('', '## Not run', '');
    for (const x of results.skipped) push(`- \`${x.name}\`: skipped: ${x.reason}`);
    for (const x of results.failed) push(`- \`${x.name}\`: FAILED: ${x.reason}`);
  }

  push(
    '',
    '## Reproduce',
    '',
    '```sh',
    'apt-get install -y wrk nginx-light   # optional: their scenarios are skipped without them',
    '# PostgreSQL reachable at 127.0.0.1:5432 as user postgres, for the gateway-postgres scenarios',
    'npm ci',
    'npm run bench                        # everything: about 10 minutes; writes bench/results.{md,json}',
    'npm run bench -- --list              # the scenarios',
    'npm run bench -- --only gateway-sqlite,direct-simulator --duration 10   # writes bench/.tmp/results.*',
    'node --import tsx bench/profile-summary.ts bench/profiles/<file>.cpuprofile',
    '```',
    '',
  );
  return lines.join('\n');
}
