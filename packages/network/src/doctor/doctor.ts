/**
 * `mnogate doctor <operator>`: checks one operator's path layer by layer, in order, and names the
 * broken one with its likely fix. A layer that depends on a failed one is skipped, so one fault
 * is reported as one failed layer.
 *
 *   config -> credentials ------------------------------------------.
 *   route  ---.                                                      v
 *   tunnel ---+--> tcp (connect from the egress source) --> application (authenticated status query)
 *
 * The application layer's query is injected (`applicationProbe`): doctor speaks no dialect.
 */
import { existsSync } from 'node:fs';
import type { MnogateConfig, OperatorConfig } from '@mnogate/core';
import { run } from '../lab/exec.js';
import type { LabPlan } from '../lab/lab-plan.js';
import { tcpProbe } from '../probes/tcp-probe.js';
import type { TunnelStateSource } from '../probes/tunnel-monitor.js';
import { readTunnelSas, type TunnelSa, tunnelUp } from '../probes/vici-probe.js';
import { swanctlConnectionNames } from '../render/swanctl-conf.js';
import { createViciClient } from '../vici/client.js';
import type { ApplicationProbe } from './app-probe.js';

export type DoctorLayer = 'config' | 'credentials' | 'route' | 'tunnel' | 'tcp' | 'application';
export const DOCTOR_LAYERS: readonly DoctorLayer[] = [
  'config',
  'credentials',
  'route',
  'tunnel',
  'tcp',
  'application',
];

/** The troubleshooting table: what a failure at each layer most likely means. */
export const DOCTOR_FIXES: Readonly<Record<DoctorLayer | 'slow', string>> = {
  config: 'fix the configuration: run `mnogate validate` for every problem with its line',
  credentials: 'the secret is missing or malformed: check gateway.secrets and the secret references',
  route:
    'no route to the operator: add the static route to the remote CIDR (or check the BGP prefixes advertised)',
  tunnel:
    'tunnel down: IKE proposal or pre-shared key mismatch (compare `mnogate peer-config` with the peer), or the peer is unreachable',
  tcp: 'connection refused or dropped: the operator whitelist (our egress source) or the security group / NACL',
  application: 'authentication failure: wrong credentials or a rotated secret',
  slow: 'slow: check MTU/MSS (clamp TCP MSS on the tunnel, e.g. 1360) and the operator latency',
};

export type LayerStatus = 'pass' | 'fail' | 'skip' | 'warn';

export interface LayerResult {
  readonly layer: DoctorLayer;
  readonly status: LayerStatus;
  /** What the check observed. */
  saw: string;
  /** The likely fix, on fail or warn. */
  readonly fix?: string;
  readonly ms: number;
}

export interface DoctorReport {
  readonly operatorId: string;
  readonly ok: boolean;
  /** The layers that failed (none when ok). */
  readonly failed: readonly DoctorLayer[];
  readonly layers: readonly LayerResult[];
  /** Where the network checks ran (a lab namespace), when not here. */
  readonly netns?: string;
}

export interface DoctorOptions {
  readonly operatorId: string;
  /** The parsed config, or the validation problems that stopped it. */
  readonly config: MnogateConfig | { readonly issues: readonly string[] };
  /** Resolves the operator's credentials (through the configured secrets provider). */
  readonly resolveCredentials: (op: OperatorConfig) => Promise<Record<string, string>>;
  /**
   * The application layer: an authenticated status query for a reference that does not exist, with
   * the credentials resolved above, from the egress source, within the operator's statusMs. The CLI
   * builds it from the gateway's connectors (`createApplicationProbe` in `@mnogate/gateway/connectors`).
   */
  readonly applicationProbe: ApplicationProbe;
  /** The charon VICI socket of our tunnel end, when there is a local one. */
  readonly viciSocket?: string;
  /**
   * Where else the tunnels' state can be read when there is no local charon: on AWS, CloudWatch's
   * TunnelState (`cloudWatchTunnelSourceFor(config)`). Used only without a VICI socket.
   */
  readonly tunnelSource?: TunnelStateSource;
  /** In the lab: the plan, to also check the cloud edge routes the operator into its tunnel. */
  readonly lab?: LabPlan;
  /** TCP connect timeout; default the operator's connectMs, at most 5 000 ms. */
  readonly connectTimeoutMs?: number;
  /** Above this a passing TCP connect or status query is reported as slow. Default 1 000 ms. */
  readonly slowMs?: number;
}

function isConfig(c: DoctorOptions['config']): c is MnogateConfig {
  return 'operators' in c;
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const layers: LayerResult[] = [];
  const slowMs = options.slowMs ?? 1_000;
  const add = (
    layer: DoctorLayer,
    status: LayerStatus,
    saw: string,
    ms = 0,
    fixKey?: DoctorLayer | 'slow',
  ) => {
    const r: LayerResult = {
      layer,
      status,
      saw,
      ms,
      ...(status === 'fail' || status === 'warn' ? { fix: DOCTOR_FIXES[fixKey ?? layer] } : {}),
    };
    layers.push(r);
    return r;
  };
  const skipRest = (from: DoctorLayer, because: string) => {
    for (const l of DOCTOR_LAYERS.slice(DOCTOR_LAYERS.indexOf(from)))
      add(l, 'skip', `not checked: ${because}`);
  };
  const finish = (): DoctorReport => {
    const failed = layers.filter((l) => l.status === 'fail').map((l) => l.layer);
    return {
      operatorId: options.operatorId,
      ok: failed.length === 0,
      failed,
      layers,
      ...(process.env.MNOGATE_NETNS ? { netns: process.env.MNOGATE_NETNS } : {}),
    };
  };

  // 1. config
  if (!isConfig(options.config)) {
    add('config', 'fail', options.config.issues.slice(0, 3).join('; '));
    skipRest('credentials', 'the configuration is invalid');
    return finish();
  }
  const config = options.config;
  const op = config.operators.find((o) => o.id === options.operatorId);
  if (!op) {
    add(
      'config',
      'fail',
      `no operator '${options.operatorId}' (known: ${config.operators.map((o) => o.id).join(', ')})`,
    );
    skipRest('credentials', 'unknown operator');
    return finish();
  }
  const endpoint = new URL(op.api.endpoints[0] as string);
  const apiHost = endpoint.hostname;
  const apiPort = endpoint.port ? Number(endpoint.port) : endpoint.protocol === 'https:' ? 443 : 80;
  const labOp = options.lab?.operators.find((o) => o.id === op.id);
  const source = op.egress.sourceIp ?? labOp?.egressSource;
  add(
    'config',
    'pass',
    `valid; ${op.id} (${op.api.dialect}) at ${apiHost}:${apiPort}, egress ${op.egress.mode} ${source ?? op.egress.subnet}`,
  );

  // 2. credentials
  let credentials: Record<string, string> | undefined;
  let t = performance.now();
  try {
    credentials = await options.resolveCredentials(op);
    add(
      'credentials',
      'pass',
      `resolved fields: ${Object.keys(credentials).sort().join(', ') || '(none)'}`,
      since(t),
    );
  } catch (err) {
    add(
      'credentials',
      'fail',
      `${(err as { code?: string }).code ?? 'error'}: ${(err as Error).message}`,
      since(t),
    );
  }

  // 3. route (here: the gateway's host or the lab's gateway namespace)
  t = performance.now();
  let routeOk = false;
  try {
    const { stdout } = await run('ip', ['route', 'get', apiHost, ...(source ? ['from', source] : [])], {
      timeoutMs: 5_000,
    });
    const line = stdout.trim().split('\n')[0] ?? '';
    if (/^(blackhole|unreachable|prohibit|throw)\b/.test(line)) {
      add('route', 'fail', `ip route get ${apiHost}: ${line}`, since(t));
    } else if (labOp && !line.includes(`via ${labOp.vpcNextHop}`)) {
      add(
        'route',
        'fail',
        `ip route get ${apiHost}: ${line} (expected via the VPN edge ${labOp.vpcNextHop})`,
        since(t),
      );
    } else {
      routeOk = true;
      add('route', 'pass', `ip route get ${apiHost}${source ? ` from ${source}` : ''}: ${line}`, since(t));
    }
  } catch (err) {
    const msg = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    add('route', 'fail', `ip route get ${apiHost}${source ? ` from ${source}` : ''}: ${msg}`, since(t));
  }

  // 4. tunnel: SAs over VICI (and in the lab, the cloud edge's route into the tunnel)
  t = performance.now();
  let tunnelOk = false;
  let before: TunnelSa[] = [];
  const names = swanctlConnectionNames(op.id).map((n) => n.ike);
  const readSas = async () => {
    const vici = createViciClient({ socketPath: options.viciSocket as string, timeoutMs: 5_000 });
    try {
      return (await readTunnelSas(vici)).filter((s) => names.includes(s.tunnel));
    } finally {
      await vici.close();
    }
  };
  if (!op.vpn) {
    tunnelOk = true;
    add('tunnel', 'skip', 'the operator has no vpn section: nothing to check');
  } else if ((!options.viciSocket || !existsSync(options.viciSocket)) && options.tunnelSource) {
    // AWS runs our end: its TunnelState metric says whether each tunnel is up
    const pair = {
      operatorId: op.id,
      tunnels: swanctlConnectionNames(op.id),
      target: { host: apiHost, port: 0 },
    };
    const reading = (await options.tunnelSource.read([pair])).get(op.id);
    const views = reading?.tunnels ?? [];
    const seen = views
      .map(
        (v) =>
          `${v.name} ${v.state}${v.outsideIp ? ` (${v.outsideIp})` : ''}${v.error ? `: ${v.error}` : ''}`,
      )
      .join('; ');
    tunnelOk = views.some((v) => v.up);
    add(
      'tunnel',
      tunnelOk ? 'pass' : 'fail',
      `${options.tunnelSource.kind}: ${seen || reading?.error || 'no reading'}`,
      since(t),
    );
  } else if (!options.viciSocket || !existsSync(options.viciSocket)) {
    tunnelOk = true;
    add(
      'tunnel',
      'skip',
      `no local strongSwan (VICI socket) for ${op.id}, and no CloudWatch source (gateway.tunnelMonitor.cloudwatch)`,
    );
  } else {
    try {
      before = await readSas();
      const up = before.filter(tunnelUp);
      const seen = names
        .map((n) => {
          const sa = before.find((s) => s.tunnel === n);
          return sa ? `${n} ${sa.state}/${sa.child} in ${sa.bytesIn} B out ${sa.bytesOut} B` : `${n} down`;
        })
        .join('; ');
      if (up.length === 0) {
        add('tunnel', 'fail', `no established tunnel: ${seen}`, since(t));
      } else {
        let routeNote = '';
        let routedOk = true;
        if (labOp && options.lab) {
          const r = await run(
            'ip',
            ['-n', options.lab.cloudNetns, 'route', 'get', apiHost, 'from', source ?? '', 'iif', 'vpc'],
            { timeoutMs: 5_000 },
          ).catch((e: Error & { stderr?: string }) => ({ stdout: e.stderr ?? e.message }));
          const line = r.stdout.trim().split('\n')[0] ?? '';
          routedOk = line.includes('dev ipsec0');
          routeNote = `; cloud edge: ${line}`;
        }
        tunnelOk = routedOk;
        add('tunnel', routedOk ? 'pass' : 'fail', `${seen}${routeNote}`, since(t));
      }
    } catch (err) {
      add('tunnel', 'fail', `VICI ${options.viciSocket}: ${(err as Error).message}`, since(t));
    }
  }

  // 5. TCP connect from the egress source
  t = performance.now();
  let tcpOk = false;
  if (!routeOk || !tunnelOk) {
    add('tcp', 'skip', `not checked: the ${!routeOk ? 'route' : 'tunnel'} layer failed`);
  } else {
    const timeoutMs = options.connectTimeoutMs ?? Math.min(op.api.timeouts.connectMs, 5_000);
    const r = await tcpProbe(
      { host: apiHost, port: apiPort, ...(source ? { localAddress: source } : {}) },
      timeoutMs,
    );
    const what = `connect ${source ?? '(any)'} -> ${apiHost}:${apiPort}`;
    if (r.outcome === 'connected') {
      tcpOk = true;
      if (r.ms > slowMs) add('tcp', 'warn', `${what}: connected in ${r.ms} ms (slow)`, r.ms, 'slow');
      else add('tcp', 'pass', `${what}: connected in ${r.ms} ms`, r.ms);
    } else {
      add('tcp', 'fail', `${what}: ${r.outcome}${r.error ? ` (${r.error})` : ''}`, r.ms);
    }
    if (before.length > 0) {
      const after = await readSas().catch(() => []);
      const delta = (k: 'bytesIn' | 'bytesOut') =>
        after.reduce((n, s) => n + s[k], 0) - before.reduce((n, s) => n + s[k], 0);
      const tunnel = layers.find((l) => l.layer === 'tunnel');
      if (tunnel)
        tunnel.saw += `; during the TCP check: +${delta('bytesIn')} B in, +${delta('bytesOut')} B out`;
    }
  }

  // 6. the application: an authenticated status query
  if (!credentials) add('application', 'skip', 'not checked: the credentials did not resolve');
  else if (!tcpOk) add('application', 'skip', 'not checked: no TCP connection to the API');
  else {
    t = performance.now();
    const r = await options
      .applicationProbe(op, {
        endpoint: op.api.endpoints[0] as string,
        credentials,
        localAddress: source,
        timeoutMs: op.api.timeouts.statusMs,
      })
      .catch((err: unknown) => ({ outcome: 'error' as const, ms: since(t), saw: (err as Error).message }));
    if (r.outcome === 'authenticated') {
      if (r.ms > Math.max(slowMs, op.api.timeouts.statusMs / 2))
        add('application', 'warn', `${r.saw} in ${r.ms} ms (slow)`, r.ms, 'slow');
      else add('application', 'pass', `${r.saw} in ${r.ms} ms (${op.api.dialect} status query)`, r.ms);
    } else if (r.outcome === 'auth-failed') {
      add('application', 'fail', `our credentials were refused: ${r.saw}`, r.ms);
    } else {
      add(
        'application',
        'fail',
        `the status query got no usable answer: ${r.saw} (check the endpoint path and the operator application)`,
        r.ms,
      );
    }
  }
  return finish();
}

function since(t: number): number {
  return Math.round(performance.now() - t);
}

/** The report as text: one line per layer with its mark, what it saw, and the fix. */
export function formatDoctorReport(report: DoctorReport): string {
  const mark: Record<LayerStatus, string> = {
    pass: '✔ pass',
    fail: '✘ FAIL',
    skip: '- skip',
    warn: '! warn',
  };
  const lines = [
    `mnogate doctor ${report.operatorId}${report.netns ? ` (in namespace ${report.netns})` : ''}`,
  ];
  for (const l of report.layers) {
    lines.push(`  ${mark[l.status]}  ${l.layer.padEnd(12)} ${l.saw}`);
    if (l.fix) lines.push(`  ${' '.repeat(8)}${' '.repeat(12)} fix: ${l.fix}`);
  }
  lines.push(report.ok ? 'all layers pass' : `broken layer: ${report.failed.join(', ')}`);
  return lines.join('\n');
}
