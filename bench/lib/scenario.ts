/**
 * One scenario: start its processes (simulator, nginx, gateway replicas: each its own process
 * group), run the load generator in another process, check what the store holds, stop everything.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadResult, LoadSpec, ProcessFigures, WatchedGroup } from '../load.js';
import { type BenchDialect, MNOGATE_BIN, REPO_ROOT, REST_JSON_API_KEY, writeBenchConfig } from './config.js';
import {
  type Child,
  freePort,
  processTree,
  registerTempDir,
  removeTempDir,
  startChild,
  stopChild,
  trackHelper,
  waitFor,
} from './proc.js';
import {
  dropSchema,
  POSTGRES_URL,
  postgresCounts,
  postgresProgress,
  type StoreCounts,
  sqliteCounts,
  sqliteProgress,
} from './store-check.js';

export interface ScenarioSpec {
  readonly name: string;
  /** One line for the results table. */
  readonly title: string;
  /** direct: load -> simulator; nginx: load -> nginx -> simulator; gateway: load -> gateway(s) -> simulator. */
  readonly path: 'direct' | 'nginx' | 'gateway';
  readonly dialect: BenchDialect;
  readonly tool: 'autocannon' | 'wrk';
  readonly store?: 'sqlite' | 'postgres';
  readonly replicas?: number;
  readonly connections: number;
  readonly pipelining?: number;
  readonly overallRate?: number;
  /** The simulator's answer latency, ms. @default 0 */
  readonly simulatorLatencyMs?: number;
  readonly syncWindowMs?: number;
  readonly requestMs?: number;
  readonly concurrency?: number;
  readonly timeoutS?: number;
  readonly warmupS: number;
  readonly durationS: number;
  /** Run the gateway under `node --cpu-prof`, writing the profile into this directory. */
  readonly cpuProfileDir?: string;
  /** Open-files limit of the children. */
  readonly nofile?: number;
}

export interface ScenarioResult {
  readonly name: string;
  readonly title: string;
  readonly tool: string;
  readonly connections: number;
  readonly pipelining: number;
  readonly overallRate: number | null;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  /** Socket errors + timeouts + non-2xx answers. */
  readonly errors: number;
  readonly non2xx: number;
  readonly timeouts: number;
  readonly errorKinds: Record<string, number>;
  readonly completed: number;
  readonly durationS: number;
  readonly statusCodes: Record<string, number>;
  /** The measured process (the gateway(s), nginx, or the simulator for direct): its peak RSS. */
  readonly subject: string;
  readonly rssMb: number;
  /** Its CPU time per completed recharge. */
  readonly cpuMsPerRecharge: number;
  /** Every process of the scenario but the load generator. */
  readonly processes: Record<string, ProcessFigures & { cpuMsPerRecharge: number }>;
  readonly loadGeneratorCpuMsPerRecharge: number;
  /**
   * Where the machine's CPU went over the measured window (ms, all cores together): the scenario's
   * processes, the load generator, and everything else (other work on a shared machine).
   */
  readonly cpu: {
    readonly windowMs: number;
    readonly capacityMs: number;
    readonly busyMs: number;
    readonly scenarioMs: number;
    readonly loadGeneratorMs: number;
    readonly othersMs: number;
  };
  readonly store?: StoreCounts;
  readonly cpuProfile?: string;
}

export type Progress = (line: string) => void;

function tcpReady(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  return res.ok;
}

function runCli(args: readonly string[], logFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = trackHelper(
      spawn(process.execPath, [MNOGATE_BIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.once('exit', (code) => {
      writeFileSync(logFile, out + err);
      if (code === 0) resolve(out);
      else reject(new Error(`mnogate ${args[0]} exited ${code}: ${err || out}`));
    });
  });
}

function nginxConf(dir: string, listenPort: number, upstreamPort: number): string {
  return `# a plain reverse proxy in front of the simulator: no durability, no idempotency
user root;
worker_processes auto;
worker_rlimit_nofile 20000;
error_log ${dir}/nginx-error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 16384; }
http {
  access_log ${dir}/nginx-access.log combined buffer=64k flush=1s;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream simulator {
    server 127.0.0.1:${upstreamPort};
    keepalive 512;
  }
  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://simulator;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

function loadGenerator(spec: LoadSpec, logFile: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const proc = trackHelper(
      spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench/load.ts'), JSON.stringify(spec)], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.once('exit', (code) => {
      writeFileSync(logFile, out + err);
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as LoadResult);
      else reject(new Error(`load generator exited ${code}: ${err.slice(-2_000)}`));
    });
  });
}

/**
 * API clients the load is spread over. The gateway limits each API key to 100 requests/s (burst
 * 200) in each process, and mnogate.yaml cannot change that yet: one key would measure that limit.
 */
const KEYS = 64;

/** Keys `bench-2` ... for the clients after the first (made by `mnogate keys create`), in one go. */
async function moreKeys(configFile: string, baseDir: string, n: number): Promise<string[]> {
  const { parseConfig } = await import('@mnogate/core');
  const { createStore, generateApiKey } = await import('@mnogate/gateway');
  const parsed = parseConfig(readFileSync(configFile, 'utf8'));
  if (!parsed.ok) throw new Error('bench config is invalid');
  const store = createStore(parsed.config.gateway.store, { baseDir });
  try {
    await store.migrate();
    const keys: string[] = [];
    for (let i = 0; i < n; i++) {
      const clientId = `bench-${i + 2}`;
      const { key, record } = generateApiKey({
        clientId,
        name: clientId,
        scopes: ['recharge:write', 'recharge:read'],
      });
      await store.createApiKey(record);
      keys.push(key);
    }
    return keys;
  } finally {
    await store.close();
  }
}

const round = (v: number, digits = 2) =>
  Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v;

export async function runScenario(spec: ScenarioSpec, progress: Progress): Promise<ScenarioResult> {
  const dir = registerTempDir(mkdtempSync(join(tmpdir(), `mnogate-bench-${spec.name}-`)));
  const started: Child[] = [];
  const schema =
    spec.store === 'postgres' ? `bench_${Date.now()}_${spec.name.replace(/[^a-z0-9]/g, '_')}` : undefined;
  try {
    const cfg = await writeBenchConfig({
      dir,
      dialect: spec.dialect,
      store: schema ? `${POSTGRES_URL}?schema=${schema}` : undefined,
      acceptLoopbackSource: spec.path !== 'gateway',
      syncWindowMs: spec.syncWindowMs,
      requestMs: spec.requestMs,
      concurrency: spec.concurrency,
    });
    const nofile = spec.nofile;

    progress('simulator');
    const sim = startChild(
      'simulator',
      process.execPath,
      [
        MNOGATE_BIN,
        'simulate',
        '--config',
        cfg.file,
        '--json',
        '--latency',
        String(spec.simulatorLatencyMs ?? 0),
        '--hang-ms',
        '5000',
      ],
      join(dir, 'simulator.log'),
      { cwd: REPO_ROOT, nofile },
    );
    started.push(sim);
    await waitFor('simulator', () => readFileSync(sim.logFile, 'utf8').includes('{"operators"'));

    const watch: WatchedGroup[] = [];
    let urls: string[];
    let apiKeys = [REST_JSON_API_KEY];
    let subject: string;
    const gateways: Child[] = [];
    if (spec.path === 'direct') {
      urls = [cfg.simulatorUrl];
      subject = 'simulator';
    } else if (spec.path === 'nginx') {
      progress('nginx');
      const port = await freePort();
      const conf = join(dir, 'nginx.conf');
      writeFileSync(conf, nginxConf(dir, port, cfg.simulatorPort));
      for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
      const nginx = startChild(
        'nginx',
        'nginx',
        ['-g', 'daemon off;', '-p', dir, '-c', conf],
        join(dir, 'nginx.log'),
        {
          nofile,
        },
      );
      started.push(nginx);
      await waitFor('nginx', () => tcpReady(port));
      // the workers are forked after the port opens
      await waitFor('nginx workers', () => processTree(nginx.pid).length > 1, 5_000);
      watch.push({ name: 'nginx', pids: processTree(nginx.pid) });
      urls = [`http://127.0.0.1:${port}`];
      subject = 'nginx';
    } else {
      progress('api key');
      const created = JSON.parse(
        await runCli(
          [
            'keys',
            'create',
            '--config',
            cfg.file,
            '--name',
            'bench',
            '--scopes',
            'recharge:write,recharge:read',
            '--json',
          ],
          join(dir, 'keys.log'),
        ),
      ) as { key: string };
      apiKeys = [created.key, ...(await moreKeys(cfg.file, dir, KEYS - 1))];
      const replicas = spec.replicas ?? 1;
      urls = [];
      for (let i = 0; i < replicas; i++) {
        const port = i === 0 ? cfg.gatewayPort : await freePort();
        progress(replicas > 1 ? `gateway ${i + 1}/${replicas}` : 'gateway');
        const nodeArgs = spec.cpuProfileDir
          ? [
              '--cpu-prof',
              '--cpu-prof-dir',
              spec.cpuProfileDir,
              '--cpu-prof-name',
              `${spec.name}-${Date.now()}-${i}.cpuprofile`,
            ]
          : [];
        const gw = startChild(
          `gateway-${i + 1}`,
          process.execPath,
          [...nodeArgs, MNOGATE_BIN, 'serve', '--config', cfg.file, '--port', String(port)],
          join(dir, `gateway-${i + 1}.log`),
          { cwd: REPO_ROOT, nofile },
        );
        started.push(gw);
        gateways.push(gw);
        const url = `http://127.0.0.1:${port}`;
        await waitFor(`gateway ${i + 1}`, async () => {
          if (gw.proc.exitCode !== null)
            throw new Error(`gateway exited: ${readFileSync(gw.logFile, 'utf8').slice(-2_000)}`);
          return httpOk(`${url}/healthz`);
        });
        urls.push(url);
      }
      watch.push({ name: 'gateway', pids: gateways.map((g) => g.pid) });
      subject = 'gateway';
    }
    watch.push({ name: 'simulator', pids: [sim.pid] });

    const load: LoadSpec = {
      tool: spec.tool,
      urls,
      kind: spec.path === 'gateway' ? 'gateway' : 'simulator',
      apiKeys,
      prefix: cfg.prefix,
      amount: '100',
      currency: 'AFN',
      connections: spec.connections,
      pipelining: spec.pipelining ?? 1,
      warmupS: spec.warmupS,
      durationS: spec.durationS,
      ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
      timeoutS: spec.timeoutS ?? 30,
      seed: `b${Date.now().toString(36)}`,
      watch,
    };
    progress(
      `load: ${spec.tool}, ${spec.connections} connections${spec.pipelining ? ` x ${spec.pipelining} pipelined` : ''}${spec.overallRate ? `, ${spec.overallRate}/s fixed` : ''}, warm-up ${spec.warmupS} s + ${spec.durationS} s`,
    );
    const result = await loadGenerator(load, join(dir, 'load.log'));

    // Requests the load generator sent before it stopped are still being worked on (the gateway
    // finishes a recharge whose client went away). Let them finish before stopping the gateways:
    // a graceful stop refuses every recharge not yet submitted, which would read as failures.
    if (gateways.length) {
      progress('waiting for in-flight recharges to settle');
      const read = () => (schema ? postgresProgress(schema) : sqliteProgress(join(dir, 'mnogate.db')));
      let last = -1;
      await waitFor(
        'settled recharges',
        async () => {
          const p = await read();
          const settled = p.live === 0 && p.total === last;
          last = p.total;
          return settled;
        },
        120_000,
        500,
      ).catch(() => progress('still recharges in flight after 120 s: stopping anyway'));
    }
    for (const gw of gateways) await stopChild(gw, 20_000);
    let store: StoreCounts | undefined;
    if (spec.path === 'gateway') {
      store = schema ? await postgresCounts(schema) : sqliteCounts(join(dir, 'mnogate.db'));
    }
    let cpuProfile: string | undefined;
    if (spec.cpuProfileDir && existsSync(spec.cpuProfileDir)) {
      const files = readdirSync(spec.cpuProfileDir)
        .filter((f) => f.startsWith(spec.name) && f.endsWith('.cpuprofile'))
        .map((f) => join(spec.cpuProfileDir!, f))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
      cpuProfile = files[0];
    }

    const completed = result.ok;
    const processes: ScenarioResult['processes'] = {};
    for (const [name, p] of Object.entries(result.processes)) {
      processes[name] = {
        ...p,
        cpuMs: round(p.cpuMs, 0),
        rssPeakMb: round(p.rssPeakMb, 1),
        hwmMb: round(p.hwmMb, 1),
        cpuMsPerRecharge: round(p.cpuMs / Math.max(1, completed), 4),
      };
    }
    const main = processes[subject]!;
    const scenarioMs = Object.values(result.processes).reduce((a, p) => a + p.cpuMs, 0);
    const cpu = {
      windowMs: round(result.windowMs, 0),
      capacityMs: round(result.windowMs * availableParallelism(), 0),
      busyMs: round(result.machineBusyMs, 0),
      scenarioMs: round(scenarioMs, 0),
      loadGeneratorMs: round(result.loadGeneratorCpuMs, 0),
      othersMs: round(Math.max(0, result.machineBusyMs - scenarioMs - result.loadGeneratorCpuMs), 0),
    };
    return {
      name: spec.name,
      title: spec.title,
      tool: spec.tool,
      connections: spec.connections,
      pipelining: spec.pipelining ?? 1,
      overallRate: spec.overallRate ?? null,
      rps: round(result.rps, 0),
      p50Ms: round(result.latencyMs.p50),
      p90Ms: round(result.latencyMs.p90),
      p99Ms: round(result.latencyMs.p99),
      p999Ms: round(result.latencyMs.p999),
      maxMs: round(result.latencyMs.max),
      meanMs: round(result.latencyMs.mean),
      errors: result.errors + result.non2xx,
      non2xx: result.non2xx,
      timeouts: result.timeouts,
      errorKinds: result.errorKinds,
      completed,
      durationS: round(result.durationS),
      statusCodes: result.statusCodes,
      subject,
      // the peak of the sampled VmRSS and of the kernel's own high-water mark, whichever is larger
      rssMb: round(Math.max(main.rssPeakMb, main.hwmMb), 1),
      cpuMsPerRecharge: main.cpuMsPerRecharge,
      processes,
      loadGeneratorCpuMsPerRecharge: round(result.loadGeneratorCpuMs / Math.max(1, completed), 4),
      cpu,
      ...(store ? { store } : {}),
      ...(cpuProfile ? { cpuProfile } : {}),
    };
  } catch (err) {
    const tails = started
      .map(
        (c) =>
          `--- ${c.name} (${c.logFile}):\n${existsSync(c.logFile) ? readFileSync(c.logFile, 'utf8').slice(-1_500) : ''}`,
      )
      .join('\n');
    throw new Error(`${(err as Error).message}\n${tails}`);
  } finally {
    for (const c of started.reverse()) await stopChild(c, 20_000);
    if (schema) await dropSchema(schema).catch(() => {});
    removeTempDir(dir);
  }
}
