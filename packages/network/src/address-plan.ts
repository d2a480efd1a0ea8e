/**
 * The address plan: a deterministic allocation of the VPC into per-AZ public and private subnets
 * and one subnet per operator (the one its config gives). The CDK app, `mnogate plan` and the lab
 * all read the same plan, so the same config always yields the same addresses.
 */
import {
  type Cidr,
  contains,
  formatCidr,
  formatIpv4,
  type MnogateConfig,
  MnogateError,
  nextFreeBlock,
  type OperatorConfig,
  overlaps,
  parseCidr,
  parseIpv4,
  split,
  ssmSubnetParameterName,
} from '@mnogate/core';

export interface AzSubnet {
  /** The availability zone by index (0, 1, 2); the CDK maps indexes to real AZ names. */
  az: number;
  cidr: string;
}

export type EgressMode = 'cidr' | 'static-ip';
/** CIDR egress: an ECS service behind an internal ALB; static IP: an EC2 instance with an Elastic IP. */
export type DeploymentPattern = 'container-service' | 'instance-eip';

export interface OperatorPlan {
  operatorId: string;
  /** The operator's subnet as configured: what the operator whitelists in CIDR mode. */
  subnet: string;
  /** CIDR mode: the subnet's two halves, AZ 0 and AZ 1. Static IP: the whole subnet, in AZ 0. */
  azSubnets: AzSubnet[];
  egressMode: EgressMode;
  /** The whitelisted source address (static IP), or the configured bind address in CIDR mode. */
  sourceIp: string | null;
  remoteCidrs: string[];
  apiPorts: number[];
  pattern: DeploymentPattern;
  ssmParameterName: string;
}

export interface AddressPlan {
  vpcCidr: string;
  azCount: number;
  public: AzSubnet[];
  private: AzSubnet[];
  operators: OperatorPlan[];
}

/** Public and private subnets are /24 when they fit, else the largest size that does, down to /28 (AWS's smallest). */
export const SHARED_SUBNET_MAX_PREFIX = 24;
export const SHARED_SUBNET_MIN_PREFIX = 28;
export const DEFAULT_AZ_COUNT = 2;

export function planAddresses(config: MnogateConfig): AddressPlan {
  const vpc = parseCidr(config.network.vpcCidr);
  const azCount = config.network.availabilityZones ?? DEFAULT_AZ_COUNT;
  const used: { cidr: Cidr; operatorId: string }[] = [];
  const operators: OperatorPlan[] = [];

  for (const [index, op] of config.operators.entries()) {
    const subnet = parseCidr(op.egress.subnet);
    const path = `operators[${index}].egress.subnet`;
    if (!contains(vpc, subnet)) {
      throw new MnogateError(
        'MNOGATE_ERR_CONFIG_SUBNET_OUTSIDE_VPC',
        `${op.id}: subnet ${op.egress.subnet} lies outside the VPC ${config.network.vpcCidr}`,
        { operatorId: op.id, path, subnet: op.egress.subnet, vpcCidr: config.network.vpcCidr },
      );
    }
    const clash = used.find((u) => overlaps(u.cidr, subnet));
    if (clash) {
      throw new MnogateError(
        'MNOGATE_ERR_CONFIG_SUBNET_OVERLAP',
        `${op.id}: subnet ${op.egress.subnet} overlaps ${clash.operatorId}'s ${formatCidr(clash.cidr)}`,
        { operatorId: op.id, path, subnet: op.egress.subnet, other: clash.operatorId },
      );
    }
    used.push({ cidr: subnet, operatorId: op.id });
    operators.push(planOperator(op, subnet, path));
  }

  const shared = allocateShared(
    vpc,
    azCount * 2,
    used.map((u) => u.cidr),
  );
  if (!shared) {
    throw new MnogateError(
      'MNOGATE_ERR_CONFIG_SUBNET_OUTSIDE_VPC',
      `the VPC ${config.network.vpcCidr} has no room for ${azCount} public and ${azCount} private subnets of at least /${SHARED_SUBNET_MIN_PREFIX} beside the operator subnets`,
      { path: 'network.vpcCidr', vpcCidr: config.network.vpcCidr, azCount },
    );
  }
  return {
    vpcCidr: formatCidr(vpc),
    azCount,
    public: shared.slice(0, azCount).map((c, az) => ({ az, cidr: formatCidr(c) })),
    private: shared.slice(azCount).map((c, az) => ({ az, cidr: formatCidr(c) })),
    operators,
  };
}

function planOperator(op: OperatorConfig, subnet: Cidr, path: string): OperatorPlan {
  const common = {
    operatorId: op.id,
    subnet: formatCidr(subnet),
    remoteCidrs: op.vpn ? op.vpn.remoteCidrs.map((c) => formatCidr(parseCidr(c))) : [],
    apiPorts: op.vpn ? [...op.vpn.apiPorts] : endpointPorts(op.api.endpoints),
    ssmParameterName: ssmSubnetParameterName(op.id),
  };
  const sourceIp = op.egress.sourceIp ?? null;
  if (sourceIp !== null && !contains(subnet, parseIpv4(sourceIp))) {
    throw new MnogateError(
      'MNOGATE_ERR_CONFIG_EGRESS_OUTSIDE_SUBNET',
      `${op.id}: egress source ${sourceIp} lies outside its subnet ${op.egress.subnet}`,
      { operatorId: op.id, path: path.replace(/subnet$/, 'sourceIp'), sourceIp, subnet: op.egress.subnet },
    );
  }
  if (op.egress.mode === 'static-ip') {
    return {
      ...common,
      azSubnets: [{ az: 0, cidr: formatCidr(subnet) }],
      egressMode: 'static-ip',
      sourceIp: formatIpv4(parseIpv4(op.egress.sourceIp)),
      pattern: 'instance-eip',
    };
  }
  if (subnet.prefix >= 32) {
    throw new MnogateError(
      'MNOGATE_ERR_CONFIG_SUBNET_OVERLAP',
      `${op.id}: subnet ${op.egress.subnet} is too small to split across two availability zones`,
      { operatorId: op.id, path, subnet: op.egress.subnet },
    );
  }
  const halves = split(subnet);
  return {
    ...common,
    azSubnets: halves.map((c, az) => ({ az, cidr: formatCidr(c) })),
    egressMode: 'cidr',
    sourceIp,
    pattern: 'container-service',
  };
}

/** `count` equal blocks, lowest free first, of the largest size in [/24, /28] that fits all of them. */
function allocateShared(vpc: Cidr, count: number, taken: readonly Cidr[]): Cidr[] | undefined {
  const minNeeded = vpc.prefix + Math.ceil(Math.log2(count));
  for (
    let prefix = Math.max(SHARED_SUBNET_MAX_PREFIX, minNeeded);
    prefix <= SHARED_SUBNET_MIN_PREFIX;
    prefix++
  ) {
    const used = [...taken];
    const out: Cidr[] = [];
    for (let i = 0; i < count; i++) {
      const block = nextFreeBlock(vpc, prefix, used);
      if (!block) break;
      out.push(block);
      used.push(block);
    }
    if (out.length === count) return out;
  }
  return undefined;
}

/** The TCP ports of an operator's endpoint URLs, when it has no VPN section to name them. */
function endpointPorts(endpoints: readonly string[]): number[] {
  const ports = new Set<number>();
  for (const e of endpoints) {
    try {
      const url = new URL(e);
      ports.add(url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443);
    } catch {
      // the schema already checked these are URLs
    }
  }
  return [...ports].sort((a, b) => a - b);
}
