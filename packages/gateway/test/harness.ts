/**
 * A real gateway against the real operator simulators, on loopback: the demo configuration with
 * every simulator on port 0, short timeouts, SQLite in a temp dir (or PostgreSQL in its own schema).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MnogateConfig, parseConfig } from '@mnogate/core';
import { createGateway, type Gateway, generateApiKey } from '@mnogate/gateway';
import { createSecretsProvider, resolveOperatorCredentials } from '@mnogate/gateway/secrets';
import { createSimulators, type Simulators } from '@mnogate/simulator';
import pino from 'pino';
import { stringify } from 'yaml';

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;
export const DEMO_DIR = join(REPO_ROOT, 'examples/demo');

export interface HarnessOptions {
  /** Sync window of POST /v1/recharges. @default 3_000 */
  readonly syncWindowMs?: number;
  /** Operator request timeout. @default 1_500 */
  readonly requestMs?: number;
  /** Settle window: after it, "never seen" means failed. @default 1_500 */
  readonly settleWindowMs?: number;
  /** How long the simulators hold "never answer" connections. @default 5_000 */
  readonly hangMs?: number;
  /** gateway.store; default a SQLite file in a temp dir. */
  readonly store?: string;
  /** Start the reconciler and webhook loops. @default true */
  readonly background?: boolean;
  readonly housekeepingIntervalMs?: number;
  /** GatewayOptions.operatorScope: front only this operator. */
  readonly operatorScope?: string;
  /** Edit the configuration before anything starts. */
  readonly edit?: (config: MnogateConfig) => void;
  /** Edit it again once the simulators listen (their endpoints are known), before the gateway starts. */
  readonly afterSimulators?: (config: MnogateConfig) => void | Promise<void>;
}

export interface Harness {
  readonly config: MnogateConfig;
  readonly simulators: Simulators;
  readonly gateway: Gateway;
  readonly dir: string;
  /** Bearer keys. */
  readonly keys: { readonly client: string; readonly admin: string; readonly reader: string };
  /** Every log line the gateway wrote, as text. */
  logs(): string;
  /** The configuration as a YAML file (for child processes), with absolute paths. */
  writeConfigFile(): string;
  close(): Promise<void>;
}

export function loadDemoConfig(): MnogateConfig {
  const result = parseConfig(readFileSync(join(DEMO_DIR, 'mnogate.yaml'), 'utf8'));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return structuredClone(result.config);
}

export async function demoCredentials(
  config: MnogateConfig,
): Promise<Record<string, Record<string, string>>> {
  const provider = createSecretsProvider(config.gateway.secrets, { baseDir: DEMO_DIR, env: {} });
  const out: Record<string, Record<string, string>> = {};
  for (const op of config.operators) out[op.id] = await resolveOperatorCredentials(provider, op);
  return out;
}

/** Starts the demo operators' simulators on port 0 and points the config's endpoints at them. */
export async function startSimulators(
  config: MnogateConfig,
  options: { hangMs?: number } = {},
): Promise<Simulators> {
  for (const op of config.operators) {
    op.api.endpoints = op.api.endpoints.map((e) => {
      const u = new URL(e);
      u.port = '0';
      return u.href;
    });
  }
  const simulators = createSimulators(config, {
    credentials: await demoCredentials(config),
    control: { host: '127.0.0.1', port: 0 },
    hangMs: options.hangMs ?? 5_000,
    slowStatusMs: 2_000,
    pendingMs: 1_000,
  });
  const started = await simulators.start();
  for (const op of config.operators) {
    const s = started.operators.find((o) => o.id === op.id)!;
    op.api.endpoints = [s.url];
  }
  return simulators;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'mnogate-gw-'));
  const config = loadDemoConfig();
  config.gateway.store = options.store ?? `sqlite:${join(dir, 'mnogate.db')}`;
  config.gateway.secrets = { provider: 'file', dir: join(DEMO_DIR, 'secrets') };
  config.gateway.syncWindowMs = options.syncWindowMs ?? 3_000;
  config.gateway.reconciler = {
    ...config.gateway.reconciler,
    intervalMs: 100,
    initialBackoffMs: 200,
    maxBackoffMs: 1_000,
    leaseMs: 5_000,
  };
  config.gateway.webhooks = { ...config.gateway.webhooks, initialBackoffMs: 100, maxBackoffMs: 1_000 };
  for (const op of config.operators) {
    op.api.timeouts = { connectMs: 1_000, requestMs: options.requestMs ?? 1_500, statusMs: 1_500 };
    op.api.settleWindowMs = options.settleWindowMs ?? 1_500;
  }
  options.edit?.(config);
  const simulators = await startSimulators(config, { hangMs: options.hangMs });
  await options.afterSimulators?.(config);

  const lines: string[] = [];
  const logger = pino(
    { level: 'debug', redact: { paths: ['req.headers.authorization'], censor: '[redacted]' } },
    { write: (line: string) => lines.push(line) },
  );
  const configFile = join(dir, 'mnogate.yaml');
  writeFileSync(configFile, stringify(config));
  const gateway = await createGateway({
    config,
    configFile,
    baseDir: dir,
    logger,
    env: {},
    background: options.background ?? true,
    ...(options.housekeepingIntervalMs ? { housekeepingIntervalMs: options.housekeepingIntervalMs } : {}),
    ...(options.operatorScope ? { operatorScope: options.operatorScope } : {}),
  });
  await gateway.listen({ host: '127.0.0.1', port: 0 });

  const make = async (name: string, scopes: Parameters<typeof generateApiKey>[0]['scopes']) => {
    const { key, record } = generateApiKey({ clientId: name, name, scopes });
    await gateway.store.createApiKey(record);
    return key;
  };
  const keys = {
    client: await make('fintech-a', ['recharge:write', 'recharge:read']),
    admin: await make('ops', ['admin']),
    reader: await make('auditor', ['recharge:read']),
  };

  return {
    config,
    simulators,
    gateway,
    dir,
    keys,
    logs: () => lines.join(''),
    writeConfigFile() {
      writeFileSync(configFile, stringify(config));
      return configFile;
    },
    async close() {
      await gateway.stop();
      await simulators.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh subscriber number of an operator whose last three digits script the simulator's fault. */
let counter = Math.floor(Math.random() * 9_000);
export function numberFor(prefix: string, lastDigits = '000'): string {
  counter = (counter + 1) % 9_000;
  // +9370 + 4 + 3 digits = a 9-digit Afghan national number
  return `${prefix}${1_000 + counter}${lastDigits}`;
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
