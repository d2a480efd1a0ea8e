/**
 * The address plan the constructs are built from: the shape `planAddresses(config)` returns in
 * `@mnogate/network`. Declared here structurally so a construct can be built from a literal plan
 * (tests) as well as from the computed one; the allocation itself lives in the network package.
 */
import { contains, parseCidr, parseIpv4 } from '@mnogate/core';

export interface PlannedSubnet {
  /** Index of the availability zone, 0-based, into the region's zone list. */
  readonly az: number;
  readonly cidr: string;
}

export interface OperatorPlan {
  readonly operatorId: string;
  /** The operator's whole subnet from the config (its whitelisted range). */
  readonly subnet: string;
  /** The AWS subnets it is split into, one per availability zone it spans. */
  readonly azSubnets: readonly PlannedSubnet[];
  readonly egressMode: 'cidr' | 'static-ip';
  readonly sourceIp: string | null;
  readonly remoteCidrs: readonly string[];
  readonly apiPorts: readonly number[];
  readonly pattern: 'container-service' | 'instance-eip';
  readonly ssmParameterName: string;
}

export interface AddressPlan {
  readonly vpcCidr: string;
  readonly azCount: number;
  readonly public: readonly PlannedSubnet[];
  readonly private: readonly PlannedSubnet[];
  readonly operators: readonly OperatorPlan[];
}

/** Whether an IPv4 address lies inside a CIDR block. */
export function cidrContains(cidr: string, ip: string): boolean {
  return contains(parseCidr(cidr), parseIpv4(ip));
}

/** `awcc-mobile` -> `AwccMobile`: an operator id as a construct id fragment. */
export function pascalId(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
