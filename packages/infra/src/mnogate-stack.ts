import type { MnogateConfig, OperatorConfig } from '@mnogate/core';
import { planAddresses } from '@mnogate/network';
import { Stack, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import { InstanceTarget } from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AwsApiEndpoints } from './aws-api-endpoints.js';
import { GatewayImage } from './gateway-image.js';
import { GatewayService } from './gateway-service.js';
import { MnoVpc } from './mno-vpc.js';
import { acknowledgeNagFindings } from './nag-acknowledgements.js';
import { NonprodShare } from './nonprod-share.js';
import { OperatorNetwork } from './operator-network.js';
import { OperatorRole } from './operator-role.js';
import { OperatorSecrets } from './operator-secrets.js';
import { OperatorSubnetParameter } from './operator-subnet-parameter.js';
import { OperatorVpn } from './operator-vpn.js';
import { GATEWAY_METRICS, OpsDashboard } from './ops-dashboard.js';
import { type AddressPlan, pascalId } from './plan.js';
import { StaticIpGateway } from './static-ip-gateway.js';
import { TunnelAlarms } from './tunnel-alarms.js';
import { chooseVpnHub, VpnHub } from './vpn-hub.js';

export interface MnogateStackProps extends StackProps {
  /** The parsed and validated `mnogate.yaml`. */
  readonly config: MnogateConfig;
  /**
   * The address plan.
   * @default planAddresses(config) from @mnogate/network
   */
  readonly plan?: AddressPlan;
  /**
   * The Docker build context of the gateway image.
   * @default the repository root (its Dockerfile)
   */
  readonly imageDirectory?: string;
  /**
   * A certificate for the internal load balancer's HTTPS listener.
   * @default - HTTP on port 80 inside the VPC
   */
  readonly certificateArn?: string;
}

/** Everything built for one operator. */
export interface OperatorResources {
  readonly config: OperatorConfig;
  readonly secrets: OperatorSecrets;
  readonly network: OperatorNetwork;
  readonly subnetParameter: OperatorSubnetParameter;
  readonly role: OperatorRole;
  readonly vpn?: OperatorVpn;
  readonly alarms?: TunnelAlarms;
  readonly staticIpGateway?: StaticIpGateway;
}

/** The whole cloud side of a mnogate configuration, in one stack. */
export class MnogateStack extends Stack {
  readonly plan: AddressPlan;
  readonly network: MnoVpc;
  readonly hub: VpnHub;
  readonly endpoints: AwsApiEndpoints;
  readonly alarmTopic: Topic;
  readonly operators: ReadonlyMap<string, OperatorResources>;
  readonly gatewayService: GatewayService;
  readonly dashboard: OpsDashboard;
  readonly share?: NonprodShare;

  constructor(scope: Construct, id: string, props: MnogateStackProps) {
    super(scope, id, props);
    const { config } = props;
    const plan = props.plan ?? planAddresses(config);
    this.plan = plan;
    const port = config.gateway.listen.port || 8080;

    this.network = new MnoVpc(this, 'Network', { plan });
    const vpnOperators = config.operators.filter((o) => o.vpn);
    this.hub = new VpnHub(this, 'VpnHub', {
      vpcId: this.network.cfnVpc.ref,
      kind: chooseVpnHub(config.network.vpnHub, vpnOperators.length),
      amazonSideAsn: config.network.amazonSideAsn,
      propagateToRouteTables: vpnOperators
        .filter((o) => o.vpn?.routing === 'bgp')
        .map((o) => this.network.operator(o.id).routeTable),
      attachmentSubnets: this.network.privateSubnets,
    });
    this.endpoints = new AwsApiEndpoints(this, 'AwsApiEndpoints', {
      vpc: this.network.vpc,
      vpcCidr: plan.vpcCidr,
      subnets: this.network.privateSubnets,
      routeTables: [
        ...this.network.privateRouteTables,
        ...[...this.network.operatorSubnets.values()].map((o) => o.routeTable),
      ],
    });
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'mnogate alarms',
      masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    const alarmAction = new SnsAction(this.alarmTopic);
    const image = new GatewayImage(this, 'GatewayImage', {
      ...(props.imageDirectory ? { directory: props.imageDirectory } : {}),
    });

    // the gateway's tunnel monitor on CloudWatch reads every monitored operator's TunnelState, so
    // each gateway's role may; ListMetrics only when a connection's outside IPs are not pinned
    const cloudwatchMonitor = config.gateway.tunnelMonitor?.cloudwatch;
    const tunnelStateRead = cloudwatchMonitor
      ? {
          discover: Object.keys(cloudwatchMonitor.vpnConnections).some(
            (id) => !cloudwatchMonitor.tunnelOutsideIps[id],
          ),
        }
      : undefined;

    const operators = new Map<string, OperatorResources>();
    for (const op of config.operators) {
      const scope = new Construct(this, `Operator${pascalId(op.id)}`);
      const subnets = this.network.operator(op.id);
      const secrets = new OperatorSecrets(scope, 'Secrets', { operator: op });
      const network = new OperatorNetwork(scope, 'Network', {
        vpc: this.network.vpc,
        vpcCidr: plan.vpcCidr,
        subnets,
        servicePort: port,
      });
      const subnetParameter = new OperatorSubnetParameter(scope, 'SubnetParameter', { subnets });
      const role = new OperatorRole(scope, 'Access', {
        operatorId: op.id,
        assumedBy: new ServicePrincipal(
          subnets.plan.egressMode === 'static-ip' ? 'ec2.amazonaws.com' : 'ecs-tasks.amazonaws.com',
        ),
        secrets: secrets.apiSecrets,
        parameter: subnetParameter.parameter,
        metricsNamespace: GATEWAY_METRICS.namespace,
        ...(tunnelStateRead ? { tunnelStateRead } : {}),
      });
      let vpn: OperatorVpn | undefined;
      let alarms: TunnelAlarms | undefined;
      if (op.vpn) {
        vpn = new OperatorVpn(scope, 'Vpn', {
          operator: op,
          hub: this.hub,
          secrets,
          routeTable: subnets.routeTable,
        });
        alarms = new TunnelAlarms(scope, 'TunnelAlarms', {
          operatorId: op.id,
          connection: vpn.connection,
          alarmAction,
        });
      }
      let staticIpGateway: StaticIpGateway | undefined;
      if (subnets.plan.pattern === 'instance-eip') {
        staticIpGateway = new StaticIpGateway(scope, 'Gateway', {
          vpc: this.network.vpc,
          subnets,
          securityGroups: [network.securityGroup, this.endpoints.clientSecurityGroup],
          role: role.role,
          image: image.asset,
          containerPort: port,
        });
      }
      operators.set(op.id, {
        config: op,
        secrets,
        network,
        subnetParameter,
        role,
        ...(vpn ? { vpn } : {}),
        ...(alarms ? { alarms } : {}),
        ...(staticIpGateway ? { staticIpGateway } : {}),
      });
    }
    this.operators = operators;

    this.gatewayService = new GatewayService(this, 'Gateway', {
      vpc: this.network.vpc,
      vpcCidr: plan.vpcCidr,
      loadBalancerSubnets: this.network.privateSubnets,
      image: ContainerImage.fromDockerImageAsset(image.asset),
      containerPort: port,
      ...(props.certificateArn ? { certificateArn: props.certificateArn } : {}),
      operators: [...operators.values()]
        .filter((o) => !o.staticIpGateway)
        .map((o) => ({
          operatorId: o.config.id,
          subnets: this.network.operator(o.config.id).subnets,
          securityGroups: [o.network.securityGroup, this.endpoints.clientSecurityGroup],
          taskRole: o.role.role,
          subnetParameterName: o.subnetParameter.parameter.parameterName,
        })),
    });
    for (const o of operators.values()) {
      if (!o.staticIpGateway) continue;
      this.gatewayService.addInstanceRoute(
        o.config.id,
        new InstanceTarget(o.staticIpGateway.instance, port),
        o.staticIpGateway.securityGroup,
      );
    }

    this.dashboard = new OpsDashboard(this, 'Dashboard', {
      operators: [...operators.values()].map((o) => ({
        operatorId: o.config.id,
        ...(o.vpn ? { connection: o.vpn.connection } : {}),
      })),
    });

    if (config.network.shareWithAccounts.length > 0) {
      this.share = new NonprodShare(this, 'NonprodShare', {
        subnets: [...this.network.operatorSubnets.values()].flatMap((o) => o.subnets),
        accountIds: config.network.shareWithAccounts,
      });
    }

    acknowledgeNagFindings(this);
  }
}
