/**
 * The operators' tunnel states, read by network's tunnel monitor from the source the config names:
 * VICI (`tunnelMonitor.viciSocket`, a charon we run) or CloudWatch (`tunnelMonitor.cloudwatch`, AWS
 * Site-to-Site VPN's TunnelState). Observe only: failing over is the VPN endpoint's job (and on AWS,
 * AWS's). They feed the health API, metrics and the console.
 */
import { type MnogateConfig, TUNNEL_MONITOR_DEFAULTS } from '@mnogate/core';
import {
  type CloudWatchClientLike,
  cloudWatchTunnelSourceFor,
  createTunnelMonitor,
  type MonitoredTunnelPair,
  swanctlConnectionNames,
  type TunnelMonitorSnapshot,
  type TunnelStateSource,
} from '@mnogate/network';
import type { Logger } from 'pino';
import type { TunnelHealth } from '../api/routes/operator-health.js';

export interface GatewayTunnelMonitor {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The operator's two tunnels, or none when it has no VPN or nothing was read yet. */
  states(operatorId: string): readonly TunnelHealth[];
  /** The monitor's last round: per operator the source, its error, each tunnel's state and the TCP probe. */
  snapshot(): TunnelMonitorSnapshot;
}

export interface GatewayTunnelMonitorOptions {
  readonly onChange?: (operatorId: string, tunnel: string, up: boolean) => void;
  /** Where a failing source is reported (once when it starts failing or its error changes, once when it recovers). */
  readonly logger?: Pick<Logger, 'warn' | 'info'>;
  /** A CloudWatch client to use instead of the SDK's (tests: AWS does not run here). */
  readonly cloudWatchClient?: CloudWatchClientLike;
  /**
   * Monitor only this operator's tunnels: a gateway that fronts one operator (MNOGATE_OPERATOR_ID)
   * can reach only that operator's API, and need not pay to read the others' metrics.
   * @default every operator of the configuration
   */
  readonly operatorScope?: string;
  readonly now?: () => number;
}

export function createGatewayTunnelMonitor(
  config: MnogateConfig,
  options: GatewayTunnelMonitorOptions = {},
): GatewayTunnelMonitor | undefined {
  const settings = config.gateway.tunnelMonitor;
  if (!settings) return undefined;
  const cloudwatch = settings.cloudwatch;
  const operators = config.operators.filter(
    (op) =>
      op.vpn &&
      (options.operatorScope === undefined || op.id === options.operatorScope) &&
      // with CloudWatch, an operator is monitored once its VPN connection id is in the config
      (!cloudwatch || cloudwatch.vpnConnections[op.id] !== undefined),
  );
  const pairs: MonitoredTunnelPair[] = operators.map((op) => {
    const endpoint = new URL(op.api.endpoints[0]!);
    return {
      operatorId: op.id,
      tunnels: swanctlConnectionNames(op.id),
      ...(settings.viciSocket ? { viciSocket: settings.viciSocket } : {}),
      // the TCP connect through the tunnel applies on AWS too: the egress subnet routes into the VPN
      target: {
        host: endpoint.hostname,
        port: endpoint.port ? Number(endpoint.port) : endpoint.protocol === 'https:' ? 443 : 80,
        ...(op.egress.sourceIp ? { localAddress: op.egress.sourceIp } : {}),
      },
    };
  });
  const source: TunnelStateSource | undefined = cloudWatchTunnelSourceFor(config, {
    operatorIds: operators.map((op) => op.id),
    ...(options.cloudWatchClient ? { client: options.cloudWatchClient } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const monitor = createTunnelMonitor({
    tunnels: pairs,
    intervalMs:
      settings.intervalMs ??
      (cloudwatch ? TUNNEL_MONITOR_DEFAULTS.cloudwatchIntervalMs : TUNNEL_MONITOR_DEFAULTS.viciIntervalMs),
    failover: false,
    ...(source ? { source } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  let last = new Map<string, boolean>();
  const failing = new Map<string, string>();
  const view = (snapshot: TunnelMonitorSnapshot) => {
    const next = new Map<string, boolean>();
    for (const op of snapshot.operators) {
      for (const t of op.tunnels) {
        const key = `${op.operatorId}\u0000${t.name}`;
        next.set(key, t.up);
        if (last.get(key) !== t.up) options.onChange?.(op.operatorId, t.name, t.up);
      }
      // one line when a source starts failing (or fails otherwise), one when it reads again
      const before = failing.get(op.operatorId);
      if (op.error && op.error !== before) {
        failing.set(op.operatorId, op.error);
        options.logger?.warn(
          { operatorId: op.operatorId, source: op.source, error: op.error },
          'tunnel states could not be read: the tunnels read as not up until the next round reads them',
        );
      } else if (!op.error && before !== undefined) {
        failing.delete(op.operatorId);
        options.logger?.info({ operatorId: op.operatorId, source: op.source }, 'tunnel states read again');
      }
    }
    last = next;
  };
  monitor.on('snapshot', view);
  return {
    start: () => monitor.start(),
    stop: () => monitor.stop(),
    states(operatorId) {
      const op = monitor.snapshot().operators.find((o) => o.operatorId === operatorId);
      if (!op) return [];
      return op.tunnels.map((t) => {
        const error = t.error ?? op.error;
        return { name: t.name, up: t.up, state: t.state, ...(error ? { error } : {}) };
      });
    },
    snapshot: () => monitor.snapshot(),
  };
}
