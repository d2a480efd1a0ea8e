import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import {
  CfnInternetGateway,
  CfnRoute,
  CfnRouteTable,
  CfnSubnet,
  CfnSubnetRouteTableAssociation,
  CfnVPC,
  CfnVPCGatewayAttachment,
  FlowLog,
  FlowLogDestination,
  FlowLogResourceType,
  FlowLogTrafficType,
  type ISubnet,
  type IVpc,
  Subnet,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type AddressPlan, type OperatorPlan, type PlannedSubnet, pascalId } from './plan.js';

export interface MnoVpcProps {
  /** The address plan: the VPC CIDR and every subnet, each in its availability zone. */
  readonly plan: AddressPlan;
  /**
   * How long VPC flow logs are kept.
   * @default RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: RetentionDays;
  /**
   * Which traffic the flow logs record.
   * @default FlowLogTrafficType.ALL
   */
  readonly flowLogTrafficType?: FlowLogTrafficType;
  /**
   * What happens to the flow log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN (flow logs are evidence)
   */
  readonly flowLogRemovalPolicy?: RemovalPolicy;
}

/** One operator's AWS subnets and the route table they share. */
export interface OperatorSubnets {
  readonly plan: OperatorPlan;
  readonly subnets: readonly ISubnet[];
  readonly cfnSubnets: readonly CfnSubnet[];
  readonly routeTable: CfnRouteTable;
}

/**
 * The VPC with exactly the planned subnets: public (internet gateway), private (load balancer,
 * VPC endpoints, transit gateway attachment) and one group per operator with its own route table.
 * L1 subnets are used because the planned CIDRs are not what the L2 `Vpc` would allocate, and an
 * operator's subnet may span fewer zones than the others. No NAT gateway: AWS APIs are reached
 * through VPC endpoints, operators through the VPN hub.
 */
export class MnoVpc extends Construct {
  readonly cfnVpc: CfnVPC;
  /** The VPC as an L2 reference, for L2 constructs placed in explicit subnets. */
  readonly vpc: IVpc;
  readonly vpcCidr: string;
  readonly internetGatewayAttachment: CfnVPCGatewayAttachment;
  readonly publicSubnets: readonly ISubnet[];
  readonly privateSubnets: readonly ISubnet[];
  readonly privateRouteTables: readonly CfnRouteTable[];
  readonly operatorSubnets: ReadonlyMap<string, OperatorSubnets>;
  readonly flowLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: MnoVpcProps) {
    super(scope, id);
    const { plan } = props;
    this.vpcCidr = plan.vpcCidr;
    const azs = Array.from({ length: plan.azCount }, (_, i) => Fn.select(i, Fn.getAzs()));
    const azOf = (s: PlannedSubnet) => Fn.select(s.az, Fn.getAzs());

    this.cfnVpc = new CfnVPC(this, 'Vpc', {
      cidrBlock: plan.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
    });
    const vpcId = this.cfnVpc.ref;

    const igw = new CfnInternetGateway(this, 'InternetGateway');
    this.internetGatewayAttachment = new CfnVPCGatewayAttachment(this, 'InternetGatewayAttachment', {
      vpcId,
      internetGatewayId: igw.ref,
    });

    const makeSubnet = (idPrefix: string, s: PlannedSubnet, routeTable: CfnRouteTable) => {
      const cfn = new CfnSubnet(this, `${idPrefix}Az${s.az}`, {
        vpcId,
        cidrBlock: s.cidr,
        availabilityZone: azOf(s),
        mapPublicIpOnLaunch: false,
      });
      new CfnSubnetRouteTableAssociation(this, `${idPrefix}Az${s.az}RouteTableAssociation`, {
        subnetId: cfn.ref,
        routeTableId: routeTable.ref,
      });
      const l2 = Subnet.fromSubnetAttributes(this, `${idPrefix}Az${s.az}Ref`, {
        subnetId: cfn.ref,
        availabilityZone: azOf(s),
        routeTableId: routeTable.ref,
        ipv4CidrBlock: s.cidr,
      });
      return { cfn, l2 };
    };

    const publicRouteTable = new CfnRouteTable(this, 'PublicRouteTable', { vpcId });
    const publicDefault = new CfnRoute(this, 'PublicDefaultRoute', {
      routeTableId: publicRouteTable.ref,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw.ref,
    });
    publicDefault.addResourceDependency(this.internetGatewayAttachment);
    this.publicSubnets = plan.public.map((s) => makeSubnet('Public', s, publicRouteTable).l2);

    const privateRouteTables: CfnRouteTable[] = [];
    this.privateSubnets = plan.private.map((s) => {
      const rt = new CfnRouteTable(this, `PrivateAz${s.az}RouteTable`, { vpcId });
      privateRouteTables.push(rt);
      return makeSubnet('Private', s, rt).l2;
    });
    this.privateRouteTables = privateRouteTables;

    const operatorSubnets = new Map<string, OperatorSubnets>();
    for (const op of plan.operators) {
      const name = `Operator${pascalId(op.operatorId)}`;
      const routeTable = new CfnRouteTable(this, `${name}RouteTable`, { vpcId });
      if (op.egressMode === 'static-ip') {
        // the instance's Elastic IP is its public identity: its subnet routes to the internet gateway
        const route = new CfnRoute(this, `${name}DefaultRoute`, {
          routeTableId: routeTable.ref,
          destinationCidrBlock: '0.0.0.0/0',
          gatewayId: igw.ref,
        });
        route.addResourceDependency(this.internetGatewayAttachment);
      }
      const made = op.azSubnets.map((s) => makeSubnet(name, s, routeTable));
      operatorSubnets.set(op.operatorId, {
        plan: op,
        subnets: made.map((m) => m.l2),
        cfnSubnets: made.map((m) => m.cfn),
        routeTable,
      });
    }
    this.operatorSubnets = operatorSubnets;

    this.vpc = Vpc.fromVpcAttributes(this, 'VpcRef', {
      vpcId,
      vpcCidrBlock: plan.vpcCidr,
      availabilityZones: azs,
      publicSubnetIds: this.publicSubnets.map((s) => s.subnetId),
      publicSubnetRouteTableIds: this.publicSubnets.map(() => publicRouteTable.ref),
      isolatedSubnetIds: this.privateSubnets.map((s) => s.subnetId),
      isolatedSubnetRouteTableIds: privateRouteTables.map((rt) => rt.ref),
    });

    this.flowLogGroup = new LogGroup(this, 'FlowLogGroup', {
      retention: props.flowLogRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: props.flowLogRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    new FlowLog(this, 'FlowLog', {
      resourceType: FlowLogResourceType.fromVpc(this.vpc),
      destination: FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: props.flowLogTrafficType ?? FlowLogTrafficType.ALL,
    });
  }

  /** An operator's subnets; throws for an operator the plan does not hold. */
  operator(operatorId: string): OperatorSubnets {
    const found = this.operatorSubnets.get(operatorId);
    if (!found) throw new Error(`operator ${operatorId} is not in the address plan`);
    return found;
  }
}
