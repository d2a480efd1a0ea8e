import { Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  BlockDeviceVolume,
  CfnEIP,
  CfnEIPAssociation,
  type IMachineImage,
  Instance,
  InstanceClass,
  InstanceSize,
  InstanceType,
  type ISecurityGroup,
  type IVpc,
  MachineImage,
  Peer,
  Port,
  SecurityGroup,
  UserData,
} from 'aws-cdk-lib/aws-ec2';
import type { DockerImageAsset } from 'aws-cdk-lib/aws-ecr-assets';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { OperatorSubnets } from './mno-vpc.js';
import { GATEWAY_METRICS } from './ops-dashboard.js';
import { cidrContains } from './plan.js';

export interface StaticIpGatewayProps {
  readonly vpc: IVpc;
  /** The static-IP operator's subnets; the instance goes in the one holding `sourceIp`. */
  readonly subnets: OperatorSubnets;
  /** Security groups besides the instance's own: the operator's egress group, the endpoints' client group. */
  readonly securityGroups: readonly ISecurityGroup[];
  /** The operator's least-privilege role. */
  readonly role: IRole;
  /** The gateway image, pulled and run by the instance. */
  readonly image: DockerImageAsset;
  /**
   * The port the gateway listens on.
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * @default t3.small
   */
  readonly instanceType?: InstanceType;
  /**
   * @default MachineImage.latestAmazonLinux2023() (an SSM public parameter, resolved at deploy)
   */
  readonly machineImage?: IMachineImage;
  /**
   * How long container logs are kept.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The gateway for an operator that whitelists exactly one source address: one EC2 instance whose
 * primary private address is the configured `sourceIp`, with an Elastic IP associated to that very
 * address, running the gateway image under Docker.
 */
export class StaticIpGateway extends Construct {
  readonly instance: Instance;
  readonly elasticIp: CfnEIP;
  /** The instance's own group: load balancer in, HTTPS out (package repositories, AWS). */
  readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: StaticIpGatewayProps) {
    super(scope, id);
    // without this flag every IMDSv2 launch template is named 'InstanceLaunchTemplate', and a second
    // static-IP operator's instance would collide with the first
    this.node.setContext('@aws-cdk/aws-ec2:uniqueImdsv2TemplateName', true);
    const { plan } = props.subnets;
    const sourceIp = plan.sourceIp;
    if (plan.egressMode !== 'static-ip' || !sourceIp) {
      throw new Error(`operator ${plan.operatorId} is not a static-IP operator`);
    }
    const index = plan.azSubnets.findIndex((s) => cidrContains(s.cidr, sourceIp));
    if (index < 0) throw new Error(`${sourceIp} is in none of ${plan.operatorId}'s subnets`);
    const subnet = props.subnets.subnets[index]!;
    const port = props.containerPort ?? 8080;

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: `mnogate ${plan.operatorId} instance: HTTPS out through its Elastic IP`,
    });
    this.securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'package repositories and AWS APIs');

    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    logGroup.grantWrite(props.role);
    props.image.repository.grantPull(props.role);

    const region = Stack.of(this).region;
    const registry = Fn.select(0, Fn.split('/', props.image.imageUri));
    const userData = UserData.forLinux();
    userData.addCommands(
      'set -eu',
      'dnf install -y docker',
      'systemctl enable --now docker',
      `aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${registry}`,
      [
        'docker run -d --restart=always --network host',
        `-e MNOGATE_OPERATOR_ID=${plan.operatorId}`,
        `-e MNOGATE_SUBNET_PARAMETER=${plan.ssmParameterName}`,
        `-e MNOGATE_CLOUDWATCH_NAMESPACE=${GATEWAY_METRICS.namespace}`,
        // the image's HEALTHCHECK probes this; host networking means the config's own port
        `-e MNOGATE_HEALTH_URL=http://127.0.0.1:${port}/healthz`,
        `--log-driver awslogs --log-opt awslogs-region=${region} --log-opt awslogs-group=${logGroup.logGroupName}`,
        props.image.imageUri,
      ].join(' '),
    );

    this.instance = new Instance(this, 'Instance', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [subnet] },
      instanceType: props.instanceType ?? InstanceType.of(InstanceClass.T3, InstanceSize.SMALL),
      machineImage: props.machineImage ?? MachineImage.latestAmazonLinux2023(),
      securityGroup: this.securityGroup,
      role: props.role,
      privateIpAddress: sourceIp,
      requireImdsv2: true,
      detailedMonitoring: true,
      disableApiTermination: true,
      associatePublicIpAddress: false,
      blockDevices: [{ deviceName: '/dev/xvda', volume: BlockDeviceVolume.ebs(20, { encrypted: true }) }],
      userData,
    });
    for (const sg of props.securityGroups) this.instance.addSecurityGroup(sg);

    this.elasticIp = new CfnEIP(this, 'ElasticIp', {
      domain: 'vpc',
      tags: [{ key: 'Name', value: `mnogate-${plan.operatorId}` }],
    });
    new CfnEIPAssociation(this, 'ElasticIpAssociation', {
      allocationId: this.elasticIp.attrAllocationId,
      instanceId: this.instance.instanceId,
      privateIpAddress: sourceIp,
    });
  }
}
