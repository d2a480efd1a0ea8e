import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type MnogateConfig, parseConfig } from '@mnogate/core';
import { createApplicationProbe } from '@mnogate/gateway/connectors';
import { createSecretsProvider, resolveOperatorCredentials } from '@mnogate/gateway/secrets';
import {
  cloudWatchTunnelSourceFor,
  formatDoctorReport,
  LAB_DEFAULT_PREFIX,
  type LabPlan,
  planLab,
  readLabState,
  runDoctor,
} from '@mnogate/network';
import { DEFAULT_CONFIG_PATH, parseCommandArgs, UsageError } from '../args.js';

export const summary =
  'check one operator layer by layer (config, credentials, route, tunnel, TCP, application)';
export const usage = `usage: mnogate doctor <operator> [--config mnogate.yaml] [--json] [--lab <prefix>] [--netns <ns>] [--vici <socket>] [--msisdn <number>]

Checks, in order: the configuration is valid; the operator's credentials resolve; a route to its API
address exists (ip route get <addr> from <egress source>) and leads into the tunnel; the tunnel's
SAs are established and passing bytes (VICI; on AWS, with gateway.tunnelMonitor.cloudwatch and no
--vici, at least one tunnel's TunnelState metric is up); a TCP connect from the egress source succeeds; the
application answers an authenticated status query. Prints each layer with a pass/fail mark, what it
saw and the likely fix; a layer that depends on a failed one is skipped. Exit 0 when every layer
passes, 1 otherwise.

When a lab runs this configuration (mnogate lab up), doctor runs its network checks inside the lab's
gateway namespace and reads the cloud edge's strongSwan; --lab names the lab explicitly. The
application check is the gateway's own status query (the operator's connector, as the gateway
creates it, handler modules included, over an egress agent bound to the egress source) for a
reference that does not exist: not found means the application is up and accepts the credentials;
a refusal of the credentials fails the layer. Never run doctor on a configuration whose addresses
are not yours.

  --config <file>   the configuration file (default: ${DEFAULT_CONFIG_PATH})
  --json            print the report as JSON
  --lab <prefix>    the lab this configuration runs in (default: detected from /run/${LAB_DEFAULT_PREFIX})
  --netns <ns>      run the network checks inside this network namespace
  --vici <socket>   the VICI socket of the local charon that runs our end of the tunnels
  --msisdn <number> the subscriber the status query names, for dialects that look a recharge up by
                    subscriber (huawei-cbs) (default: the first prefix, zero-filled)`;

interface LabContext {
  readonly plan: LabPlan;
}

function detectLab(
  config: MnogateConfig,
  configFile: string,
  prefix: string | undefined,
): LabContext | undefined {
  const p = prefix ?? LAB_DEFAULT_PREFIX;
  const plan = (() => {
    try {
      return planLab(config, { prefix: p });
    } catch {
      return undefined;
    }
  })();
  if (!plan) return undefined;
  const state = readLabState(plan.runDir);
  if (!state) return undefined;
  if (prefix === undefined && state.configPath !== configFile) return undefined;
  return { plan };
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      config: { type: 'string', default: DEFAULT_CONFIG_PATH },
      json: { type: 'boolean', default: false },
      lab: { type: 'string' },
      netns: { type: 'string' },
      vici: { type: 'string' },
      msisdn: { type: 'string' },
    },
    usage,
    true,
  );
  const operatorId = positionals[0];
  if (!operatorId) throw new UsageError(`doctor needs an operator id\n\n${usage}`);
  const file = resolve(values.config);
  const baseDir = dirname(file);

  let config: MnogateConfig | { issues: string[] };
  try {
    const result = parseConfig(readFileSync(file, 'utf8'));
    config = result.ok
      ? result.config
      : { issues: result.issues.map((i) => `${values.config}:${i.line} ${i.path} ${i.code}: ${i.message}`) };
  } catch (err) {
    config = {
      issues: [
        `cannot read ${values.config}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      ],
    };
  }

  const lab = 'operators' in config ? detectLab(config, file, values.lab) : undefined;
  const netns = values.netns ?? lab?.plan.gatewayNetns;
  // the network checks run where the gateway runs: re-run this command inside that namespace
  if (netns && process.env.MNOGATE_NETNS !== netns) {
    const args = [...argv];
    if (lab && values.lab === undefined) args.push('--lab', lab.plan.prefix);
    return new Promise((resolvePromise, reject) => {
      const child = spawn(
        'ip',
        [
          'netns',
          'exec',
          netns,
          process.execPath,
          ...process.execArgv,
          process.argv[1] as string,
          'doctor',
          ...args,
        ],
        {
          stdio: 'inherit',
          env: { ...process.env, MNOGATE_NETNS: netns },
        },
      );
      child.on('error', reject);
      child.on('exit', (code) => resolvePromise(code ?? 1));
    });
  }

  // on AWS there is no local charon: the tunnel layer reads CloudWatch, as the gateway's monitor does
  const tunnelSource =
    'operators' in config && !values.vici && !lab
      ? cloudWatchTunnelSourceFor(config, { operatorIds: [operatorId] })
      : undefined;
  const report = await runDoctor({
    operatorId,
    config,
    ...(tunnelSource ? { tunnelSource } : {}),
    resolveCredentials: async (op) => {
      const provider = createSecretsProvider((config as MnogateConfig).gateway.secrets, {
        baseDir,
        env: process.env,
      });
      return resolveOperatorCredentials(provider, op);
    },
    applicationProbe: createApplicationProbe({ baseDir, msisdn: values.msisdn }),
    ...(values.vici
      ? { viciSocket: values.vici }
      : lab
        ? { viciSocket: lab.plan.cloudCharon.socketPath }
        : {}),
    ...(lab ? { lab: lab.plan } : {}),
  });
  await tunnelSource?.close();
  process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report)}\n`);
  return report.ok ? 0 : 1;
}
