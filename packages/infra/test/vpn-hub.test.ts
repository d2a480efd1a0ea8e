import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MnogateConfig } from '@mnogate/core';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { chooseVpnHub, VGW_MAX_VPN_CONNECTIONS } from '../src/index.js';
import {
  buildStack,
  idsOf,
  loadAwsExample,
  manyOperatorsConfig,
  oneOf,
  removeBuiltStacks,
  type TemplateJson,
} from './helpers/stacks.js';

describe('chooseVpnHub', () => {
  it('GIVEN auto WHEN there are up to 10 VPN connections THEN a VGW, from 11 a TGW', () => {
    assert.equal(VGW_MAX_VPN_CONNECTIONS, 10);
    assert.equal(chooseVpnHub('auto', 4), 'vgw');
    assert.equal(chooseVpnHub('auto', 10), 'vgw');
    assert.equal(chooseVpnHub('auto', 11), 'tgw');
  });

  it('GIVEN an explicit hub WHEN chosen THEN the config wins over the count', () => {
    assert.equal(chooseVpnHub('tgw', 1), 'tgw');
    assert.equal(chooseVpnHub('vgw', 4), 'vgw');
  });
});

describe('MnogateStack with 11 operators and vpnHub auto (a VGW takes only 10)', () => {
  let config: MnogateConfig;
  let template: Template;
  let json: TemplateJson;
  let annotations: Annotations;

  after(removeBuiltStacks);

  before(() => {
    // GIVEN a config with 11 operators, generated from the example's first one
    config = manyOperatorsConfig(11);
    assert.equal(config.network.vpnHub, 'auto');
    // WHEN it is built
    const { stack } = buildStack(config);
    annotations = Annotations.fromStack(stack);
    template = Template.fromStack(stack);
    json = template.toJSON() as TemplateJson;
  });

  it('THEN the hub is a transit gateway with the configured Amazon-side ASN, and there is no VGW', () => {
    template.resourceCountIs('AWS::EC2::VPNGateway', 0);
    template.resourceCountIs('AWS::EC2::TransitGateway', 1);
    template.hasResourceProperties('AWS::EC2::TransitGateway', {
      AmazonSideAsn: config.network.amazonSideAsn,
      DefaultRouteTableAssociation: 'enable',
      DefaultRouteTablePropagation: 'enable',
      VpnEcmpSupport: 'enable',
      AutoAcceptSharedAttachments: 'disable',
    });
  });

  it('THEN the VPC attaches to the TGW in one private subnet per zone', () => {
    const tgw = oneOf(json, 'AWS::EC2::TransitGateway', 'VpnHub').id;
    const private0 = oneOf(json, 'AWS::EC2::Subnet', 'NetworkPrivateAz0').id;
    const private1 = oneOf(json, 'AWS::EC2::Subnet', 'NetworkPrivateAz1').id;
    template.hasResourceProperties('AWS::EC2::TransitGatewayAttachment', {
      TransitGatewayId: { Ref: tgw },
      SubnetIds: [{ Ref: private0 }, { Ref: private1 }],
    });
  });

  it('THEN all 11 VPN connections terminate on the TGW, with two alarms each', () => {
    const tgw = oneOf(json, 'AWS::EC2::TransitGateway', 'VpnHub').id;
    template.resourceCountIs('AWS::EC2::VPNConnection', 11);
    template.allResourcesProperties('AWS::EC2::VPNConnection', {
      TransitGatewayId: { Ref: tgw },
      VpnGatewayId: Match.absent(),
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 22);
  });

  it('THEN operator route tables reach remote CIDRs through the TGW once it is attached', () => {
    const tgw = oneOf(json, 'AWS::EC2::TransitGateway', 'VpnHub').id;
    const attachment = oneOf(json, 'AWS::EC2::TransitGatewayAttachment', 'VpnHub').id;
    const rt = oneOf(json, 'AWS::EC2::RouteTable', 'NetworkOperatorOp11RouteTable').id;
    template.hasResource('AWS::EC2::Route', {
      Properties: {
        RouteTableId: { Ref: rt },
        DestinationCidrBlock: '10.111.0.0/24',
        TransitGatewayId: { Ref: tgw },
      },
      DependsOn: Match.arrayWith([attachment]),
    });
  });

  it("THEN static routes go into the TGW route table against each VPN's looked-up attachment, not VPNConnectionRoute", () => {
    template.resourceCountIs('AWS::EC2::VPNConnectionRoute', 0);
    template.resourceCountIs('AWS::EC2::TransitGatewayRoute', 11);
    const lookup = oneOf(json, 'Custom::AWS', 'OperatorOp01VpnTgwAttachmentLookup').id;
    template.hasResourceProperties('AWS::EC2::TransitGatewayRoute', {
      DestinationCidrBlock: '10.101.0.0/24',
      TransitGatewayAttachmentId: {
        'Fn::GetAtt': [lookup, 'TransitGatewayAttachments.0.TransitGatewayAttachmentId'],
      },
      TransitGatewayRouteTableId: {
        'Fn::GetAtt': [lookup, 'TransitGatewayAttachments.0.Association.TransitGatewayRouteTableId'],
      },
    });
    const conn = oneOf(json, 'AWS::EC2::VPNConnection', 'OperatorOp01Vpn').id;
    const create = JSON.stringify(json.Resources[lookup]!.Properties);
    assert.ok(create.includes(conn), 'the lookup filters on this VPN connection');
    assert.ok(create.includes('describeTransitGatewayAttachments'));
  });

  it('THEN cdk-nag AwsSolutions reports no unacknowledged error (the lookup function is acknowledged)', () => {
    const errors = annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    assert.deepEqual(
      errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 80)}`),
      [],
    );
  });
});

describe("MnogateStack for the aws example with vpnHub 'tgw'", () => {
  let template: Template;
  let json: TemplateJson;

  after(removeBuiltStacks);

  before(() => {
    // GIVEN the four-operator example, asking for a transit gateway WHEN it is built
    const config = loadAwsExample();
    const tgwConfig = {
      ...config,
      network: { ...config.network, vpnHub: 'tgw' as const, amazonSideAsn: 64700 },
    };
    template = Template.fromStack(buildStack(tgwConfig).stack);
    json = template.toJSON() as TemplateJson;
  });

  it('THEN a TGW with the configured ASN replaces the VGW even below the VGW limit', () => {
    template.resourceCountIs('AWS::EC2::VPNGateway', 0);
    template.hasResourceProperties('AWS::EC2::TransitGateway', { AmazonSideAsn: 64700 });
    template.resourceCountIs('AWS::EC2::VPNConnection', 4);
  });

  it('THEN only static operators get TGW static routes; the BGP one (roshan) relies on propagation', () => {
    template.resourceCountIs('AWS::EC2::TransitGatewayRoute', 3);
    assert.deepEqual(idsOf(json, 'Custom::AWS', 'OperatorRoshan'), []);
    const roshan = oneOf(json, 'AWS::EC2::VPNConnection', 'OperatorRoshanVpn').resource;
    assert.equal(roshan.Properties.StaticRoutesOnly, false);
    template.resourceCountIs('AWS::EC2::VPNGatewayRoutePropagation', 0);
  });
});
