import { Stack } from 'aws-cdk-lib';
import {
  type CfnRouteTable,
  CfnVPCEndpoint,
  type ISubnet,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
} from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { pascalId } from './plan.js';

/** The AWS APIs a gateway task or instance calls: image pull, logs, secrets, parameters, metrics. */
export const DEFAULT_INTERFACE_ENDPOINTS: readonly string[] = [
  'ecr.api',
  'ecr.dkr',
  'logs',
  'secretsmanager',
  'ssm',
  'monitoring',
];

export interface AwsApiEndpointsProps {
  readonly vpc: IVpc;
  readonly vpcCidr: string;
  /** Subnets of the interface endpoints, one per availability zone. */
  readonly subnets: readonly ISubnet[];
  /** Route tables that get the S3 gateway endpoint (ECR image layers live in S3). */
  readonly routeTables: readonly CfnRouteTable[];
  /**
   * Interface endpoint services, as the suffix of `com.amazonaws.<region>.`.
   * @default DEFAULT_INTERFACE_ENDPOINTS
   */
  readonly services?: readonly string[];
}

/**
 * VPC endpoints, so that operator subnets need no NAT gateway and no route to the internet: the
 * only ways out of an operator subnet are its VPN and these endpoints.
 */
export class AwsApiEndpoints extends Construct {
  /** Attach to a task or instance: HTTPS to the endpoints inside the VPC, nothing else. */
  readonly clientSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: AwsApiEndpointsProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const endpointSg = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: 'mnogate VPC endpoints: HTTPS from inside the VPC',
    });
    endpointSg.addIngressRule(Peer.ipv4(props.vpcCidr), Port.tcp(443), 'AWS API calls from the VPC');
    this.clientSecurityGroup = new SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: 'mnogate: HTTPS to the VPC endpoints only',
    });
    this.clientSecurityGroup.addEgressRule(
      Peer.ipv4(props.vpcCidr),
      Port.tcp(443),
      'AWS APIs via VPC endpoints',
    );

    for (const service of props.services ?? DEFAULT_INTERFACE_ENDPOINTS) {
      new CfnVPCEndpoint(this, `${pascalId(service)}Endpoint`, {
        vpcId: props.vpc.vpcId,
        serviceName: `com.amazonaws.${region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: props.subnets.map((s) => s.subnetId),
        securityGroupIds: [endpointSg.securityGroupId],
      });
    }
    new CfnVPCEndpoint(this, 'S3Endpoint', {
      vpcId: props.vpc.vpcId,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: props.routeTables.map((t) => t.ref),
    });
  }
}
