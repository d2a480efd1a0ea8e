/**
 * The lab's topology as data: namespaces, links, addresses, routes and the strongSwan instances, a
 * pure function of the config. `lab up` applies it, `lab down` removes exactly what it names, and
 * doctor and the probes read the same plan, so they all agree on where things are.
 *
 *   gw  --vpc--  cloud  --inet--  inet  --e<i>--  edge-<op>  --lan--  op-<op>
 *
 * Every address in the plan lives only inside these namespaces.
 */
import {
  contains,
  formatCidr,
  formatIpv4,
  hostAt,
  lastAddress,
  type MnogateConfig,
  MnogateError,
  type OperatorConfig,
  parseCidr,
  parseIpv4,
} from '@mnogate/core';
import { requireVpn } from '../render/operator.js';
import { type SwanctlConnectionName, swanctlConnectionNames } from '../render/swanctl-conf.js';

export const LAB_DEFAULT_PREFIX = 'mnolab';

/** The cloud VPN edge's two tunnel endpoints (as AWS gives a VPN connection two outside addresses). */
export const LAB_CLOUD_OUTSIDE = ['198.51.100.1', '198.51.100.2'] as const;
const CLOUD_INET_NET = '198.51.100.0/24';
const INET_CLOUD_ADDR = '198.51.100.254';
const INET_EDGE_ADDR = '203.0.113.254';
const EDGE_INET_NET = '203.0.113.0/24';

export interface LabPlanOptions {
  /** Namespace name prefix; `lab down` removes the namespaces `<prefix>-*`. Default `mnolab`. */
  readonly prefix?: string;
  /** Where state, configs, sockets and logs go. Default `/run/<prefix>`. */
  readonly runDir?: string;
  /** IKE liveness check interval in the lab. Default 2 s (with fast retransmits: ~7 s to declare a peer dead). */
  readonly dpdDelaySeconds?: number;
}

export interface LabAddress {
  readonly dev: string;
  /** `a.b.c.d/n` */
  readonly cidr: string;
}

export interface LabRoute {
  /** `ip route add` arguments, e.g. ['172.20.10.0/24', 'via', '10.60.10.1']. */
  readonly args: readonly string[];
}

export interface LabNamespace {
  readonly name: string;
  readonly role: 'gateway' | 'cloud' | 'inet' | 'edge' | 'operator';
  readonly operatorId?: string;
  readonly forwarding: boolean;
  readonly addresses: readonly LabAddress[];
  readonly routes: readonly LabRoute[];
}

export interface LabLink {
  readonly a: { readonly netns: string; readonly dev: string };
  readonly b: { readonly netns: string; readonly dev: string };
}

export interface LabCharon {
  readonly name: string;
  readonly netns: string;
  readonly dir: string;
  readonly socketPath: string;
  readonly strongswanConf: string;
  readonly swanctlConf: string;
  readonly logFile: string;
}

export interface LabTunnel {
  readonly index: 0 | 1;
  /** Connection and child names, the same on both ends. */
  readonly names: SwanctlConnectionName;
  readonly cloudOutside: string;
  readonly peerOutside: string;
}

export interface LabOperator {
  readonly id: string;
  readonly dialect: string;
  readonly egressMode: OperatorConfig['egress']['mode'];
  readonly egressSubnet: string;
  /** The address the gateway's calls leave from. */
  readonly egressSource: string;
  /** The cloud edge's address in the egress subnet: the gateway's next hop to the operator. */
  readonly vpcNextHop: string;
  readonly remoteCidrs: readonly string[];
  /** The API's address and port (the first endpoint), where the simulator listens. */
  readonly apiHost: string;
  readonly apiPort: number;
  readonly edgeNetns: string;
  readonly privateNetns: string;
  readonly peerOutside: string;
  readonly tunnels: readonly [LabTunnel, LabTunnel];
  readonly charon: LabCharon;
  /** The simulator control API, proxied to a unix socket (reachable from any namespace). */
  readonly controlSocket: string;
}

export interface LabPlan {
  readonly prefix: string;
  readonly runDir: string;
  readonly stateFile: string;
  readonly dpdDelaySeconds: number;
  readonly namespaces: readonly LabNamespace[];
  readonly links: readonly LabLink[];
  readonly gatewayNetns: string;
  readonly cloudNetns: string;
  readonly inetNetns: string;
  readonly cloudCharon: LabCharon;
  readonly operators: readonly LabOperator[];
  /** The gateway's listen address inside its namespace, and the unix socket proxying to it. */
  readonly gatewayListen: { readonly host: string; readonly port: number };
  readonly gatewaySocket: string;
}

function charonAt(runDir: string, name: string, netns: string): LabCharon {
  const dir = `${runDir}/${name}`;
  return {
    name,
    netns,
    dir,
    socketPath: `${dir}/charon.vici`,
    strongswanConf: `${dir}/strongswan.conf`,
    swanctlConf: `${dir}/swanctl.conf`,
    logFile: `${dir}/charon.log`,
  };
}

/** A config the lab cannot build (it is valid, but not something this machine can stand up). */
export class LabError extends Error {
  override name = 'LabError';
}

function labError(message: string): LabError {
  return new LabError(`lab: ${message}`);
}

/** The address in `cidr` the cloud edge takes: the first host, or the last when the first is taken. */
function cloudHostIn(cidr: string, taken: string): string {
  const c = parseCidr(cidr);
  const first = formatIpv4(hostAt(c, 1));
  return first !== taken ? first : formatIpv4(lastAddress(c) - 1);
}

export function planLab(config: MnogateConfig, options: LabPlanOptions = {}): LabPlan {
  const prefix = options.prefix ?? LAB_DEFAULT_PREFIX;
  if (!/^[a-z][a-z0-9]{0,11}$/.test(prefix)) throw labError(`prefix '${prefix}' must be [a-z][a-z0-9]{0,11}`);
  const runDir = options.runDir ?? `/run/${prefix}`;
  const gw = `${prefix}-gw`;
  const cloud = `${prefix}-cloud`;
  const inet = `${prefix}-inet`;
  const vpc = parseCidr(config.network.vpcCidr);

  const gwAddrs: LabAddress[] = [];
  const gwRoutes: LabRoute[] = [];
  const cloudAddrs: LabAddress[] = LAB_CLOUD_OUTSIDE.map((a) => ({ dev: 'inet', cidr: `${a}/24` }));
  const cloudRoutes: LabRoute[] = [{ args: [EDGE_INET_NET, 'via', INET_CLOUD_ADDR] }];
  const inetAddrs: LabAddress[] = [{ dev: 'cloud', cidr: `${INET_CLOUD_ADDR}/24` }];
  const inetRoutes: LabRoute[] = [];
  const namespaces: LabNamespace[] = [];
  const links: LabLink[] = [
    { a: { netns: gw, dev: 'vpc' }, b: { netns: cloud, dev: 'vpc' } },
    { a: { netns: cloud, dev: 'inet' }, b: { netns: inet, dev: 'cloud' } },
  ];

  // the gateway's listen address: on the VPC link, in a /24 of the VPC (the plan's private subnet)
  const listen = config.gateway.listen;
  if (listen.host !== '127.0.0.1' && listen.host !== '0.0.0.0') {
    const host = parseIpv4(listen.host);
    if (!contains(vpc, host)) throw labError(`gateway.listen.host ${listen.host} is outside the VPC`);
    const net = formatCidr({ base: host - (host % 256), prefix: 24 });
    gwAddrs.push({ dev: 'vpc', cidr: `${listen.host}/24` });
    cloudAddrs.push({ dev: 'vpc', cidr: `${cloudHostIn(net, listen.host)}/24` });
  }

  const operators: LabOperator[] = [];
  config.operators.forEach((op, i) => {
    if (!op.vpn) return; // an operator without a VPN has nothing to bring up in the lab
    const vpn = requireVpn(op);
    const subnet = parseCidr(op.egress.subnet);
    const source = op.egress.sourceIp ?? formatIpv4(hostAt(subnet, 10));
    const nextHop = cloudHostIn(op.egress.subnet, source);
    gwAddrs.push({ dev: 'vpc', cidr: `${source}/${subnet.prefix}` });
    cloudAddrs.push({ dev: 'vpc', cidr: `${nextHop}/${subnet.prefix}` });
    const remote = vpn.remoteCidrs.map((c) => formatCidr(parseCidr(c)));
    for (const r of remote) {
      gwRoutes.push({ args: [r, 'via', nextHop, 'src', source] });
      // when no tunnel carries it, the cloud edge drops it: never plaintext onto the internet link
      cloudRoutes.push({ args: ['blackhole', r] });
    }
    const endpoint = new URL(op.api.endpoints[0] as string);
    const apiHost = endpoint.hostname;
    const apiPort = endpoint.port ? Number(endpoint.port) : endpoint.protocol === 'https:' ? 443 : 80;
    const home = remote.find((r) => contains(parseCidr(r), parseIpv4(apiHost)));
    if (!home) throw labError(`operator ${op.id}: endpoint ${apiHost} is not in its remoteCidrs`);

    const edge = `${prefix}-edge-${op.id}`;
    const priv = `${prefix}-op-${op.id}`;
    const inetDev = `e${i}`;
    links.push({ a: { netns: inet, dev: inetDev }, b: { netns: edge, dev: 'inet' } });
    links.push({ a: { netns: edge, dev: 'lan' }, b: { netns: priv, dev: 'lan' } });
    inetAddrs.push({ dev: inetDev, cidr: `${INET_EDGE_ADDR}/32` });
    inetRoutes.push({ args: [`${vpn.peerIp}/32`, 'dev', inetDev] });

    const edgeAddrs: LabAddress[] = [{ dev: 'inet', cidr: `${vpn.peerIp}/32` }];
    const edgeRoutes: LabRoute[] = [
      { args: [INET_EDGE_ADDR, 'dev', 'inet'] },
      { args: [CLOUD_INET_NET, 'via', INET_EDGE_ADDR, 'dev', 'inet', 'onlink'] },
      { args: ['blackhole', op.egress.subnet] },
    ];
    const privAddrs: LabAddress[] = [];
    let privGateway = '';
    for (const r of remote) {
      const c = parseCidr(r);
      const edgeLan = cloudHostIn(r, apiHost);
      edgeAddrs.push({ dev: 'lan', cidr: `${edgeLan}/${c.prefix}` });
      if (r === home) {
        privAddrs.push({ dev: 'lan', cidr: `${apiHost}/${c.prefix}` });
        privGateway = edgeLan;
      }
    }
    namespaces.push({
      name: edge,
      role: 'edge',
      operatorId: op.id,
      forwarding: true,
      addresses: edgeAddrs,
      routes: edgeRoutes,
    });
    namespaces.push({
      name: priv,
      role: 'operator',
      operatorId: op.id,
      forwarding: false,
      addresses: privAddrs,
      routes: [{ args: ['default', 'via', privGateway] }],
    });
    const names = swanctlConnectionNames(op.id);
    operators.push({
      id: op.id,
      dialect: op.api.dialect,
      egressMode: op.egress.mode,
      egressSubnet: formatCidr(subnet),
      egressSource: source,
      vpcNextHop: nextHop,
      remoteCidrs: remote,
      apiHost,
      apiPort,
      edgeNetns: edge,
      privateNetns: priv,
      peerOutside: vpn.peerIp,
      tunnels: [0, 1].map((n) => ({
        index: n as 0 | 1,
        names: names[n as 0 | 1],
        cloudOutside: LAB_CLOUD_OUTSIDE[n as 0 | 1],
        peerOutside: vpn.peerIp,
      })) as unknown as readonly [LabTunnel, LabTunnel],
      charon: charonAt(runDir, `edge-${op.id}`, edge),
      controlSocket: `${runDir}/control-${op.id}.sock`,
    });
  });
  if (operators.length === 0) throw labError('no operator has a vpn section: nothing to bring up');

  namespaces.unshift(
    { name: gw, role: 'gateway', forwarding: false, addresses: gwAddrs, routes: gwRoutes },
    { name: cloud, role: 'cloud', forwarding: true, addresses: cloudAddrs, routes: cloudRoutes },
    { name: inet, role: 'inet', forwarding: true, addresses: inetAddrs, routes: inetRoutes },
  );
  return {
    prefix,
    runDir,
    stateFile: `${runDir}/state.json`,
    dpdDelaySeconds: options.dpdDelaySeconds ?? 2,
    namespaces,
    links,
    gatewayNetns: gw,
    cloudNetns: cloud,
    inetNetns: inet,
    cloudCharon: charonAt(runDir, 'cloud', cloud),
    operators,
    gatewayListen: { host: listen.host, port: listen.port },
    gatewaySocket: `${runDir}/gateway.sock`,
  };
}

/** The plan's operator with this id, or MNOGATE_ERR_ROUTE_UNKNOWN_OPERATOR. */
export function labOperator(plan: LabPlan, operatorId: string): LabOperator {
  const op = plan.operators.find((o) => o.id === operatorId);
  if (!op)
    throw new MnogateError('MNOGATE_ERR_ROUTE_UNKNOWN_OPERATOR', `the lab has no operator ${operatorId}`, {
      operatorId,
      known: plan.operators.map((o) => o.id),
    });
  return op;
}
