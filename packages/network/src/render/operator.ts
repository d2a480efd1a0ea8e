import {
  formatIpv4,
  hostAt,
  type MnogateConfig,
  MnogateError,
  type OperatorConfig,
  parseCidr,
  type VpnConfig,
} from '@mnogate/core';

/** The operator with this id, or MNOGATE_ERR_ROUTE_UNKNOWN_OPERATOR. */
export function findOperator(config: MnogateConfig, operatorId: string): OperatorConfig {
  const op = config.operators.find((o) => o.id === operatorId);
  if (!op) {
    throw new MnogateError('MNOGATE_ERR_ROUTE_UNKNOWN_OPERATOR', `no operator has the id ${operatorId}`, {
      operatorId,
      known: config.operators.map((o) => o.id),
    });
  }
  return op;
}

/** The operator's VPN section, or MNOGATE_ERR_CONFIG_TUNNEL_OPTION when it has none. */
export function requireVpn(op: OperatorConfig): VpnConfig {
  if (!op.vpn) {
    throw new MnogateError('MNOGATE_ERR_CONFIG_TUNNEL_OPTION', `operator ${op.id} has no vpn section`, {
      operatorId: op.id,
    });
  }
  return op.vpn;
}

/** A tunnel's inside addresses, as AWS assigns them in its /30: the cloud end .1, the peer (customer gateway) .2. */
export function tunnelInsideAddresses(insideCidr: string): { cloud: string; peer: string; prefix: number } {
  const cidr = parseCidr(insideCidr);
  return { cloud: formatIpv4(hostAt(cidr, 1)), peer: formatIpv4(hostAt(cidr, 2)), prefix: cidr.prefix };
}

/** `afghan-wireless` -> `afghan_wireless`: a name nft accepts as a table name. */
export function nftName(operatorId: string): string {
  return operatorId.replace(/[^A-Za-z0-9_]/g, '_');
}
