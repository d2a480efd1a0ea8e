import {
  CfnNetworkAcl,
  CfnNetworkAclEntry,
  CfnSubnetNetworkAclAssociation,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
} from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { OperatorSubnets } from './mno-vpc.js';

export interface OperatorNetworkProps {
  readonly vpc: IVpc;
  readonly vpcCidr: string;
  /** The operator's subnets (from `MnoVpc`), with its remote CIDRs and API ports in `plan`. */
  readonly subnets: OperatorSubnets;
  /**
   * The port the gateway listens on inside the operator's subnets (reached from the load balancer).
   * @default 8080
   */
  readonly servicePort?: number;
  /**
   * Whether the subnets' ACL lets HTTPS out to the internet and its replies in: for a static-IP
   * operator whose instance reaches package repositories and AWS through its Elastic IP.
   * @default - true for a static-IP operator, false otherwise
   */
  readonly allowInternetHttps?: boolean;
}

const EPHEMERAL = { from: 1024, to: 65535 };

/**
 * The operator's traffic rules: a security group whose egress allows only the operator's remote
 * CIDRs on its API ports, and a network ACL on its subnets that admits only that traffic, its
 * replies, the load balancer and the VPC endpoints.
 */
export class OperatorNetwork extends Construct {
  /** Egress to the operator's API and nothing else. */
  readonly securityGroup: SecurityGroup;
  readonly networkAcl: CfnNetworkAcl;

  constructor(scope: Construct, id: string, props: OperatorNetworkProps) {
    super(scope, id);
    const plan = props.subnets.plan;
    const servicePort = props.servicePort ?? 8080;
    const allowInternetHttps = props.allowInternetHttps ?? plan.egressMode === 'static-ip';

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: `mnogate ${plan.operatorId}: egress only to the operator API`,
    });
    for (const cidr of plan.remoteCidrs) {
      for (const port of plan.apiPorts) {
        this.securityGroup.addEgressRule(Peer.ipv4(cidr), Port.tcp(port), `${plan.operatorId} API`);
      }
    }

    this.networkAcl = new CfnNetworkAcl(this, 'NetworkAcl', {
      vpcId: props.vpc.vpcId,
      tags: [{ key: 'Name', value: `mnogate-${plan.operatorId}` }],
    });
    let n = 0;
    const entry = (egress: boolean, ruleNumber: number, cidrBlock: string, from: number, to: number) => {
      new CfnNetworkAclEntry(this, `Entry${n++}`, {
        networkAclId: this.networkAcl.ref,
        egress,
        ruleNumber,
        ruleAction: 'allow',
        protocol: 6,
        cidrBlock,
        portRange: { from, to },
      });
    };
    let out = 100;
    let inbound = 100;
    for (const cidr of plan.remoteCidrs) {
      for (const port of plan.apiPorts) entry(true, out++, cidr, port, port);
      entry(false, inbound++, cidr, EPHEMERAL.from, EPHEMERAL.to);
    }
    // the load balancer in, its replies out; the VPC endpoints out, their replies in
    entry(false, 500, props.vpcCidr, servicePort, servicePort);
    entry(true, 500, props.vpcCidr, EPHEMERAL.from, EPHEMERAL.to);
    entry(true, 510, props.vpcCidr, 443, 443);
    entry(false, 510, props.vpcCidr, EPHEMERAL.from, EPHEMERAL.to);
    if (allowInternetHttps) {
      entry(true, 600, '0.0.0.0/0', 443, 443);
      entry(false, 600, '0.0.0.0/0', EPHEMERAL.from, EPHEMERAL.to);
    }
    props.subnets.cfnSubnets.forEach((subnet, i) => {
      new CfnSubnetNetworkAclAssociation(this, `Association${i}`, {
        networkAclId: this.networkAcl.ref,
        subnetId: subnet.ref,
      });
    });
  }
}
