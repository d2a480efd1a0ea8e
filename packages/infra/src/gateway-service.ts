import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type ISecurityGroup, type ISubnet, type IVpc, Peer, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import {
  Cluster,
  type ContainerImage,
  ContainerInsights,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
} from 'aws-cdk-lib/aws-ecs';
import {
  type ApplicationListener,
  ApplicationLoadBalancer,
  ApplicationProtocol,
  type IApplicationLoadBalancerTarget,
  ListenerAction,
  ListenerCondition,
  SslPolicy,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { GATEWAY_METRICS } from './ops-dashboard.js';
import { pascalId } from './plan.js';

/** One operator's gateway tasks: in its subnets, with its security groups and role. */
export interface GatewayServiceOperator {
  readonly operatorId: string;
  readonly subnets: readonly ISubnet[];
  /** The operator's egress group first, then any other (such as the VPC endpoints' client group). */
  readonly securityGroups: readonly ISecurityGroup[];
  readonly taskRole: IRole;
  /** The SSM parameter holding the operator's subnet ids. */
  readonly subnetParameterName: string;
}

export interface GatewayServiceProps {
  readonly vpc: IVpc;
  readonly vpcCidr: string;
  /** Subnets of the internal load balancer, in at least two availability zones. */
  readonly loadBalancerSubnets: readonly ISubnet[];
  /** The gateway image (the repository's Dockerfile, as an asset). */
  readonly image: ContainerImage;
  /** The operators served by containers (egress mode `cidr`); static-IP ones join through `addInstanceRoute`. */
  readonly operators: readonly GatewayServiceOperator[];
  /**
   * The port the gateway listens on (the config's `gateway.listen.port`).
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * Tasks per operator.
   * @default 2
   */
  readonly desiredCountPerOperator?: number;
  /**
   * @default 512
   */
  readonly cpu?: number;
  /**
   * @default 1024
   */
  readonly memoryLimitMiB?: number;
  /**
   * A certificate for an HTTPS listener on 443; without it the internal listener is HTTP on 80.
   * @default - HTTP on port 80, reachable only from inside the VPC
   */
  readonly certificateArn?: string;
  /**
   * How long container logs are kept.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
  /**
   * How long load balancer access logs are kept, in days.
   * @default 365
   */
  readonly accessLogExpirationDays?: number;
}

/** The path prefix the load balancer routes to an operator's gateway. */
export function operatorPathPatterns(operatorId: string): string[] {
  return [`/operators/${operatorId}`, `/operators/${operatorId}/*`];
}

/**
 * The gateway on ECS Fargate: one service per operator, running in that operator's subnets (so its
 * traffic leaves from the whitelisted range), behind one internal load balancer with a path rule per
 * operator. Health checks hit `/healthz`.
 */
export class GatewayService extends Construct {
  readonly cluster: Cluster;
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly listener: ApplicationListener;
  readonly loadBalancerSecurityGroup: SecurityGroup;
  readonly accessLogBucket: Bucket;
  readonly services: ReadonlyMap<string, FargateService>;
  readonly containerPort: number;
  private nextPriority = 1;

  constructor(scope: Construct, id: string, props: GatewayServiceProps) {
    super(scope, id);
    const port = props.containerPort ?? 8080;
    this.containerPort = port;

    this.cluster = new Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });

    this.accessLogBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED, // the only encryption ALB log delivery supports
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogExpirationDays ?? 365) }],
    });

    this.loadBalancerSecurityGroup = new SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: 'mnogate internal load balancer: from inside the VPC, to the gateway tasks',
    });
    this.loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: false,
      vpcSubnets: { subnets: [...props.loadBalancerSubnets] },
      securityGroup: this.loadBalancerSecurityGroup,
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(this.accessLogBucket, 'alb');

    const https = props.certificateArn !== undefined;
    const listenerPort = https ? 443 : 80;
    this.loadBalancerSecurityGroup.addIngressRule(
      Peer.ipv4(props.vpcCidr),
      Port.tcp(listenerPort),
      'gateway clients inside the VPC',
    );
    this.listener = this.loadBalancer.addListener('Listener', {
      port: listenerPort,
      protocol: https ? ApplicationProtocol.HTTPS : ApplicationProtocol.HTTP,
      ...(https
        ? { certificates: [{ certificateArn: props.certificateArn! }], sslPolicy: SslPolicy.RECOMMENDED_TLS }
        : {}),
      open: false,
      defaultAction: ListenerAction.fixedResponse(404, {
        contentType: 'text/plain',
        messageBody: 'no such operator',
      }),
    });

    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const services = new Map<string, FargateService>();
    for (const op of props.operators) {
      const name = pascalId(op.operatorId);
      const taskDefinition = new FargateTaskDefinition(this, `${name}Task`, {
        cpu: props.cpu ?? 512,
        memoryLimitMiB: props.memoryLimitMiB ?? 1024,
        taskRole: op.taskRole,
      });
      taskDefinition.addContainer('gateway', {
        image: props.image,
        portMappings: [{ containerPort: port }],
        logging: LogDrivers.awsLogs({ streamPrefix: op.operatorId, logGroup }),
        environment: {
          MNOGATE_OPERATOR_ID: op.operatorId,
          MNOGATE_SUBNET_PARAMETER: op.subnetParameterName,
          // the gateway writes the dashboard's metrics as EMF lines; awslogs ships them
          MNOGATE_CLOUDWATCH_NAMESPACE: GATEWAY_METRICS.namespace,
        },
      });
      const service = new FargateService(this, `${name}Service`, {
        cluster: this.cluster,
        taskDefinition,
        desiredCount: props.desiredCountPerOperator ?? 2,
        vpcSubnets: { subnets: [...op.subnets] },
        securityGroups: [...op.securityGroups],
        assignPublicIp: false,
        circuitBreaker: { rollback: true },
        minHealthyPercent: 100,
      });
      this.listener.addTargets(`${name}Targets`, {
        priority: this.nextPriority++,
        conditions: [ListenerCondition.pathPatterns(operatorPathPatterns(op.operatorId))],
        port,
        protocol: ApplicationProtocol.HTTP,
        targets: [service],
        healthCheck: { path: '/healthz', healthyHttpCodes: '200' },
        deregistrationDelay: Duration.seconds(30),
      });
      services.set(op.operatorId, service);
    }
    this.services = services;
  }

  /** Routes an operator's path to a target outside ECS (a static-IP operator's instance). */
  addInstanceRoute(
    operatorId: string,
    target: IApplicationLoadBalancerTarget,
    targetSecurityGroup: ISecurityGroup,
  ): void {
    this.listener.addTargets(`${pascalId(operatorId)}Targets`, {
      priority: this.nextPriority++,
      conditions: [ListenerCondition.pathPatterns(operatorPathPatterns(operatorId))],
      port: this.containerPort,
      protocol: ApplicationProtocol.HTTP,
      targets: [target],
      healthCheck: { path: '/healthz', healthyHttpCodes: '200' },
      deregistrationDelay: Duration.seconds(30),
    });
    this.loadBalancerSecurityGroup.connections.allowTo(
      targetSecurityGroup,
      Port.tcp(this.containerPort),
      `${operatorId} gateway instance`,
    );
  }
}
