/**
 * Renders a strongSwan swanctl.conf for one operator's two tunnels, for either end: the operator's
 * VPN endpoint (`peer`, the customer gateway) or a self-managed cloud endpoint (`cloud`, in place of
 * AWS's). Proposals come only from proposal-map.ts. The lab renders both ends with this function,
 * overriding the addresses it owns.
 */

import type { MnogateConfig, TunnelConfig } from '@mnogate/core';
import { formatCidr, parseCidr } from '@mnogate/core';
import { type ConfEntry, type ConfSection, entry, formatConf, secretValue, section } from './conf-format.js';
import { findOperator, requireVpn, tunnelInsideAddresses } from './operator.js';
import { dpdAction, espProposals, ikeProposals, ikeVersion, startAction } from './proposal-map.js';

export type TunnelSide = 'peer' | 'cloud';

/** Per-tunnel values: index 0 is tunnel 1, index 1 is tunnel 2. */
export type PerTunnel<T> = readonly [T, T];

export interface SwanctlRenderOptions {
  /** Which end to render. Default `peer`: the operator's VPN endpoint. */
  readonly side?: TunnelSide;
  /** The two tunnels' pre-shared keys, resolved by the caller (or placeholders). */
  readonly psk: PerTunnel<string>;
  /**
   * This end's outside (IKE) address per tunnel. Default: the peer's `vpn.peerIp` on the peer side;
   * `%any` on the cloud side (AWS assigns the outside addresses when it creates the connection).
   */
  readonly localAddrs?: PerTunnel<string>;
  /** The other end's outside address per tunnel. Default: `%any` on the peer side; `vpn.peerIp` on the cloud side. */
  readonly remoteAddrs?: PerTunnel<string>;
  /** Inside (tunnel) addresses per tunnel; default from each tunnel's insideCidr (cloud .1, peer .2). */
  readonly insideAddresses?: PerTunnel<{ readonly local: string; readonly remote: string }>;
  /** Local traffic selectors; default: the remote CIDRs (peer) or the egress subnet (cloud). */
  readonly localTs?: readonly string[];
  /** Remote traffic selectors; default: the egress subnet (peer) or the remote CIDRs (cloud). */
  readonly remoteTs?: readonly string[];
  /** Add the inside addresses (/32) to the traffic selectors. Default: true when routing is BGP. */
  readonly insideTs?: boolean;
  /** Overrides the mapped start_action (e.g. `trap`, or `start` to make the lab initiate). */
  readonly startAction?: string;
  /** Seconds between liveness checks. Default: a third of the tunnel's DPD timeout, at least 1. */
  readonly dpdDelaySeconds?: number;
  /** Prefix of connection names; default the operator id: `<prefix>-tunnel1`, `<prefix>-tunnel2`. */
  readonly namePrefix?: string;
  /** Force ESP in UDP (port 4500) even without NAT, as kernel-libipsec needs. Default false. */
  readonly encap?: boolean;
}

export interface SwanctlConnectionName {
  /** The IKE connection (`connections.<ike>`). */
  readonly ike: string;
  /** Its CHILD_SA (`children.<child>`). */
  readonly child: string;
}

/** The connection and child names renderSwanctlConf uses, for VICI initiate/terminate. */
export function swanctlConnectionNames(operatorIdOrPrefix: string): PerTunnel<SwanctlConnectionName> {
  const name = (n: number) => `${operatorIdOrPrefix}-tunnel${n}`;
  return [
    { ike: name(1), child: name(1) },
    { ike: name(2), child: name(2) },
  ];
}

export function renderSwanctlConf(
  config: MnogateConfig,
  operatorId: string,
  options: SwanctlRenderOptions,
): string {
  return formatConf(buildSwanctlConf(config, operatorId, options));
}

/** The swanctl.conf tree that renderSwanctlConf formats. */
export function buildSwanctlConf(
  config: MnogateConfig,
  operatorId: string,
  options: SwanctlRenderOptions,
): ConfSection {
  const op = findOperator(config, operatorId);
  const vpn = requireVpn(op);
  const side = options.side ?? 'peer';
  const names = swanctlConnectionNames(options.namePrefix ?? op.id);
  const egress = formatCidr(parseCidr(op.egress.subnet));
  const remoteCidrs = vpn.remoteCidrs.map((c) => formatCidr(parseCidr(c)));
  const localTs = options.localTs ?? (side === 'peer' ? remoteCidrs : [egress]);
  const remoteTs = options.remoteTs ?? (side === 'peer' ? [egress] : remoteCidrs);
  const insideTs = options.insideTs ?? vpn.routing === 'bgp';

  const connections: ConfEntry[] = [];
  const secrets: ConfEntry[] = [];
  vpn.tunnels.forEach((tunnel, i) => {
    const n = i as 0 | 1;
    const name = names[n];
    const inside = options.insideAddresses?.[n] ?? defaultInside(tunnel, side);
    const local = options.localAddrs?.[n] ?? (side === 'peer' ? vpn.peerIp : '%any');
    const remote = options.remoteAddrs?.[n] ?? (side === 'peer' ? '%any' : vpn.peerIp);
    connections.push(
      entry(
        name.ike,
        connection(tunnel, {
          side,
          child: name.child,
          local,
          remote,
          localTs: insideTs ? [...localTs, `${inside.local}/32`] : localTs,
          remoteTs: insideTs ? [...remoteTs, `${inside.remote}/32`] : remoteTs,
          startAction: options.startAction,
          dpdDelaySeconds: options.dpdDelaySeconds,
          encap: options.encap ?? false,
        }),
        [
          `${op.id} tunnel ${n + 1} (${side} side): inside ${inside.local} <-> ${inside.remote} (${tunnel.insideCidr})`,
          ...(remote === '%any' && side === 'peer'
            ? ["remote_addrs: set to this tunnel's AWS outside address once the VPN connection exists"]
            : []),
        ],
      ),
    );
    secrets.push(
      entry(
        `ike-${name.ike}`,
        section([
          local !== '%any' && entry('id-local', local),
          remote !== '%any' && entry('id-remote', remote),
          entry('secret', secretValue(options.psk[n])),
        ]),
        [`pre-shared key of tunnel ${n + 1}: ${tunnel.preSharedKey}`],
      ),
    );
  });

  return section(
    [entry('connections', section(connections)), entry('secrets', section(secrets))],
    [
      `swanctl.conf for operator ${op.id} (${op.name}), ${side} side. Generated by mnogate peer-config from the`,
      'same mnogate.yaml as the cloud side: edit the config and render again rather than editing this file.',
      '',
    ],
  );
}

function defaultInside(tunnel: TunnelConfig, side: TunnelSide): { local: string; remote: string } {
  const a = tunnelInsideAddresses(tunnel.insideCidr);
  return side === 'peer' ? { local: a.peer, remote: a.cloud } : { local: a.cloud, remote: a.peer };
}

interface ConnectionParams {
  side: TunnelSide;
  child: string;
  local: string;
  remote: string;
  localTs: readonly string[];
  remoteTs: readonly string[];
  startAction: string | undefined;
  dpdDelaySeconds: number | undefined;
  encap: boolean;
}

function connection(tunnel: TunnelConfig, p: ConnectionParams): ConfSection {
  const ikeMargin = margin(tunnel.rekeyMarginTimeSeconds, tunnel.phase1.lifetimeSeconds);
  const childMargin = margin(tunnel.rekeyMarginTimeSeconds, tunnel.phase2.lifetimeSeconds);
  const dpdDelay = p.dpdDelaySeconds ?? Math.max(1, Math.round(tunnel.dpdTimeoutSeconds / 3));
  return section([
    entry('version', ikeVersion(tunnel.ikeVersions)),
    entry('local_addrs', p.local),
    entry('remote_addrs', p.remote),
    entry('proposals', ikeProposals(tunnel.phase1).join(',')),
    entry('rekey_time', `${tunnel.phase1.lifetimeSeconds - ikeMargin}s`),
    entry('over_time', `${ikeMargin}s`),
    entry('dpd_delay', `${dpdDelay}s`),
    entry('dpd_timeout', `${tunnel.dpdTimeoutSeconds}s`),
    entry('keyingtries', 0),
    entry('mobike', 'no'),
    p.encap && entry('encap', 'yes'),
    entry('local', section([entry('auth', 'psk'), p.local !== '%any' && entry('id', p.local)])),
    entry('remote', section([entry('auth', 'psk'), entry('id', p.remote)])),
    entry(
      'children',
      section([
        entry(
          p.child,
          section([
            entry('mode', 'tunnel'),
            entry('local_ts', p.localTs.join(',')),
            entry('remote_ts', p.remoteTs.join(',')),
            entry('esp_proposals', espProposals(tunnel.phase2).join(',')),
            entry('rekey_time', `${tunnel.phase2.lifetimeSeconds - childMargin}s`),
            entry('life_time', `${tunnel.phase2.lifetimeSeconds}s`),
            entry('dpd_action', dpdAction(tunnel.dpdTimeoutAction)),
            entry('start_action', p.startAction ?? startAction(tunnel.startupAction, p.side)),
          ]),
        ),
      ]),
    ),
  ]);
}

/** AWS's rekey margin, kept under half the lifetime so a rekey time stays positive. */
function margin(marginSeconds: number, lifetimeSeconds: number): number {
  return Math.max(0, Math.min(marginSeconds, Math.floor(lifetimeSeconds / 2)));
}
