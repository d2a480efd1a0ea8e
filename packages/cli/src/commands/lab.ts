import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MnogateConfig } from '@mnogate/core';
import { createSecretsProvider, resolveSecretRef } from '@mnogate/gateway/secrets';
import {
  createTunnelMonitor,
  createUnixForwarder,
  cutTunnel,
  LAB_DEFAULT_PREFIX,
  type LabCommands,
  type LabPlan,
  labDown,
  labPrerequisites,
  labStatus,
  labUp,
  planLab,
} from '@mnogate/network';
import { DEFAULT_CONFIG_PATH, parseCommandArgs, UsageError } from '../args.js';
import { loadConfigFile } from '../load-config.js';
import { onShutdownSignal } from '../signals.js';

export const summary =
  'the lab: real IPsec tunnels, firewalls, simulators and the gateway in network namespaces';
export const usage = `usage:
  mnogate lab up     [--config mnogate.yaml] [--prefix mnolab] [--no-gateway] [--no-monitor]
  mnogate lab status [--prefix mnolab] [--json]
  mnogate lab down   [--prefix mnolab]
  mnogate lab test   [--config mnogate.yaml] [--prefix mnolab] [--recharges <n>] [--keep]
  mnogate lab cut    <operator> [--tunnel 1|2] [--restore] [--config mnogate.yaml] [--prefix mnolab]

Linux, as root. \`up\` builds, in network namespaces named <prefix>-*, the gateway's namespace (the
operator subnets' egress addresses), a cloud VPN edge with two tunnel endpoints, one edge per
operator (strongSwan, nftables whitelist) and each operator's private network with its simulator;
charon-systemd (kernel-libipsec) runs both ends of both tunnels with configurations from the
peer-config renderers; the gateway (\`mnogate serve\`) and the tunnel monitor (failover) run in the
gateway namespace. State, configs, sockets and logs are under /run/<prefix>. \`down\` removes exactly
those namespaces, processes and files. \`test\` brings the lab up, runs recharges for every operator
through the tunnels, cuts one operator's active tunnel under load, checks the failover and the
ledgers, and tears down. \`cut\` drops (or --restore re-admits) one tunnel's packets on the
"internet". See docs/lab.md.

  --config <file>    the lab configuration (default: ${DEFAULT_CONFIG_PATH})
  --prefix <name>    namespace prefix and run dir name (default: ${LAB_DEFAULT_PREFIX})
  --no-gateway       do not start the gateway
  --no-monitor       do not start the tunnel monitor (no automatic failover)
  --recharges <n>    recharges per operator in \`test\` before the cut (default 5)
  --keep             \`test\` leaves the lab up
  --json             machine-readable status`;

const BIN = fileURLToPath(new URL('../../bin/mnogate.js', import.meta.url));
const mnogate = (...args: string[]) => [process.execPath, BIN, ...args];

/** Each operator's two pre-shared keys, through the configured secrets provider. */
async function resolvePsks(config: MnogateConfig, baseDir: string) {
  const provider = createSecretsProvider(config.gateway.secrets, { baseDir, env: process.env });
  const psks: Record<string, readonly [string, string]> = {};
  for (const op of config.operators) {
    if (!op.vpn) continue;
    const [t1, t2] = op.vpn.tunnels;
    psks[op.id] = [
      await resolveSecretRef(provider, t1?.preSharedKey ?? '', {
        operatorId: op.id,
        path: 'vpn.tunnels[0].preSharedKey',
      }),
      await resolveSecretRef(provider, t2?.preSharedKey ?? '', {
        operatorId: op.id,
        path: 'vpn.tunnels[1].preSharedKey',
      }),
    ];
  }
  return psks;
}

function commands(
  configPath: string,
  prefix: string,
  opts: { gateway: boolean; monitor: boolean },
): LabCommands {
  return {
    simulator: (op) => mnogate('simulate', '--config', configPath, '--only', op.id),
    forward: (socket, host, port) =>
      mnogate('lab', '_forward', '--socket', socket, '--host', host, '--port', String(port)),
    ...(opts.gateway ? { gateway: () => mnogate('serve', '--config', configPath) } : {}),
    ...(opts.monitor
      ? { monitor: () => mnogate('lab', '_monitor', '--config', configPath, '--prefix', prefix) }
      : {}),
  };
}

export async function up(
  configPath: string,
  prefix: string,
  opts: { gateway: boolean; monitor: boolean },
  say: (l: string) => void,
): Promise<LabPlan> {
  const missing = labPrerequisites();
  if (missing) throw new Error(missing);
  const file = resolve(configPath);
  const { config, baseDir } = loadConfigFile(file);
  const psks = await resolvePsks(config, baseDir);
  mkdirSync(dirname(resolve(baseDir, storePath(config))), { recursive: true });
  return labUp(config, {
    prefix,
    psks,
    configPath: file,
    commands: commands(file, prefix, opts),
    progress: say,
  });
}

function storePath(config: MnogateConfig): string {
  const s = config.gateway.store;
  return s.startsWith('sqlite:') ? s.slice('sqlite:'.length) : '.';
}

async function monitorMain(configPath: string, prefix: string): Promise<number> {
  const { config } = loadConfigFile(configPath);
  const plan = planLab(config, { prefix });
  const monitor = createTunnelMonitor({
    intervalMs: 500,
    probeTimeoutMs: 1_000,
    failAfter: 2,
    failover: true,
    tunnels: plan.operators.map((op) => ({
      operatorId: op.id,
      tunnels: [op.tunnels[0].names, op.tunnels[1].names],
      viciSocket: plan.cloudCharon.socketPath,
      target: { host: op.apiHost, port: op.apiPort, localAddress: op.egressSource },
    })),
  });
  const out = `${plan.runDir}/monitor.json`;
  monitor.on('snapshot', (s) => {
    writeFileSync(`${out}.tmp`, JSON.stringify(s));
    renameSync(`${out}.tmp`, out);
  });
  monitor.on('failover', (e) =>
    appendFileSync(`${plan.runDir}/monitor-events.jsonl`, `${JSON.stringify(e)}\n`),
  );
  await monitor.start();
  await onShutdownSignal();
  await monitor.stop();
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(
    rest,
    {
      config: { type: 'string', default: DEFAULT_CONFIG_PATH },
      prefix: { type: 'string', default: LAB_DEFAULT_PREFIX },
      'no-gateway': { type: 'boolean', default: false },
      'no-monitor': { type: 'boolean', default: false },
      recharges: { type: 'string', default: '5' },
      keep: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      tunnel: { type: 'string', default: '1' },
      restore: { type: 'boolean', default: false },
      socket: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
    },
    usage,
    true,
  );
  const say = (l: string) => process.stdout.write(`${l}\n`);
  const prefix = values.prefix;
  switch (sub) {
    case 'up': {
      await up(
        values.config,
        prefix,
        { gateway: !values['no-gateway'], monitor: !values['no-monitor'] },
        say,
      );
      say(
        `lab ${prefix} is up: \`mnogate lab status --prefix ${prefix}\`, \`mnogate doctor <operator> --config ${values.config}\`, \`mnogate lab down --prefix ${prefix}\``,
      );
      return 0;
    }
    case 'down': {
      const r = await labDown({ prefix, progress: say });
      say(
        `lab ${prefix} is down: ${r.namespaces.length} namespace(s) deleted, ${r.stopped.length} process(es) stopped`,
      );
      return 0;
    }
    case 'status': {
      const s = await labStatus({ prefix });
      if (values.json) {
        say(JSON.stringify(s, null, 2));
        return s.up ? 0 : 1;
      }
      say(`lab ${prefix}: ${s.up ? 'up' : 'down'}${s.configPath ? ` (${s.configPath})` : ''}`);
      for (const n of s.namespaces)
        say(`  namespace ${n.name.padEnd(24)} ${n.present ? 'present' : 'MISSING'}`);
      for (const p of s.processes)
        say(`  process   ${p.name.padEnd(24)} pid ${p.pid} ${p.alive ? 'running' : 'EXITED'}  ${p.logFile}`);
      for (const t of s.tunnels)
        say(`  tunnel    ${t.tunnel.padEnd(24)} ${t.state}/${t.child} in ${t.bytesIn} B out ${t.bytesOut} B`);
      const m = s.monitor as
        | {
            operators?: {
              operatorId: string;
              active: number | null;
              healthy: boolean;
              failovers: { outageMs: number | null }[];
            }[];
          }
        | undefined;
      for (const o of m?.operators ?? [])
        say(
          `  monitor   ${o.operatorId.padEnd(24)} active tunnel ${o.active === null ? 'none' : o.active + 1}, ${o.healthy ? 'healthy' : 'UNHEALTHY'}, ${o.failovers.length} failover(s)${o.failovers.length ? `, last outage ${o.failovers.at(-1)?.outageMs ?? '?'} ms` : ''}`,
        );
      return s.up ? 0 : 1;
    }
    case 'cut': {
      const id = positionals[0];
      if (!id) throw new UsageError(`lab cut needs an operator\n\n${usage}`);
      const { config } = loadConfigFile(values.config);
      const plan = planLab(config, { prefix });
      const index = values.tunnel === '2' ? 1 : 0;
      await cutTunnel(plan, id, index, !values.restore);
      say(
        `${id} tunnel ${index + 1}: ${values.restore ? 'restored' : 'cut (its packets are dropped on the internet link)'}`,
      );
      return 0;
    }
    case 'test': {
      const { labTest } = await import('../lab/lab-test.js');
      return labTest({
        configPath: values.config,
        prefix,
        recharges: Number(values.recharges),
        keep: values.keep,
        say,
      });
    }
    case '_forward': {
      if (!values.socket || !values.host || !values.port)
        throw new UsageError('_forward needs --socket, --host, --port');
      const f = await createUnixForwarder({
        socketPath: values.socket,
        host: values.host,
        port: Number(values.port),
      });
      await onShutdownSignal();
      await f.close();
      return 0;
    }
    case '_monitor':
      return monitorMain(values.config, prefix);
    default:
      throw new UsageError(`unknown subcommand '${sub ?? ''}'\n\n${usage}`);
  }
}
