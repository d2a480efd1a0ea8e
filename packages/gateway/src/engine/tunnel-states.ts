/**
 * The operators' tunnel states, read over VICI by network's tunnel monitor (observe only: failing
 * over is the VPN endpoint's job), for the health API, metrics and the console.
 */
import type { MnogateConfig } from '@mnogate/core';
import { createTunnelMonitor, swanctlConnectionNames, type TunnelMonitorSnapshot } from '@mnogate/network';
import type { TunnelHealth } from '../api/routes/operator-health.js';

export interface GatewayTunnelMonitor {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The operator's two tunnels, or none when it has no VPN or nothing was read yet. */
  states(operatorId: string): readonly TunnelHealth[];
}

export function createGatewayTunnelMonitor(
  config: MnogateConfig,
  onChange?: (operatorId: string, tunnel: string, up: boolean) => void,
): GatewayTunnelMonitor | undefined {
  const settings = config.gateway.tunnelMonitor;
  if (!settings) return undefined;
  const pairs = config.operators
    .filter((op) => op.vpn)
    .map((op) => {
      const endpoint = new URL(op.api.endpoints[0]!);
      return {
        operatorId: op.id,
        tunnels: swanctlConnectionNames(op.id),
        viciSocket: settings.viciSocket,
        target: {
          host: endpoint.hostname,
          port: endpoint.port ? Number(endpoint.port) : endpoint.protocol === 'https:' ? 443 : 80,
          ...(op.egress.sourceIp ? { localAddress: op.egress.sourceIp } : {}),
        },
      };
    });
  const monitor = createTunnelMonitor({ tunnels: pairs, intervalMs: settings.intervalMs, failover: false });
  let last = new Map<string, boolean>();
  const view = (snapshot: TunnelMonitorSnapshot) => {
    const next = new Map<string, boolean>();
    for (const op of snapshot.operators) {
      for (const t of op.tunnels) {
        const key = `${op.operatorId}\u0000${t.name}`;
        next.set(key, t.up);
        if (last.get(key) !== t.up) onChange?.(op.operatorId, t.name, t.up);
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
      return op ? op.tunnels.map((t) => ({ name: t.name, up: t.up })) : [];
    },
  };
}
