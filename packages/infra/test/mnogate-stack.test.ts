import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MnogateConfig, ssmSubnetParameterName } from '@mnogate/core';
import { planAddresses } from '@mnogate/network';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { MnogateStack } from '../src/index.js';
import { GATEWAY_METRICS } from '../src/ops-dashboard.js';
import {
  buildStack,
  type Cfn,
  idsOf,
  loadAwsExample,
  oneOf,
  refsIn,
  removeBuiltStacks,
  type TemplateJson,
} from './helpers/stacks.js';

describe('MnogateStack from examples/aws/mnogate.yaml (VGW, four operators, one static-IP)', () => {
  let config: MnogateConfig;
  let stack: MnogateStack;
  let template: Template;
  let json: TemplateJson;
  let annotations: Annotations;

  after(removeBuiltStacks);

  before(() => {
    // GIVEN the aws example WHEN it is built once, with cdk-nag's AwsSolutions checks
    config = loadAwsExample();
    stack = buildStack(config).stack;
    annotations = Annotations.fromStack(stack);
    template = Template.fromStack(stack);
    json = template.toJSON() as TemplateJson;
  });

  it('THEN cdk-nag AwsSolutions reports no unacknowledged error', () => {
    const errors = annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    assert.deepEqual(
      errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 80)}`),
      [],
    );
  });

  it('THEN the VPC has the planned CIDR and exactly the planned subnets, each in its zone, none public by default', () => {
    const plan = planAddresses(config);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.40.0.0/16', EnableDnsSupport: true });
    const planned = [...plan.public, ...plan.private, ...plan.operators.flatMap((o) => o.azSubnets)];
    template.resourceCountIs('AWS::EC2::Subnet', planned.length);
    for (const s of planned) {
      template.hasResourceProperties('AWS::EC2::Subnet', {
        CidrBlock: s.cidr,
        AvailabilityZone: { 'Fn::Select': [s.az, { 'Fn::GetAZs': '' }] },
        MapPublicIpOnLaunch: false,
      });
    }
    // the static-IP operator's /28 stays whole, in zone 0; CIDR operators split in halves across two zones
    template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.40.20.0/28' });
    template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.40.10.0/25' });
    template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: '10.40.10.128/25' });
  });

  it('THEN VPC flow logs record all traffic to a retained CloudWatch log group', () => {
    const vpc = oneOf(json, 'AWS::EC2::VPC', 'Network').id;
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      ResourceId: { Ref: vpc },
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
  });

  it('THEN the hub is a VGW with the configured Amazon-side ASN (not a customer ASN), and no TGW', () => {
    template.resourceCountIs('AWS::EC2::VPNGateway', 1);
    template.resourceCountIs('AWS::EC2::TransitGateway', 0);
    template.hasResourceProperties('AWS::EC2::VPNGateway', {
      Type: 'ipsec.1',
      AmazonSideAsn: config.network.amazonSideAsn,
    });
    const vgw = oneOf(json, 'AWS::EC2::VPNGateway', 'VpnHub').id;
    template.hasResourceProperties('AWS::EC2::VPCGatewayAttachment', { VpnGatewayId: { Ref: vgw } });
  });

  it('THEN each operator has a customer gateway with its peer IP and ASN', () => {
    template.resourceCountIs('AWS::EC2::CustomerGateway', 4);
    for (const op of config.operators) {
      template.hasResourceProperties('AWS::EC2::CustomerGateway', {
        Type: 'ipsec.1',
        IpAddress: op.vpn!.peerIp,
        BgpAsn: op.vpn!.peerAsn,
      });
    }
  });

  it('THEN the VPN connection carries every option of both tunnels, keys by dynamic reference', () => {
    template.resourceCountIs('AWS::EC2::VPNConnection', 4);
    const conn = oneOf(json, 'AWS::EC2::VPNConnection', 'OperatorAwccVpn').resource;
    const cgw = oneOf(json, 'AWS::EC2::CustomerGateway', 'OperatorAwccVpn').id;
    const vgw = oneOf(json, 'AWS::EC2::VPNGateway', 'VpnHub').id;
    const logGroup = oneOf(json, 'AWS::Logs::LogGroup', 'OperatorAwccVpnTunnelLogs').id;
    const pskSecret = oneOf(json, 'AWS::SecretsManager::Secret', 'OperatorAwccSecretsPskMnoAwccVpn').id;
    assert.equal(conn.Properties.CustomerGatewayId.Ref, cgw);
    assert.equal(conn.Properties.VpnGatewayId.Ref, vgw);
    assert.equal(conn.Properties.Type, 'ipsec.1');
    const [t1, t2] = conn.Properties.VpnTunnelOptionsSpecifications;
    const { PreSharedKey, ...options } = t1;
    assert.deepEqual(options, {
      TunnelInsideCidr: '169.254.10.0/30',
      IKEVersions: [{ Value: 'ikev2' }],
      Phase1EncryptionAlgorithms: [{ Value: 'AES256' }],
      Phase1IntegrityAlgorithms: [{ Value: 'SHA2-256' }],
      Phase1DHGroupNumbers: [{ Value: 14 }],
      Phase1LifetimeSeconds: 28800,
      Phase2EncryptionAlgorithms: [{ Value: 'AES256' }],
      Phase2IntegrityAlgorithms: [{ Value: 'SHA2-256' }],
      Phase2DHGroupNumbers: [{ Value: 14 }],
      Phase2LifetimeSeconds: 3600,
      RekeyMarginTimeSeconds: 270,
      DPDTimeoutSeconds: 30,
      DPDTimeoutAction: 'restart',
      StartupAction: 'start',
      LogOptions: {
        CloudwatchLogOptions: {
          LogEnabled: true,
          LogGroupArn: { 'Fn::GetAtt': [logGroup, 'Arn'] },
          LogOutputFormat: 'json',
        },
      },
    });
    // the key is a CloudFormation dynamic reference to the secret the config names, field tunnel1
    assert.deepEqual(PreSharedKey, {
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: pskSecret }, ':SecretString:tunnel1::}}']],
    });
    assert.equal(t2.TunnelInsideCidr, '169.254.10.4/30');
    assert.deepEqual(t2.PreSharedKey['Fn::Join'][1][2], ':SecretString:tunnel2::}}');
    // no key material anywhere in the template
    assert.ok(!JSON.stringify(json).match(/"PreSharedKey":"[^{]/));
  });

  it('THEN multi-valued tunnel options keep every value and their order (etisalat)', () => {
    const conn = oneOf(json, 'AWS::EC2::VPNConnection', 'OperatorEtisalatVpn').resource;
    const t = conn.Properties.VpnTunnelOptionsSpecifications[1];
    assert.deepEqual(t.IKEVersions, [{ Value: 'ikev1' }, { Value: 'ikev2' }]);
    assert.deepEqual(t.Phase1EncryptionAlgorithms, [{ Value: 'AES128' }, { Value: 'AES256' }]);
    assert.deepEqual(t.Phase2IntegrityAlgorithms, [{ Value: 'SHA1' }, { Value: 'SHA2-256' }]);
    assert.deepEqual(t.Phase1DHGroupNumbers, [{ Value: 14 }, { Value: 19 }]);
    assert.equal(t.DPDTimeoutSeconds, 40);
    assert.equal(t.DPDTimeoutAction, 'clear');
    assert.equal(t.StartupAction, 'add');
  });

  it('THEN static operators get static VPN routes and BGP operators none', () => {
    const awcc = oneOf(json, 'AWS::EC2::VPNConnection', 'OperatorAwccVpn');
    const roshan = oneOf(json, 'AWS::EC2::VPNConnection', 'OperatorRoshanVpn');
    assert.equal(awcc.resource.Properties.StaticRoutesOnly, true);
    assert.equal(roshan.resource.Properties.StaticRoutesOnly, false);
    template.resourceCountIs('AWS::EC2::VPNConnectionRoute', 3);
    template.hasResourceProperties('AWS::EC2::VPNConnectionRoute', {
      VpnConnectionId: { Ref: awcc.id },
      DestinationCidrBlock: '10.201.0.0/23',
    });
    assert.equal(
      template.findResources('AWS::EC2::VPNConnectionRoute', {
        Properties: { VpnConnectionId: { Ref: roshan.id } },
      }) &&
        Object.keys(
          template.findResources('AWS::EC2::VPNConnectionRoute', {
            Properties: { VpnConnectionId: { Ref: roshan.id } },
          }),
        ).length,
      0,
    );
  });

  it("THEN each operator's route table routes its remote CIDRs through the VGW, and BGP ones also propagate", () => {
    const vgw = oneOf(json, 'AWS::EC2::VPNGateway', 'VpnHub').id;
    const attachment = oneOf(json, 'AWS::EC2::VPCGatewayAttachment', 'VpnHub').id;
    for (const [name, cidr] of [
      ['Awcc', '10.201.0.0/23'],
      ['Roshan', '172.20.5.0/24'],
      ['Etisalat', '192.168.50.0/24'],
      ['Mtn', '10.77.8.0/24'],
    ] as const) {
      const rt = oneOf(json, 'AWS::EC2::RouteTable', `NetworkOperator${name}RouteTable`).id;
      template.hasResource('AWS::EC2::Route', {
        Properties: { RouteTableId: { Ref: rt }, DestinationCidrBlock: cidr, GatewayId: { Ref: vgw } },
        DependsOn: Match.arrayWith([attachment]),
      });
    }
    const roshanRt = oneOf(json, 'AWS::EC2::RouteTable', 'NetworkOperatorRoshanRouteTable').id;
    template.hasResourceProperties('AWS::EC2::VPNGatewayRoutePropagation', {
      VpnGatewayId: { Ref: vgw },
      RouteTableIds: [{ Ref: roshanRt }],
    });
  });

  it("THEN an operator's security group lets out only its remote CIDRs on its API ports", () => {
    const sg = oneOf(json, 'AWS::EC2::SecurityGroup', 'OperatorAwccNetworkSecurityGroup').resource;
    assert.deepEqual(sg.Properties.SecurityGroupEgress, [
      { CidrIp: '10.201.0.0/23', Description: 'awcc API', FromPort: 8443, IpProtocol: 'tcp', ToPort: 8443 },
    ]);
    const etisalat = oneOf(json, 'AWS::EC2::SecurityGroup', 'OperatorEtisalatNetworkSecurityGroup').resource;
    assert.deepEqual(etisalat.Properties.SecurityGroupEgress, [
      {
        CidrIp: '192.168.50.0/24',
        Description: 'etisalat API',
        FromPort: 8080,
        IpProtocol: 'tcp',
        ToPort: 8080,
      },
    ]);
  });

  it("THEN an operator's network ACL admits its API traffic, replies, the load balancer and endpoints, on its subnets", () => {
    const acl = oneOf(json, 'AWS::EC2::NetworkAcl', 'OperatorAwccNetwork').id;
    const entries = idsOf(json, 'AWS::EC2::NetworkAclEntry', 'OperatorAwccNetwork').map(
      (id) => json.Resources[id]!.Properties,
    );
    const view = entries.map((e) => ({
      egress: e.Egress,
      rule: e.RuleNumber,
      cidr: e.CidrBlock,
      ports: `${e.PortRange.From}-${e.PortRange.To}`,
      acl: e.NetworkAclId.Ref,
      allow: e.RuleAction,
      tcp: e.Protocol,
    }));
    const base = { acl, allow: 'allow', tcp: 6 };
    assert.deepEqual(
      view.sort((a, b) => Number(a.egress) - Number(b.egress) || a.rule - b.rule),
      [
        { ...base, egress: false, rule: 100, cidr: '10.201.0.0/23', ports: '1024-65535' },
        { ...base, egress: false, rule: 500, cidr: '10.40.0.0/16', ports: '8443-8443' },
        { ...base, egress: false, rule: 510, cidr: '10.40.0.0/16', ports: '1024-65535' },
        { ...base, egress: true, rule: 100, cidr: '10.201.0.0/23', ports: '8443-8443' },
        { ...base, egress: true, rule: 500, cidr: '10.40.0.0/16', ports: '1024-65535' },
        { ...base, egress: true, rule: 510, cidr: '10.40.0.0/16', ports: '443-443' },
      ],
    );
    for (const az of [0, 1]) {
      const subnet = oneOf(json, 'AWS::EC2::Subnet', `NetworkOperatorAwccAz${az}`).id;
      template.hasResourceProperties('AWS::EC2::SubnetNetworkAclAssociation', {
        NetworkAclId: { Ref: acl },
        SubnetId: { Ref: subnet },
      });
    }
  });

  it('THEN Secrets Manager holds placeholders named as the config references them', () => {
    for (const name of ['mno/awcc/api', 'mno/roshan/api', 'mno/etisalat/api', 'mno/mtn/api']) {
      template.hasResource('AWS::SecretsManager::Secret', {
        Properties: {
          Name: name,
          GenerateSecretString: Match.objectLike({ GenerateStringKey: '_placeholder' }),
        },
        DeletionPolicy: 'Retain',
      });
    }
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'mno/roshan/api',
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: JSON.stringify({ login: '', password: '', pin: '' }),
      }),
    });
    for (const name of ['mno/awcc/vpn', 'mno/roshan/vpn', 'mno/etisalat/vpn', 'mno/mtn/vpn']) {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: name,
        SecretString: Match.anyValue(),
      });
    }
    // the PSK secret is composed of generated seeds by dynamic reference, letter-prefixed
    const psk = oneOf(json, 'AWS::SecretsManager::Secret', 'OperatorAwccSecretsPskMnoAwccVpn').resource;
    const text = JSON.stringify(psk.Properties.SecretString);
    assert.match(text, /\\"tunnel1\\":\\"k\{\{resolve:secretsmanager:/);
    assert.match(text, /OperatorAwccSecretsPskSeedMnoAwccVpnTunnel2/);
  });

  it("THEN each operator's SSM parameter is named by core's ssmSubnetParameterName and holds its subnet ids", () => {
    for (const op of config.operators) {
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: ssmSubnetParameterName(op.id),
        Type: 'String',
      });
    }
    const a0 = oneOf(json, 'AWS::EC2::Subnet', 'NetworkOperatorAwccAz0').id;
    const a1 = oneOf(json, 'AWS::EC2::Subnet', 'NetworkOperatorAwccAz1').id;
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/mno/subnets/AWCC_SUBNET_ID',
      Value: { 'Fn::Join': ['', [{ Ref: a0 }, ',', { Ref: a1 }]] },
    });
  });

  it('THEN each VPN connection has a both-tunnels-down and a one-tunnel-down alarm on TunnelState', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
    const topic = oneOf(json, 'AWS::SNS::Topic', 'AlarmTopic').id;
    for (const name of ['Awcc', 'Roshan', 'Etisalat', 'Mtn']) {
      const conn = oneOf(json, 'AWS::EC2::VPNConnection', `Operator${name}Vpn`).id;
      const common = {
        Namespace: 'AWS/VPN',
        MetricName: 'TunnelState',
        Dimensions: [{ Name: 'VpnId', Value: { Ref: conn } }],
        ComparisonOperator: 'LessThanOrEqualToThreshold',
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: topic }],
      };
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ...common,
        Statistic: 'Maximum',
        Threshold: 0,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ...common,
        Statistic: 'Minimum',
        Threshold: 0.5,
      });
    }
  });

  it('THEN CIDR operators run as Fargate services in their own subnets, behind an internal ALB rule per operator', () => {
    template.resourceCountIs('AWS::ECS::Service', 3);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    const a0 = oneOf(json, 'AWS::EC2::Subnet', 'NetworkOperatorAwccAz0').id;
    const a1 = oneOf(json, 'AWS::EC2::Subnet', 'NetworkOperatorAwccAz1').id;
    const sg = oneOf(json, 'AWS::EC2::SecurityGroup', 'OperatorAwccNetworkSecurityGroup').id;
    const service = oneOf(json, 'AWS::ECS::Service', 'GatewayAwccService').resource;
    assert.equal(service.Properties.LaunchType, 'FARGATE');
    const net = service.Properties.NetworkConfiguration.AwsvpcConfiguration;
    assert.equal(net.AssignPublicIp, 'DISABLED');
    assert.deepEqual(net.Subnets, [{ Ref: a0 }, { Ref: a1 }]);
    assert.deepEqual(net.SecurityGroups[0], { 'Fn::GetAtt': [sg, 'GroupId'] });

    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 4);
    for (const id of ['awcc', 'roshan', 'etisalat', 'mtn']) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Conditions: [
          {
            Field: 'path-pattern',
            PathPatternConfig: { Values: [`/operators/${id}`, `/operators/${id}/*`] },
          },
        ],
      });
    }
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Port: 8443,
      HealthCheckPath: '/healthz',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
    });
    // the image is the repository's Dockerfile, as an asset: referenced, not built, at synthesis
    const task = oneOf(json, 'AWS::ECS::TaskDefinition', 'GatewayAwccTask').resource;
    assert.match(JSON.stringify(task.Properties.ContainerDefinitions[0].Image), /container-assets/);
  });

  it('THEN the static-IP operator runs on an instance whose address and Elastic IP association are its sourceIp', () => {
    template.resourceCountIs('AWS::EC2::Instance', 1);
    const subnet = oneOf(json, 'AWS::EC2::Subnet', 'NetworkOperatorRoshanAz0').id;
    const instance = oneOf(json, 'AWS::EC2::Instance', 'OperatorRoshanGateway');
    const [eni] = instance.resource.Properties.NetworkInterfaces;
    assert.equal(eni.PrivateIpAddress, '10.40.20.10');
    assert.deepEqual(eni.SubnetId, { Ref: subnet });
    assert.equal(eni.AssociatePublicIpAddress, false);
    assert.equal(
      instance.resource.Properties.LaunchTemplate.LaunchTemplateName === 'InstanceLaunchTemplate',
      false,
    );
    assert.equal(instance.resource.Properties.Monitoring, true);
    assert.equal(instance.resource.Properties.DisableApiTermination, true);
    assert.equal(instance.resource.Properties.BlockDeviceMappings[0].Ebs.Encrypted, true);
    const eip = oneOf(json, 'AWS::EC2::EIP', 'OperatorRoshanGateway').id;
    template.hasResourceProperties('AWS::EC2::EIP', { Domain: 'vpc' });
    template.hasResourceProperties('AWS::EC2::EIPAssociation', {
      AllocationId: { 'Fn::GetAtt': [eip, 'AllocationId'] },
      InstanceId: { Ref: instance.id },
      PrivateIpAddress: '10.40.20.10',
    });
    // its subnet reaches the internet gateway (the EIP is its public identity) and the tunnel
    const rt = oneOf(json, 'AWS::EC2::RouteTable', 'NetworkOperatorRoshanRouteTable').id;
    template.hasResourceProperties('AWS::EC2::Route', {
      RouteTableId: { Ref: rt },
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: { Ref: oneOf(json, 'AWS::EC2::InternetGateway', 'Network').id },
    });
  });

  it("THEN each operator's role reads only its own secrets and its own parameter", () => {
    const names = ['Awcc', 'Roshan', 'Etisalat', 'Mtn'];
    const secretsOf = (name: string) =>
      new Set(idsOf(json, 'AWS::SecretsManager::Secret', `Operator${name}Secrets`));
    const paramOf = (name: string) => oneOf(json, 'AWS::SSM::Parameter', `Operator${name}SubnetParameter`).id;
    for (const name of names) {
      const policy = oneOf(json, 'AWS::IAM::Policy', `Operator${name}AccessRoleDefaultPolicy`).resource;
      const refs = refsIn(policy.Properties.PolicyDocument);
      const apiSecret = oneOf(json, 'AWS::SecretsManager::Secret', `Operator${name}SecretsApi`).id;
      assert.ok(refs.has(apiSecret), `${name} reads its API secret`);
      assert.ok(refs.has(paramOf(name)), `${name} reads its parameter`);
      for (const other of names) {
        if (other === name) continue;
        for (const s of secretsOf(other)) assert.ok(!refs.has(s), `${name} must not read ${s}`);
        assert.ok(!refs.has(paramOf(other)), `${name} must not read ${other}'s parameter`);
      }
      // not even its own tunnel keys: the gateway has no use for them
      for (const s of secretsOf(name))
        if (s !== apiSecret) assert.ok(!refs.has(s), `${name} must not read ${s}`);
      const secretStatements = policy.Properties.PolicyDocument.Statement.filter((st: Cfn) =>
        [st.Action].flat().some((a: string) => a.startsWith('secretsmanager:')),
      );
      assert.deepEqual(
        secretStatements.map((st: Cfn) => st.Resource),
        [{ Ref: apiSecret }],
      );
    }
    // the awcc task runs as the awcc role
    const role = oneOf(json, 'AWS::IAM::Role', 'OperatorAwccAccessRole').id;
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      TaskRoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
      ContainerDefinitions: [
        Match.objectLike({
          Environment: Match.arrayWith([
            { Name: 'MNOGATE_OPERATOR_ID', Value: 'awcc' },
            // the gateway publishes the dashboard's metrics in this namespace (EMF on stdout)
            { Name: 'MNOGATE_CLOUDWATCH_NAMESPACE', Value: GATEWAY_METRICS.namespace },
          ]),
        }),
      ],
    });
  });

  it('THEN the dashboard shows tunnel state, data in and out, and per-operator outcomes and latency', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(
      oneOf(json, 'AWS::CloudWatch::Dashboard', 'Dashboard').resource.Properties.DashboardBody,
    );
    for (const needle of [
      'TunnelState',
      'TunnelDataIn',
      'TunnelDataOut',
      'RechargesSucceeded',
      'RechargesFailed',
      'OperatorLatencyMs',
      'p99',
    ]) {
      assert.ok(body.includes(needle), `dashboard shows ${needle}`);
    }
    for (const op of config.operators)
      assert.ok(body.includes(`${op.id}: recharges`), `dashboard row for ${op.id}`);
  });

  it('THEN the operator subnets are shared through RAM with the non-production account', () => {
    const share = oneOf(json, 'AWS::RAM::ResourceShare', 'NonprodShare').resource;
    assert.deepEqual(share.Properties.Principals, ['111122223333']);
    assert.equal(share.Properties.AllowExternalPrincipals, false);
    const operatorSubnets = idsOf(json, 'AWS::EC2::Subnet', 'NetworkOperator');
    assert.equal(share.Properties.ResourceArns.length, operatorSubnets.length);
    const shared = refsIn(share.Properties.ResourceArns);
    for (const s of operatorSubnets) assert.ok(shared.has(s), `${s} is shared`);
    assert.ok(!shared.has(oneOf(json, 'AWS::EC2::Subnet', 'NetworkPrivateAz0').id));
  });

  it('THEN AWS APIs are reached through VPC endpoints, with no NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.eu-west-1.${service}`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
      });
    }
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.eu-west-1.s3',
      VpcEndpointType: 'Gateway',
    });
  });
});
