import type { OperatorConfig, TunnelConfig } from '@mnogate/core';
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  CfnCustomerGateway,
  type CfnRouteTable,
  CfnTransitGatewayRoute,
  CfnVPNConnection,
  CfnVPNConnectionRoute,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { OperatorSecrets } from './operator-secrets.js';
import type { VpnHub } from './vpn-hub.js';

export interface OperatorVpnProps {
  /** The operator; its `vpn` section must be present. */
  readonly operator: OperatorConfig;
  readonly hub: VpnHub;
  /** Where the tunnels' pre-shared keys live. */
  readonly secrets: OperatorSecrets;
  /** The operator subnets' route table, which gets a route to each remote CIDR through the hub. */
  readonly routeTable: CfnRouteTable;
  /**
   * How long tunnel logs are kept.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly tunnelLogRetention?: RetentionDays;
  /**
   * Format of the tunnel logs AWS writes.
   * @default 'json'
   */
  readonly tunnelLogFormat?: 'json' | 'text';
}

/**
 * One operator's site-to-site VPN: its customer gateway, a `CfnVPNConnection` with every option of
 * both tunnels, static routes or BGP, and the VPC routes to its remote CIDRs. L1 resources on
 * purpose: the L2 `VpnConnection` lacks most tunnel options and, when it creates the VGW, passes
 * the customer's ASN as the Amazon-side ASN.
 */
export class OperatorVpn extends Construct {
  readonly customerGateway: CfnCustomerGateway;
  readonly connection: CfnVPNConnection;
  readonly tunnelLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: OperatorVpnProps) {
    super(scope, id);
    const op = props.operator;
    const vpn = op.vpn;
    if (!vpn) throw new Error(`operator ${op.id} has no vpn section`);
    const isStatic = vpn.routing === 'static';

    this.customerGateway = new CfnCustomerGateway(this, 'CustomerGateway', {
      type: 'ipsec.1',
      ipAddress: vpn.peerIp,
      bgpAsn: vpn.peerAsn,
      tags: [{ key: 'Name', value: `mnogate-${op.id}` }],
    });

    this.tunnelLogGroup = new LogGroup(this, 'TunnelLogs', {
      retention: props.tunnelLogRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logFormat = props.tunnelLogFormat ?? 'json';

    const tunnel = (t: TunnelConfig): CfnVPNConnection.VpnTunnelOptionsSpecificationProperty => ({
      tunnelInsideCidr: t.insideCidr,
      preSharedKey: props.secrets.dynamicReference(t.preSharedKey),
      ikeVersions: t.ikeVersions.map((value) => ({ value })),
      phase1EncryptionAlgorithms: t.phase1.encryption.map((value) => ({ value })),
      phase1IntegrityAlgorithms: t.phase1.integrity.map((value) => ({ value })),
      phase1DhGroupNumbers: t.phase1.dhGroups.map((value) => ({ value })),
      phase1LifetimeSeconds: t.phase1.lifetimeSeconds,
      phase2EncryptionAlgorithms: t.phase2.encryption.map((value) => ({ value })),
      phase2IntegrityAlgorithms: t.phase2.integrity.map((value) => ({ value })),
      phase2DhGroupNumbers: t.phase2.dhGroups.map((value) => ({ value })),
      phase2LifetimeSeconds: t.phase2.lifetimeSeconds,
      rekeyMarginTimeSeconds: t.rekeyMarginTimeSeconds,
      dpdTimeoutSeconds: t.dpdTimeoutSeconds,
      dpdTimeoutAction: t.dpdTimeoutAction,
      startupAction: t.startupAction,
      logOptions: {
        cloudwatchLogOptions: t.logging
          ? { logEnabled: true, logGroupArn: this.tunnelLogGroup.logGroupArn, logOutputFormat: logFormat }
          : { logEnabled: false },
      },
    });

    this.connection = new CfnVPNConnection(this, 'Connection', {
      type: 'ipsec.1',
      customerGatewayId: this.customerGateway.ref,
      ...props.hub.connectionTarget,
      staticRoutesOnly: isStatic,
      vpnTunnelOptionsSpecifications: vpn.tunnels.map(tunnel),
      tags: [{ key: 'Name', value: `mnogate-${op.id}` }],
    });
    // the keys are dynamic references: the named secrets must exist before the connection
    for (const secret of props.secrets.preSharedKeySecrets.values())
      this.connection.node.addDependency(secret);
    this.connection.addResourceDependency(props.hub.attachment);

    if (isStatic) this.addStaticRoutes(props.hub, vpn.remoteCidrs);
    vpn.remoteCidrs.forEach((cidr, i) => {
      props.hub.addRoute(this, `RouteToRemote${i}`, props.routeTable, cidr);
    });
  }

  private addStaticRoutes(hub: VpnHub, remoteCidrs: readonly string[]): void {
    if (hub.kind === 'vgw') {
      remoteCidrs.forEach((cidr, i) => {
        new CfnVPNConnectionRoute(this, `StaticRoute${i}`, {
          vpnConnectionId: this.connection.ref,
          destinationCidrBlock: cidr,
        });
      });
      return;
    }
    // On a transit gateway a static VPN's routes go into the TGW route table, against the VPN's
    // attachment, whose id CloudFormation does not return: look it (and its route table) up.
    const lookup = new AwsCustomResource(this, 'TgwAttachmentLookup', {
      onUpdate: {
        service: 'EC2',
        action: 'describeTransitGatewayAttachments',
        parameters: {
          Filters: [
            { Name: 'resource-id', Values: [this.connection.ref] },
            { Name: 'resource-type', Values: ['vpn'] },
          ],
        },
        physicalResourceId: PhysicalResourceId.of(this.connection.ref),
        outputPaths: [
          'TransitGatewayAttachments.0.TransitGatewayAttachmentId',
          'TransitGatewayAttachments.0.Association.TransitGatewayRouteTableId',
        ],
      },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    remoteCidrs.forEach((cidr, i) => {
      new CfnTransitGatewayRoute(this, `TgwStaticRoute${i}`, {
        destinationCidrBlock: cidr,
        transitGatewayAttachmentId: lookup.getResponseField(
          'TransitGatewayAttachments.0.TransitGatewayAttachmentId',
        ),
        transitGatewayRouteTableId: lookup.getResponseField(
          'TransitGatewayAttachments.0.Association.TransitGatewayRouteTableId',
        ),
      });
    });
  }
}
