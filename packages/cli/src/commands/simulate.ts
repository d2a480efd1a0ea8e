import { BUILTIN_DIALECTS, type Dialect, isMnogateError, type MnogateConfig } from '@mnogate/core';
import { createSecretsProvider, resolveOperatorCredentials } from '@mnogate/gateway/secrets';
import { createSimulators, LAST_DIGITS_FAULTS, type LatencyDistribution } from '@mnogate/simulator';
import { DEFAULT_CONFIG_PATH, parseCommandArgs, UsageError } from '../args.js';
import { loadConfigFile } from '../load-config.js';
import { onShutdownSignal } from '../signals.js';

export const summary = 'run the operator simulators of a configuration, with their control API';
export const usage = `usage: mnogate simulate [--config mnogate.yaml] [--only <id,...>] [--latency <min>-<max>]
                        [--control-host <addr>] [--control-port <n>] [--hang-ms <n>] [--json]

Starts one simulated operator per operator of the configuration, each speaking its dialect on the
host:port of its first endpoint, over one ledger and fault model, and the control API on
simulator.control. Each checks the credentials the configuration names (resolved through
gateway.secrets) and accepts connections only from the operator's egress source (static-ip) or
subnet (cidr). Runs until SIGINT or SIGTERM. Faults, the last-digits table and the control API are
described in docs/simulator.md.

  --config <file>        the configuration file (default: ${DEFAULT_CONFIG_PATH})
  --only <id,...>        only these operators
  --latency <min>-<max>  answer latency in ms, uniform (default 0-0)
  --control-host <addr>  override simulator.control.host
  --control-port <n>     override simulator.control.port
  --hang-ms <n>          how long "never answer" faults hold a connection (default 120000)
  --json                 print the addresses as one JSON line`;

function parseLatency(text: string | undefined): LatencyDistribution | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`--latency must be <ms> or <min>-<max>\n\n${usage}`);
  const minMs = Number(m[1]);
  const maxMs = m[2] === undefined ? minMs : Number(m[2]);
  if (maxMs < minMs) throw new UsageError(`--latency: max is below min\n\n${usage}`);
  return { distribution: 'uniform', minMs, maxMs };
}

function parsePort(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new UsageError(`${flag} must be a port number\n\n${usage}`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      config: { type: 'string', default: DEFAULT_CONFIG_PATH },
      only: { type: 'string' },
      latency: { type: 'string' },
      'control-host': { type: 'string' },
      'control-port': { type: 'string' },
      'hang-ms': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    usage,
  );
  const latency = parseLatency(values.latency);
  const controlPort = parsePort(values['control-port'], '--control-port');
  const hangMs = values['hang-ms'] === undefined ? undefined : Number(values['hang-ms']);
  if (hangMs !== undefined && (!Number.isInteger(hangMs) || hangMs < 0)) {
    throw new UsageError(`--hang-ms must be a whole number of ms\n\n${usage}`);
  }

  let loaded: { config: MnogateConfig; baseDir: string };
  try {
    loaded = loadConfigFile(values.config);
  } catch (err) {
    if (!isMnogateError(err)) throw err;
    process.stderr.write(`mnogate simulate: ${err.message}\n`);
    return 1;
  }
  const { config, baseDir } = loaded;

  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((id) => !config.operators.some((o) => o.id === id)) ?? [];
  if (unknown.length > 0) throw new UsageError(`--only: no operator ${unknown.join(', ')}\n\n${usage}`);
  const selected = config.operators.filter((o) => !only || only.includes(o.id));
  const runnable = selected.filter((o) => (BUILTIN_DIALECTS as readonly string[]).includes(o.api.dialect));
  for (const o of selected) {
    if (!runnable.includes(o)) {
      process.stderr.write(
        `mnogate simulate: skipping '${o.id}': no simulator for dialect ${o.api.dialect}\n`,
      );
    }
  }
  if (runnable.length === 0) {
    process.stderr.write('mnogate simulate: no operator to simulate\n');
    return 1;
  }

  const credentials: Record<string, Record<string, string>> = {};
  try {
    const secrets = createSecretsProvider(config.gateway.secrets, { baseDir, env: process.env });
    for (const o of runnable) credentials[o.id] = await resolveOperatorCredentials(secrets, o);
  } catch (err) {
    if (!isMnogateError(err)) throw err;
    process.stderr.write(`mnogate simulate: ${err.code}: ${err.message}\n`);
    return 1;
  }

  const sims = createSimulators(config, {
    credentials,
    operators: runnable.map((o) => o.id),
    ...(latency ? { latency } : {}),
    ...(hangMs !== undefined ? { hangMs } : {}),
    control: {
      host: values['control-host'] ?? config.simulator.control.host,
      port: controlPort ?? config.simulator.control.port,
    },
  });
  let started: Awaited<ReturnType<typeof sims.start>>;
  try {
    started = await sims.start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
    process.stderr.write(
      `mnogate simulate: cannot listen${e.address ? ` on ${e.address}:${e.port}` : ''}: ${e.code ?? e.message}\n`,
    );
    return 1;
  }

  if (values.json) {
    process.stdout.write(`${JSON.stringify(started)}\n`);
  } else {
    process.stdout.write(`mnogate simulate: ${started.operators.length} operator(s) from ${values.config}\n`);
    for (const o of started.operators) {
      process.stdout.write(
        `  ${o.id.padEnd(14)} ${(o.dialect as Dialect).padEnd(11)} ${o.url.padEnd(48)} from ${o.whitelist.join(',')}\n`,
      );
      process.stdout.write(`  ${''.padEnd(14)} ${''.padEnd(11)} control ${o.controlUrl}\n`);
    }
    process.stdout.write(
      `control API: ${started.controlUrl}  (GET /ledger /counters /faults, PUT|POST|DELETE /faults/<operator>, POST /reset)\n`,
    );
    const digits = Object.entries(LAST_DIGITS_FAULTS)
      .map(([d, f]) => `${d}=${f}`)
      .join(' ');
    process.stdout.write(`faults by the MSISDN's last three digits: ${digits}\nCtrl-C to stop.\n`);
  }

  const signal = await onShutdownSignal();
  process.stderr.write(`mnogate simulate: ${signal}, stopping\n`);
  await sims.stop();
  return 0;
}
