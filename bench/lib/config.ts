/**
 * The bench's mnogate.yaml, derived from examples/demo/mnogate.yaml: the same operators, dialects,
 * credentials and egress sources, with every listener on a free 127.0.0.1 port, the store of the
 * scenario, operator limits high enough not to be what is measured, and timeouts that fit the load.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '@mnogate/core';
import { parse, stringify } from 'yaml';
import { freePort } from './proc.js';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;
export const DEMO_DIR = join(REPO_ROOT, 'examples/demo');
export const MNOGATE_BIN = join(REPO_ROOT, 'packages/cli/bin/mnogate.js');

/** The demo's operators by dialect, with a number prefix of each (E.164). */
export const OPERATOR_OF_DIALECT = {
  ers: { id: 'awcc', prefix: '+9370' },
  pretups: { id: 'roshan', prefix: '+9379' },
  'huawei-cbs': { id: 'etisalat', prefix: '+9378' },
  'rest-json': { id: 'mtn', prefix: '+9377' },
} as const;
export type BenchDialect = keyof typeof OPERATOR_OF_DIALECT;

/** The rest-json simulator's API key (examples/demo/secrets/mtn-api): the direct and nginx scenarios send it. */
export const REST_JSON_API_KEY = 'demo-rest-key-0123456789';

export interface BenchConfigOptions {
  readonly dir: string;
  readonly dialect: BenchDialect;
  /** gateway.store; default a SQLite file in `dir`. */
  readonly store?: string;
  readonly syncWindowMs?: number;
  readonly requestMs?: number;
  /** Operator calls in flight at once (bulkhead and egress connection pool). */
  readonly concurrency?: number;
  /**
   * Let the simulator accept 127.0.0.1 as a source (the direct and nginx scenarios, whose clients
   * cannot bind the gateway's egress address). The gateway scenarios keep the demo's egress.
   */
  readonly acceptLoopbackSource?: boolean;
}

export interface BenchConfig {
  readonly file: string;
  readonly operatorId: string;
  readonly prefix: string;
  /** Where the simulator listens (the operator's first endpoint). */
  readonly simulatorUrl: string;
  readonly simulatorPort: number;
  readonly gatewayPort: number;
  readonly controlPort: number;
}

export async function writeBenchConfig(options: BenchConfigOptions): Promise<BenchConfig> {
  const demo = parse(readFileSync(join(DEMO_DIR, 'mnogate.yaml'), 'utf8')) as Record<string, unknown> & {
    operators: Record<string, unknown>[];
  };
  const { id, prefix } = OPERATOR_OF_DIALECT[options.dialect];
  const op = structuredClone(demo.operators.find((o) => o.id === id));
  if (!op) throw new Error(`the demo has no operator ${id}`);
  const simulatorPort = await freePort();
  const gatewayPort = await freePort();
  const controlPort = await freePort();
  const api = op.api as { endpoints: string[]; timeouts: unknown; settleWindowMs: number };
  const path = new URL(api.endpoints[0]!).pathname;
  const simulatorUrl = `http://127.0.0.1:${simulatorPort}${path === '/' ? '' : path}`;
  api.endpoints = [simulatorUrl];
  api.timeouts = { connectMs: 2_000, requestMs: options.requestMs ?? 8_000, statusMs: 5_000 };
  api.settleWindowMs = 60_000;
  if (options.acceptLoopbackSource)
    op.egress = { mode: 'cidr', subnet: '127.0.0.0/29', sourceIp: '127.0.0.1' };
  const concurrency = options.concurrency ?? 4_096;
  op.limits = {
    concurrency,
    ratePerSecond: 1_000_000,
    burst: 1_000_000,
    circuit: { failureThreshold: 1_000_000, cooldownMs: 1_000 },
    probeIntervalMs: 0,
  };
  const config = {
    version: 1,
    gateway: {
      listen: { host: '127.0.0.1', port: gatewayPort },
      store: options.store ?? `sqlite:${join(options.dir, 'mnogate.db')}`,
      secrets: { provider: 'file', dir: join(DEMO_DIR, 'secrets') },
      syncWindowMs: options.syncWindowMs ?? 10_000,
      // the load is one client pushing far past a real one: the per-key brake is not what is measured
      apiKeyRateLimit: { ratePerSecond: 1_000_000, burst: 1_000_000 },
    },
    network: { vpcCidr: '127.0.0.0/8', region: 'eu-west-1', vpnHub: 'auto' },
    simulator: { control: { host: '127.0.0.1', port: controlPort } },
    operators: [op],
  };
  const text = stringify(config);
  const checked = parseConfig(text);
  if (!checked.ok) throw new Error(`bench config is invalid: ${JSON.stringify(checked.issues)}`);
  const file = join(options.dir, 'mnogate.yaml');
  writeFileSync(file, text);
  return { file, operatorId: id, prefix, simulatorUrl, simulatorPort, gatewayPort, controlPort };
}
