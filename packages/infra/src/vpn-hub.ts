import {
  CfnRoute,
  type CfnRouteTable,
  CfnTransitGateway,
  CfnTransitGatewayAttachment,
  CfnVPCGatewayAttachment,
  CfnVPNGateway,
  CfnVPNGatewayRoutePropagation,
  type ISubnet,
} from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export type VpnHubKind = 'vgw' | 'tgw';

/** A virtual private gateway accepts at most this many VPN connections. */
export const VGW_MAX_VPN_CONNECTIONS = 10;

/** The hub for a config's `network.vpnHub`: `auto` picks a transit gateway above a VGW's limit. */
export function chooseVpnHub(setting: 'vgw' | 'tgw' | 'auto', vpnConnectionCount: number): VpnHubKind {
  if (setting !== 'auto') return setting;
  return vpnConnectionCount > VGW_MAX_VPN_CONNECTIONS ? 'tgw' : 'vgw';
}

export interface VpnHubProps {
  readonly vpcId: string;
  /** A virtual private gateway or a transit gateway. */
  readonly kind: VpnHubKind;
  /**
   * The Amazon-side BGP ASN of the gateway (the config's `network.amazonSideAsn`), never a
   * customer's ASN.
   * @default 64512
   */
  readonly amazonSideAsn?: number;
  /**
   * Route tables the VGW propagates its routes into (operators routed by BGP, whose prefixes are
   * not known in advance). Ignored for a transit gateway, whose VPC route tables cannot propagate.
   * @default - none
   */
  readonly propagateToRouteTables?: readonly CfnRouteTable[];
  /**
   * Subnets of the transit gateway's VPC attachment, one per availability zone. Required for a
   * transit gateway, ignored for a VGW.
   * @default - none
   */
  readonly attachmentSubnets?: readonly ISubnet[];
}

/**
 * The VPN hub every operator's connection terminates on: a VGW attached to the VPC, or a transit
 * gateway with a VPC attachment whose default route table associates and propagates every
 * attachment (so BGP routes and the VPC's CIDR propagate without extra resources).
 */
export class VpnHub extends Construct {
  readonly kind: VpnHubKind;
  readonly vpnGateway?: CfnVPNGateway;
  readonly transitGateway?: CfnTransitGateway;
  /** What routes through the hub must wait for. */
  readonly attachment: CfnVPCGatewayAttachment | CfnTransitGatewayAttachment;

  constructor(scope: Construct, id: string, props: VpnHubProps) {
    super(scope, id);
    this.kind = props.kind;
    const amazonSideAsn = props.amazonSideAsn ?? 64512;
    if (props.kind === 'vgw') {
      this.vpnGateway = new CfnVPNGateway(this, 'VpnGateway', { type: 'ipsec.1', amazonSideAsn });
      this.attachment = new CfnVPCGatewayAttachment(this, 'VpnGatewayAttachment', {
        vpcId: props.vpcId,
        vpnGatewayId: this.vpnGateway.ref,
      });
      const tables = props.propagateToRouteTables ?? [];
      if (tables.length > 0) {
        const propagation = new CfnVPNGatewayRoutePropagation(this, 'RoutePropagation', {
          vpnGatewayId: this.vpnGateway.ref,
          routeTableIds: tables.map((t) => t.ref),
        });
        propagation.addResourceDependency(this.attachment);
      }
    } else {
      const subnets = props.attachmentSubnets ?? [];
      if (subnets.length === 0) throw new Error('a transit gateway hub needs attachmentSubnets');
      this.transitGateway = new CfnTransitGateway(this, 'TransitGateway', {
        amazonSideAsn,
        description: 'mnogate operator VPN hub',
        autoAcceptSharedAttachments: 'disable',
        defaultRouteTableAssociation: 'enable',
        defaultRouteTablePropagation: 'enable',
        dnsSupport: 'enable',
        vpnEcmpSupport: 'enable',
      });
      this.attachment = new CfnTransitGatewayAttachment(this, 'VpcAttachment', {
        transitGatewayId: this.transitGateway.ref,
        vpcId: props.vpcId,
        subnetIds: subnets.map((s) => s.subnetId),
      });
    }
  }

  /** The hub side of a `CfnVPNConnection`. */
  get connectionTarget(): { vpnGatewayId: string } | { transitGatewayId: string } {
    return this.vpnGateway
      ? { vpnGatewayId: this.vpnGateway.ref }
      : { transitGatewayId: this.transitGateway!.ref };
  }

  /** A VPC route to `destinationCidrBlock` through the hub, created after the hub is attached. */
  addRoute(scope: Construct, id: string, routeTable: CfnRouteTable, destinationCidrBlock: string): CfnRoute {
    const route = new CfnRoute(scope, id, {
      routeTableId: routeTable.ref,
      destinationCidrBlock,
      ...(this.vpnGateway
        ? { gatewayId: this.vpnGateway.ref }
        : { transitGatewayId: this.transitGateway!.ref }),
    });
    route.addResourceDependency(this.attachment);
    return route;
  }
}
