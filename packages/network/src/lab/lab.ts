/**
 * `lab up`, `lab down`, `lab status`: applies a LabPlan with `ip`, `nft` and private charon-systemd
 * instances, and keeps what it started (namespaces, pids) in `<runDir>/state.json` so that another
 * process can report on it or tear it down. Only names with the plan's prefix are ever touched.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { MnogateConfig } from '@mnogate/core';
import { type ConfEntry, type ConfSection, formatConf, section } from '../render/conf-format.js';
import { renderNftables } from '../render/nftables.js';
import { renderStrongswanConf } from '../render/strongswan-conf.js';
import { buildSwanctlConf, type PerTunnel } from '../render/swanctl-conf.js';
import { createViciClient } from '../vici/client.js';
import { CHARON_PATH, isAlive, nsRun, run, spawnInNetns, stopProcessGroup, waitFor } from './exec.js';
import { type LabCharon, type LabOperator, type LabPlan, type LabPlanOptions, planLab } from './lab-plan.js';

export interface LabProcess {
  readonly name: string;
  readonly netns: string;
  readonly pid: number;
  readonly logFile: string;
}

export interface LabState {
  readonly prefix: string;
  readonly runDir: string;
  readonly configPath?: string;
  readonly startedAt: string;
  readonly namespaces: readonly string[];
  processes: LabProcess[];
  /** Which tunnel (0 or 1) each operator was brought up on. */
  readonly activeTunnels: Record<string, 0 | 1>;
}

/** argv (after `ip netns exec <ns>`) of the processes the lab runs; the CLI supplies them. */
export interface LabCommands {
  /** The operator's simulator, listening on its API address, with its control API on `control`. */
  simulator?(op: LabOperator): readonly string[];
  /** Where the simulator's control API listens inside the operator's namespace. */
  readonly simulatorControl?: { readonly host: string; readonly port: number };
  /** The gateway on the lab config (`mnogate serve`). */
  gateway?(): readonly string[];
  /** A unix-socket-to-TCP forwarder inside the gateway namespace, so the host can reach the API. */
  forward?(socketPath: string, host: string, port: number): readonly string[];
  /** The tunnel monitor with failover, inside the gateway namespace. */
  monitor?(): readonly string[];
}

export interface LabUpOptions extends LabPlanOptions {
  /** Each operator's two pre-shared keys, resolved by the caller. */
  readonly psks: Readonly<Record<string, PerTunnel<string>>>;
  readonly commands?: LabCommands;
  /** Recorded in the state (so status and doctor can tell which config the lab runs). */
  readonly configPath?: string;
  /** Extra environment for the processes (e.g. MNOGATE_ settings). */
  readonly env?: NodeJS.ProcessEnv;
  readonly progress?: (line: string) => void;
}

/** strongSwan's IKE retransmission in the lab: a dead peer is declared after ~4.75 s without answers. */
export const LAB_RETRANSMIT = { timeoutSeconds: 1, tries: 2, base: 1.5 } as const;

export function readLabState(runDir: string): LabState | undefined {
  try {
    return JSON.parse(readFileSync(`${runDir}/state.json`, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

function writeLabState(state: LabState): void {
  writeFileSync(`${state.runDir}/state.json`, `${JSON.stringify(state, null, 2)}\n`);
}

/** Network namespaces whose name starts with `<prefix>-`. */
export async function labNamespaces(prefix: string): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${prefix}-`));
}

/** The cloud edge's and each operator edge's swanctl.conf (both ends from renderSwanctlConf). */
export function renderLabSwanctl(
  config: MnogateConfig,
  plan: LabPlan,
  psks: Readonly<Record<string, PerTunnel<string>>>,
): { cloud: string; edges: Record<string, string> } {
  const cloudTrees: ConfSection[] = [];
  const edges: Record<string, string> = {};
  for (const op of plan.operators) {
    const psk = psks[op.id];
    if (!psk) throw new Error(`lab: no pre-shared keys for ${op.id}`);
    const common = {
      psk,
      startAction: 'none',
      dpdDelaySeconds: plan.dpdDelaySeconds,
      insideTs: false,
      encap: true,
    } as const;
    const outside = op.tunnels.map((t) => t.cloudOutside) as unknown as PerTunnel<string>;
    const peer = [op.peerOutside, op.peerOutside] as const;
    cloudTrees.push(
      buildSwanctlConf(config, op.id, { ...common, side: 'cloud', localAddrs: outside, remoteAddrs: peer }),
    );
    edges[op.id] = formatConf(
      buildSwanctlConf(config, op.id, { ...common, side: 'peer', localAddrs: peer, remoteAddrs: outside }),
    );
  }
  return { cloud: formatConf(mergeSwanctl(cloudTrees)), edges };
}

/** One swanctl.conf holding every tree's connections and secrets (swanctl --load-all replaces the set). */
function mergeSwanctl(trees: readonly ConfSection[]): ConfSection {
  const pick = (key: string) =>
    trees.flatMap((t) => {
      const e = t.entries.find((x) => x.key === key);
      return e && typeof e.value === 'object' ? e.value.entries : [];
    });
  const entries: ConfEntry[] = [
    { key: 'connections', value: section(pick('connections')) },
    { key: 'secrets', value: section(pick('secrets')) },
  ];
  return section(entries, ['swanctl.conf of the lab cloud VPN edge: every operator, cloud side.', '']);
}

async function startCharon(
  charon: LabCharon,
  swanctl: string,
  state: LabState,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  mkdirSync(charon.dir, { recursive: true, mode: 0o700 });
  writeFileSync(
    charon.strongswanConf,
    renderStrongswanConf({
      viciSocketPath: charon.socketPath,
      logFile: charon.logFile,
      logLevel: 1,
      retransmit: LAB_RETRANSMIT,
    }),
  );
  writeFileSync(charon.swanctlConf, `${swanctl}\n`, { mode: 0o600 });
  const pid = spawnInNetns(charon.netns, [CHARON_PATH], {
    logFile: `${charon.dir}/stdout.log`,
    env: { ...env, STRONGSWAN_CONF: charon.strongswanConf },
  });
  state.processes.push({ name: `charon-${charon.name}`, netns: charon.netns, pid, logFile: charon.logFile });
  writeLabState(state);
  if (!(await waitFor(() => existsSync(charon.socketPath) || !isAlive(pid), 10_000)) || !isAlive(pid))
    throw new Error(`charon ${charon.name} did not open ${charon.socketPath}; see ${charon.logFile}`);
  await nsRun(
    charon.netns,
    'swanctl',
    ['--load-all', '--noprompt', '--file', charon.swanctlConf, '--uri', `unix://${charon.socketPath}`],
    { env: { ...env, STRONGSWAN_CONF: charon.strongswanConf } },
  );
}

/** Brings the lab up. Throws (after tearing down what it built) when a step fails. */
export async function labUp(config: MnogateConfig, options: LabUpOptions): Promise<LabPlan> {
  const plan = planLab(config, options);
  const say = options.progress ?? (() => {});
  const env = { ...process.env, ...options.env };
  const existing = await labNamespaces(plan.prefix);
  if (existing.length > 0 || readLabState(plan.runDir))
    throw new Error(
      `a lab with prefix ${plan.prefix} is already up (${existing.join(', ') || plan.stateFile}): run lab down first`,
    );
  mkdirSync(plan.runDir, { recursive: true, mode: 0o700 });
  const state: LabState = {
    prefix: plan.prefix,
    runDir: plan.runDir,
    ...(options.configPath ? { configPath: options.configPath } : {}),
    startedAt: new Date().toISOString(),
    namespaces: plan.namespaces.map((n) => n.name),
    processes: [],
    activeTunnels: {},
  };
  writeLabState(state);
  const t0 = Date.now();
  const step = (s: string) => say(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${s}`);
  try {
    step(`namespaces: ${plan.namespaces.map((n) => n.name).join(' ')}`);
    for (const ns of plan.namespaces) {
      await run('ip', ['netns', 'add', ns.name]);
      await run('ip', ['-n', ns.name, 'link', 'set', 'lo', 'up']);
      await nsRun(ns.name, 'sysctl', ['-q', '-w', `net.ipv4.ip_forward=${ns.forwarding ? 1 : 0}`]);
      await nsRun(ns.name, 'sysctl', ['-q', '-w', 'net.ipv4.conf.all.rp_filter=0']);
      await nsRun(ns.name, 'sysctl', ['-q', '-w', 'net.ipv4.conf.default.rp_filter=0']);
      // IPv4 only: no router solicitations or other IPv6 chatter on the lab's links
      await nsRun(ns.name, 'sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1']);
      await nsRun(ns.name, 'sysctl', ['-q', '-w', 'net.ipv6.conf.default.disable_ipv6=1']);
    }
    step(`links: ${plan.links.map((l) => `${l.a.netns}/${l.a.dev}<->${l.b.netns}/${l.b.dev}`).join(' ')}`);
    for (const l of plan.links) {
      await run('ip', [
        '-n',
        l.a.netns,
        'link',
        'add',
        l.a.dev,
        'type',
        'veth',
        'peer',
        'name',
        l.b.dev,
        'netns',
        l.b.netns,
      ]);
      await run('ip', ['-n', l.a.netns, 'link', 'set', l.a.dev, 'up']);
      await run('ip', ['-n', l.b.netns, 'link', 'set', l.b.dev, 'up']);
    }
    step('addresses and routes');
    for (const ns of plan.namespaces) {
      for (const a of ns.addresses) await run('ip', ['-n', ns.name, 'addr', 'add', a.cidr, 'dev', a.dev]);
    }
    for (const ns of plan.namespaces) {
      for (const r of ns.routes) await run('ip', ['-n', ns.name, 'route', 'add', ...r.args]);
    }

    step('nftables: operator edge firewalls (whitelist) and the cloud edge SNAT for static-source operators');
    for (const op of plan.operators) {
      await nsRun(op.edgeNetns, 'nft', ['-f', '-'], {
        input: renderNftables(config, op.id, { nat: false, edgeFirewall: true }),
      });
      if (op.egressMode === 'static-ip') {
        await nsRun(plan.cloudNetns, 'nft', ['-f', '-'], {
          input: renderNftables(config, op.id, { nat: true, natSources: [config.network.vpcCidr] }),
        });
      }
    }

    const swanctl = renderLabSwanctl(config, plan, options.psks);
    step(`strongSwan: cloud edge (${plan.cloudCharon.socketPath})`);
    await startCharon(plan.cloudCharon, swanctl.cloud, state, env);
    for (const op of plan.operators) {
      step(`strongSwan: ${op.id} edge (${op.charon.socketPath})`);
      await startCharon(op.charon, swanctl.edges[op.id] as string, state, env);
    }
    const vici = createViciClient({ socketPath: plan.cloudCharon.socketPath, timeoutMs: 15_000 });
    try {
      for (const op of plan.operators) {
        const t = op.tunnels[0];
        step(`tunnel: ${op.id} tunnel 1 (${t.cloudOutside} <-> ${t.peerOutside}), tunnel 2 on standby`);
        await vici.initiate({ child: t.names.child, ike: t.names.ike, timeoutMs: 10_000 });
        state.activeTunnels[op.id] = 0;
      }
    } finally {
      await vici.close();
    }
    writeLabState(state);

    const cmds = options.commands ?? {};
    const spawnLogged = (name: string, netns: string, argv: readonly string[]) => {
      const logFile = `${plan.runDir}/${name}.log`;
      const pid = spawnInNetns(netns, argv, { logFile, env, cwd: process.cwd() });
      state.processes.push({ name, netns, pid, logFile });
      writeLabState(state);
      return pid;
    };
    if (cmds.simulator) {
      for (const op of plan.operators) {
        step(`simulator: ${op.id} (${op.dialect}) on ${op.apiHost}:${op.apiPort} in ${op.privateNetns}`);
        const pid = spawnLogged(`simulator-${op.id}`, op.privateNetns, cmds.simulator(op));
        const control = cmds.simulatorControl ?? config.simulator.control;
        if (cmds.forward)
          spawnLogged(
            `control-forward-${op.id}`,
            op.privateNetns,
            cmds.forward(op.controlSocket, control.host, control.port),
          );
        const up = await waitFor(
          async () => !isAlive(pid) || (await httpOk(op.controlSocket, '/')),
          30_000,
          200,
        );
        if (!up || !isAlive(pid))
          throw new Error(`the ${op.id} simulator did not start; see ${plan.runDir}/simulator-${op.id}.log`);
      }
    }
    if (cmds.gateway) {
      const { host, port } = plan.gatewayListen;
      step(`gateway: mnogate serve on ${host}:${port} in ${plan.gatewayNetns}`);
      const pid = spawnLogged('gateway', plan.gatewayNetns, cmds.gateway());
      if (cmds.forward)
        spawnLogged('gateway-forward', plan.gatewayNetns, cmds.forward(plan.gatewaySocket, host, port));
      const up = await waitFor(
        async () => !isAlive(pid) || (await httpOk(plan.gatewaySocket, '/healthz')),
        60_000,
        250,
      );
      if (!up || !isAlive(pid)) throw new Error(`the gateway did not start; see ${plan.runDir}/gateway.log`);
    }
    if (cmds.monitor) {
      step(`tunnel monitor with failover in ${plan.gatewayNetns} (${plan.runDir}/monitor.json)`);
      spawnLogged('monitor', plan.gatewayNetns, cmds.monitor());
      await waitFor(() => existsSync(`${plan.runDir}/monitor.json`), 10_000);
    }
    step('lab is up');
    return plan;
  } catch (err) {
    // the run dir goes with the teardown: show the end of the logs of what stopped first
    for (const p of state.processes.filter((x) => !isAlive(x.pid))) {
      say(`--- ${p.name} exited; the end of ${p.logFile}:\n${tail(p.logFile)}`);
    }
    say(`lab up failed: ${(err as Error).message}; tearing down`);
    await labDown({ prefix: plan.prefix, runDir: plan.runDir }).catch(() => undefined);
    throw err;
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** GET over a unix socket; true on a 2xx. */
export async function httpOk(socketPath: string, path: string): Promise<boolean> {
  if (!existsSync(socketPath)) return false;
  const { request } = await import('node:http');
  return new Promise((resolve) => {
    const req = request({ socketPath, path, method: 'GET', timeout: 2_000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 300);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

export interface LabDownReport {
  readonly stopped: readonly string[];
  readonly namespaces: readonly string[];
}

/**
 * Stops the lab's processes (by the pids it recorded, then anything still inside its namespaces),
 * deletes its namespaces (`<prefix>-*`, which takes their links, addresses, routes and nftables
 * with them) and its run directory.
 */
export async function labDown(
  options: LabPlanOptions & { progress?: (line: string) => void } = {},
): Promise<LabDownReport> {
  const prefix = options.prefix ?? 'mnolab';
  const runDir = options.runDir ?? `/run/${prefix}`;
  const say = options.progress ?? (() => {});
  const state = readLabState(runDir);
  const stopped: string[] = [];
  // the gateway first (it finishes in-flight calls), charons last
  const order = (p: LabProcess) => (p.name === 'gateway' ? 0 : p.name.startsWith('charon') ? 2 : 1);
  for (const p of [...(state?.processes ?? [])].sort((a, b) => order(a) - order(b))) {
    if (!isAlive(p.pid)) continue;
    say(`stopping ${p.name} (pid ${p.pid})`);
    await stopProcessGroup(p.pid, p.name === 'gateway' ? 15_000 : 5_000);
    stopped.push(p.name);
  }
  const namespaces = await labNamespaces(prefix);
  for (const ns of namespaces) {
    // anything left inside one of our namespaces was started there by the lab
    const { stdout } = await run('ip', ['netns', 'pids', ns]).catch(() => ({ stdout: '' }));
    for (const pid of stdout.split(/\s+/).filter(Boolean).map(Number)) {
      say(`stopping pid ${pid} left in ${ns}`);
      await stopProcessGroup(pid, 2_000);
      stopped.push(`pid ${pid}`);
    }
  }
  for (const ns of namespaces) {
    say(`deleting namespace ${ns}`);
    await run('ip', ['netns', 'delete', ns]);
  }
  rmSync(runDir, { recursive: true, force: true });
  return { stopped, namespaces };
}

export interface LabStatus {
  readonly up: boolean;
  readonly prefix: string;
  readonly runDir: string;
  readonly configPath?: string | undefined;
  readonly namespaces: readonly { name: string; present: boolean }[];
  readonly processes: readonly (LabProcess & { alive: boolean })[];
  readonly tunnels: readonly {
    operatorId: string;
    tunnel: string;
    state: string;
    child: string;
    bytesIn: number;
    bytesOut: number;
  }[];
  /** The monitor's last snapshot (monitor.json), when it runs. */
  readonly monitor?: unknown;
}

export async function labStatus(options: LabPlanOptions = {}): Promise<LabStatus> {
  const prefix = options.prefix ?? 'mnolab';
  const runDir = options.runDir ?? `/run/${prefix}`;
  const state = readLabState(runDir);
  const present = new Set(await labNamespaces(prefix));
  const names = state?.namespaces ?? [...present];
  const tunnels: LabStatus['tunnels'][number][] = [];
  const cloudSocket = `${runDir}/cloud/charon.vici`;
  if (existsSync(cloudSocket)) {
    const vici = createViciClient({ socketPath: cloudSocket, timeoutMs: 5_000 });
    try {
      const { readTunnelSas } = await import('../probes/vici-probe.js');
      for (const sa of await readTunnelSas(vici)) tunnels.push(sa);
    } catch {
      // charon gone: reported as no tunnels
    } finally {
      await vici.close();
    }
  }
  let monitor: unknown;
  try {
    monitor = JSON.parse(readFileSync(`${runDir}/monitor.json`, 'utf8'));
  } catch {
    monitor = undefined;
  }
  return {
    up: Boolean(state) && names.every((n) => present.has(n)),
    prefix,
    runDir,
    configPath: state?.configPath,
    namespaces: names.map((name) => ({ name, present: present.has(name) })),
    processes: (state?.processes ?? []).map((p) => ({ ...p, alive: isAlive(p.pid) })),
    tunnels,
    ...(monitor === undefined ? {} : { monitor }),
  };
}

/** Cuts (or restores) one tunnel on the "internet": drops its packets in the inet namespace. */
export async function cutTunnel(
  plan: LabPlan,
  operatorId: string,
  index: 0 | 1,
  cut: boolean,
): Promise<void> {
  const op = plan.operators.find((o) => o.id === operatorId);
  if (!op) throw new Error(`lab: no operator ${operatorId}`);
  const t = op.tunnels[index];
  const table = `mnolab_cut_${operatorId.replace(/[^A-Za-z0-9_]/g, '_')}_${index + 1}`;
  if (!cut) {
    await nsRun(plan.inetNetns, 'nft', ['delete', 'table', 'inet', table]).catch(() => undefined);
    return;
  }
  const rules = [
    `table inet ${table} {`,
    '  chain forward {',
    '    type filter hook forward priority -10; policy accept;',
    `    ip saddr ${t.cloudOutside} ip daddr ${t.peerOutside} counter drop`,
    `    ip saddr ${t.peerOutside} ip daddr ${t.cloudOutside} counter drop`,
    '  }',
    '}',
    '',
  ].join('\n');
  await nsRun(plan.inetNetns, 'nft', ['-f', '-'], { input: rules });
}
