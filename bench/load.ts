/**
 * The load generator, in its own process so that its CPU is not the measured processes': runs
 * autocannon (or wrk) against the scenario's URLs with a unique id and MSISDN per request, and
 * measures the watched processes (CPU time from /proc/<pid>/stat, RSS from /proc/<pid>/status)
 * over exactly the measured window. Reads one JSON LoadSpec from argv[2], prints one JSON
 * LoadResult line on stdout.
 *
 *   node --import tsx bench/load.ts '<LoadSpec JSON>'
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { cpuMs, machineBusyMs, memoryMb } from './lib/proc.js';

export interface WatchedGroup {
  readonly name: string;
  readonly pids: readonly number[];
}

export interface LoadSpec {
  readonly tool: 'autocannon' | 'wrk';
  /** Full URLs of the endpoint: several spread connections across them (replicas). */
  readonly urls: readonly string[];
  /** `simulator`: rest-json POST /topups with an externalId; `gateway`: POST /v1/recharges with an Idempotency-Key. */
  readonly kind: 'simulator' | 'gateway';
  /** X-API-Key for the simulator, bearer keys for the gateway (used in turn). */
  readonly apiKeys: readonly string[];
  /** E.164 prefix of the operator's numbers, e.g. +9377. */
  readonly prefix: string;
  readonly amount: string;
  readonly currency: string;
  readonly connections: number;
  /** Requests in flight per connection. @default 1 */
  readonly pipelining?: number;
  readonly warmupS: number;
  readonly durationS: number;
  /** A fixed total request rate (autocannon overallRate) instead of a closed loop. */
  readonly overallRate?: number;
  readonly timeoutS: number;
  /** Unique per run: prefixes every id. */
  readonly seed: string;
  readonly watch: readonly WatchedGroup[];
}

export interface ProcessFigures {
  readonly pids: readonly number[];
  /** CPU time (user + system) over the measured window. */
  readonly cpuMs: number;
  /** Largest sum of VmRSS over the group's processes seen while sampling the window. */
  readonly rssPeakMb: number;
  /** Sum of VmHWM (each process's lifetime peak) at the end. */
  readonly hwmMb: number;
}

export interface LoadResult {
  readonly tool: 'autocannon' | 'wrk';
  readonly durationS: number;
  /** Answers received (any status). */
  readonly responses: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly statusCodes: Record<string, number>;
  /** Socket errors and timeouts. */
  readonly errors: number;
  /** What the errors were (autocannon: the first kinds seen, with counts). */
  readonly errorKinds: Record<string, number>;
  readonly timeouts: number;
  readonly rps: number;
  /** Latency of 2xx answers, in ms. */
  readonly latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  readonly processes: Record<string, ProcessFigures>;
  /** CPU of this load generator itself over the window (autocannon runs in it; wrk is a child). */
  readonly loadGeneratorCpuMs: number;
  /** CPU the whole machine was busy over the window (all cores), and the window's wall time. */
  readonly machineBusyMs: number;
  readonly windowMs: number;
}

/** A national number of `prefix` whose last three digits are never a simulator fault (900 to 999). */
export function msisdnFor(prefix: string, n: number): string {
  const tail = n % 900;
  const block = Math.floor(n / 900) % 10_000;
  return `${prefix}${String(block).padStart(4, '0')}${String(tail).padStart(3, '0')}`;
}

/** The first few kinds of request errors seen, with counts. */
const errorKinds = new Map<string, number>();

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Every 2xx latency of the measured run, kept exactly (no histogram bucketing). */
class Samples {
  private chunks: Float64Array[] = [new Float64Array(65_536)];
  private used = 0;
  add(v: number) {
    let last = this.chunks[this.chunks.length - 1]!;
    if (this.used === last.length) {
      last = new Float64Array(65_536);
      this.chunks.push(last);
      this.used = 0;
    }
    last[this.used++] = v;
  }
  sorted(): Float64Array {
    const n = (this.chunks.length - 1) * 65_536 + this.used;
    const all = new Float64Array(n);
    let at = 0;
    this.chunks.forEach((c, i) => {
      const part = i === this.chunks.length - 1 ? c.subarray(0, this.used) : c;
      all.set(part, at);
      at += part.length;
    });
    return all.sort();
  }
}

class Watcher {
  private readonly startCpu = new Map<number, number>();
  private readonly peak = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private selfCpu = 0;
  private machine = 0;
  private startedAt = 0;
  constructor(private readonly groups: readonly WatchedGroup[]) {}

  start() {
    for (const g of this.groups) for (const pid of g.pids) this.startCpu.set(pid, cpuMs(pid));
    this.selfCpu = cpuMs(process.pid);
    this.machine = machineBusyMs();
    this.startedAt = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
  }

  private sample() {
    for (const g of this.groups) {
      let sum = 0;
      for (const pid of g.pids) {
        try {
          sum += memoryMb(pid).rssMb;
        } catch {
          // gone
        }
      }
      this.peak.set(g.name, Math.max(this.peak.get(g.name) ?? 0, sum));
    }
  }

  stop(): {
    processes: Record<string, ProcessFigures>;
    selfCpuMs: number;
    machineBusyMs: number;
    windowMs: number;
  } {
    clearInterval(this.timer);
    this.sample();
    const processes: Record<string, ProcessFigures> = {};
    for (const g of this.groups) {
      let cpu = 0;
      let hwm = 0;
      for (const pid of g.pids) {
        try {
          cpu += cpuMs(pid) - (this.startCpu.get(pid) ?? 0);
          hwm += memoryMb(pid).hwmMb;
        } catch {
          // gone
        }
      }
      processes[g.name] = { pids: g.pids, cpuMs: cpu, rssPeakMb: this.peak.get(g.name) ?? 0, hwmMb: hwm };
    }
    return {
      processes,
      selfCpuMs: cpuMs(process.pid) - this.selfCpu,
      machineBusyMs: machineBusyMs() - this.machine,
      windowMs: performance.now() - this.startedAt,
    };
  }
}

function requestFor(
  spec: LoadSpec,
  n: number,
): { path: string; headers: Record<string, string>; body: string } {
  const msisdn = msisdnFor(spec.prefix, n);
  const id = `${spec.seed}-${n}`;
  if (spec.kind === 'simulator') {
    return {
      path: '/topups',
      headers: { 'content-type': 'application/json', 'x-api-key': spec.apiKeys[0]! },
      body: JSON.stringify({ externalId: id, msisdn, amount: spec.amount, currency: spec.currency }),
    };
  }
  return {
    path: '/v1/recharges',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${spec.apiKeys[n % spec.apiKeys.length]}`,
      'idempotency-key': id,
    },
    body: JSON.stringify({ msisdn, amount: spec.amount, currency: spec.currency }),
  };
}

async function runAutocannon(
  spec: LoadSpec,
  durationS: number,
  firstIndex: number,
  samples: Samples | undefined,
): Promise<{ result: autocannon.Result; next: number }> {
  let n = firstIndex;
  const base = requestFor(spec, 0);
  const urls = spec.urls.map((u) => new URL(base.path, u).href);
  let done!: (r: { err: unknown; result: autocannon.Result }) => void;
  const finished = new Promise<{ err: unknown; result: autocannon.Result }>((resolve) => {
    done = resolve;
  });
  const instance = autocannon(
    {
      // autocannon spreads connections over several URLs; its types only know one
      url: (urls.length === 1 ? urls[0]! : urls) as string,
      method: 'POST',
      connections: spec.connections,
      pipelining: spec.pipelining ?? 1,
      duration: durationS,
      timeout: spec.timeoutS,
      ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => {
            const r = requestFor(spec, n++);
            return { ...req, headers: r.headers, body: r.body };
          },
        },
      ],
    },
    (err, result) => done({ err, result }),
  );
  instance.on('reqError', (err: Error) => {
    const text = `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`.trim();
    if (errorKinds.size < 5 || errorKinds.has(text)) errorKinds.set(text, (errorKinds.get(text) ?? 0) + 1);
  });
  if (samples) {
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) samples.add(responseTime);
    });
  }
  const { err, result } = await finished;
  if (err) throw err;
  return { result, next: n };
}

async function measureAutocannon(spec: LoadSpec): Promise<LoadResult> {
  let next = 0;
  if (spec.warmupS > 0) next = (await runAutocannon(spec, spec.warmupS, 0, undefined)).next;
  const samples = new Samples();
  const watcher = new Watcher(spec.watch);
  watcher.start();
  const started = performance.now();
  const { result } = await runAutocannon(spec, spec.durationS, next, samples);
  const elapsedS = (performance.now() - started) / 1000;
  const { processes, selfCpuMs, machineBusyMs: busy, windowMs } = watcher.stop();
  const sorted = samples.sorted();
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = v.count ?? 0;
  const ok = result['2xx'];
  const responses = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : Number.NaN;
  return {
    tool: 'autocannon',
    durationS: result.duration || elapsedS,
    responses,
    ok,
    non2xx: result.non2xx,
    statusCodes,
    errors: result.errors,
    errorKinds: Object.fromEntries(errorKinds),
    timeouts: result.timeouts,
    rps: ok / (result.duration || elapsedS),
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
      mean,
    },
    processes,
    loadGeneratorCpuMs: selfCpuMs,
    machineBusyMs: busy,
    windowMs,
  };
}

interface WrkSummary {
  requests: number;
  durationUs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
}

function runWrk(
  spec: LoadSpec,
  durationS: number,
  seed: string,
): Promise<{ summary: WrkSummary; cpuMs: number }> {
  const base = requestFor(spec, 0);
  const script = join(new URL('.', import.meta.url).pathname, 'wrk/unique-post.lua');
  const args = [
    '-t',
    String(Math.min(2, spec.connections)),
    '-c',
    String(spec.connections),
    '-d',
    `${durationS}s`,
    '--timeout',
    `${spec.timeoutS}s`,
    '-s',
    script,
    new URL(base.path, spec.urls[0]!).href,
  ];
  return new Promise((resolve, reject) => {
    const proc = spawn('wrk', args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        BENCH_KIND: spec.kind,
        BENCH_KEYS: spec.apiKeys.join(','),
        BENCH_PREFIX: spec.prefix,
        BENCH_AMOUNT: spec.amount,
        BENCH_CURRENCY: spec.currency,
        BENCH_SEED: seed,
      },
    });
    let out = '';
    let wrkCpu = 0;
    const timer = setInterval(() => {
      try {
        if (proc.pid) wrkCpu = cpuMs(proc.pid);
      } catch {
        // exited
      }
    }, 200);
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.once('error', reject);
    proc.once('exit', (code) => {
      clearInterval(timer);
      const line = out.split('\n').find((l) => l.startsWith('{"requests"'));
      if (code !== 0 || !line) reject(new Error(`wrk exited ${code}: ${out}`));
      else resolve({ summary: JSON.parse(line) as WrkSummary, cpuMs: wrkCpu });
    });
  });
}

async function measureWrk(spec: LoadSpec): Promise<LoadResult> {
  if (spec.urls.length !== 1) throw new Error('the wrk scenarios take one URL');
  if (spec.overallRate) throw new Error('wrk has no fixed rate (that is wrk2): use autocannon');
  if (spec.warmupS > 0) await runWrk(spec, spec.warmupS, `${spec.seed}w`);
  const watcher = new Watcher(spec.watch);
  watcher.start();
  const { summary, cpuMs: wrkCpuMs } = await runWrk(spec, spec.durationS, `${spec.seed}m`);
  const { processes, selfCpuMs, machineBusyMs: busy, windowMs } = watcher.stop();
  const durationS = summary.durationUs / 1e6;
  const e = summary.errors;
  const ok = summary.requests - e.status;
  const us = (v: number) => v / 1000;
  return {
    tool: 'wrk',
    durationS,
    responses: summary.requests,
    ok,
    non2xx: e.status,
    statusCodes: {},
    errors: e.connect + e.read + e.write + e.timeout,
    errorKinds: Object.fromEntries(Object.entries(e).filter(([, n]) => n > 0)),
    timeouts: e.timeout,
    rps: ok / durationS,
    // wrk's latencies include every answer (it does not separate non-2xx ones)
    latencyMs: {
      p50: us(summary.latencyUs.p50),
      p90: us(summary.latencyUs.p90),
      p99: us(summary.latencyUs.p99),
      p999: us(summary.latencyUs.p999),
      max: us(summary.latencyUs.max),
      mean: us(summary.latencyUs.mean),
    },
    processes,
    loadGeneratorCpuMs: selfCpuMs + wrkCpuMs,
    machineBusyMs: busy,
    windowMs,
  };
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  const result = spec.tool === 'wrk' ? await measureWrk(spec) : await measureAutocannon(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
