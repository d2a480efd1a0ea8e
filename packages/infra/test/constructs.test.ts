import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  type AddressPlan,
  cidrContains,
  MnoVpc,
  OperatorSecrets,
  OperatorVpn,
  parseSecretRef,
  VpnHub,
} from '../src/index.js';
import { loadAwsExample } from './helpers/stacks.js';

// A literal plan: the constructs take any plan of this shape, not only the computed one.
const PLAN: AddressPlan = {
  vpcCidr: '10.9.0.0/16',
  azCount: 3,
  public: [
    { az: 0, cidr: '10.9.0.0/26' },
    { az: 1, cidr: '10.9.0.64/26' },
    { az: 2, cidr: '10.9.0.128/26' },
  ],
  private: [
    { az: 0, cidr: '10.9.1.0/26' },
    { az: 1, cidr: '10.9.1.64/26' },
    { az: 2, cidr: '10.9.1.128/26' },
  ],
  operators: [
    {
      operatorId: 'awcc',
      subnet: '10.9.8.0/24',
      azSubnets: [
        { az: 0, cidr: '10.9.8.0/25' },
        { az: 2, cidr: '10.9.8.128/25' },
      ],
      egressMode: 'cidr',
      sourceIp: null,
      remoteCidrs: ['10.201.0.0/23'],
      apiPorts: [8443],
      pattern: 'container-service',
      ssmParameterName: '/mno/subnets/AWCC_SUBNET_ID',
    },
  ],
};

function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: { region: 'eu-west-1' } });
}

describe('MnoVpc from a literal plan', () => {
  it('GIVEN a three-zone plan WHEN built THEN every subnet has its planned CIDR and zone, with flow logs', () => {
    const stack = newStack();
    const vpc = new MnoVpc(stack, 'Network', { plan: PLAN });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.9.0.0/16' });
    template.resourceCountIs('AWS::EC2::Subnet', 8);
    template.hasResourceProperties('AWS::EC2::Subnet', {
      CidrBlock: '10.9.8.128/25',
      AvailabilityZone: { 'Fn::Select': [2, { 'Fn::GetAZs': '' }] },
    });
    template.hasResourceProperties('AWS::EC2::Subnet', {
      CidrBlock: '10.9.0.128/26',
      AvailabilityZone: { 'Fn::Select': [2, { 'Fn::GetAZs': '' }] },
    });
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    // one route table for the operator's subnets, one per private subnet, one public
    template.resourceCountIs('AWS::EC2::RouteTable', 5);
    assert.equal(vpc.operator('awcc').subnets.length, 2);
    assert.throws(() => vpc.operator('nobody'), /not in the address plan/);
  });
});

describe('VpnHub and OperatorVpn (the L2 VpnConnection trap)', () => {
  it('GIVEN amazonSideAsn 65123 and a customer ASN 65010 WHEN built THEN the VGW has 65123 and the customer gateway 65010', () => {
    const stack = newStack();
    const config = loadAwsExample();
    const awcc = config.operators.find((o) => o.id === 'awcc')!;
    const vpc = new MnoVpc(stack, 'Network', { plan: PLAN });
    const hub = new VpnHub(stack, 'Hub', { vpcId: vpc.cfnVpc.ref, kind: 'vgw', amazonSideAsn: 65123 });
    const secrets = new OperatorSecrets(stack, 'Secrets', { operator: awcc });
    new OperatorVpn(stack, 'Vpn', {
      operator: awcc,
      hub,
      secrets,
      routeTable: vpc.operator('awcc').routeTable,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::VPNGateway', { AmazonSideAsn: 65123 });
    template.hasResourceProperties('AWS::EC2::CustomerGateway', { BgpAsn: 65010, IpAddress: '203.0.113.10' });
  });

  it('GIVEN a tunnel with logging off WHEN built THEN its log options say so, without a log group', () => {
    const stack = newStack();
    const config = loadAwsExample();
    const mtn = structuredClone(config.operators.find((o) => o.id === 'mtn')!);
    mtn.vpn!.tunnels[1]!.logging = false;
    const vpc = new MnoVpc(stack, 'Network', {
      plan: { ...PLAN, operators: [{ ...PLAN.operators[0]!, operatorId: 'mtn' }] },
    });
    const hub = new VpnHub(stack, 'Hub', { vpcId: vpc.cfnVpc.ref, kind: 'vgw' });
    const secrets = new OperatorSecrets(stack, 'Secrets', { operator: mtn });
    new OperatorVpn(stack, 'Vpn', {
      operator: mtn,
      hub,
      secrets,
      routeTable: vpc.operator('mtn').routeTable,
    });
    const conn = Object.values(Template.fromStack(stack).findResources('AWS::EC2::VPNConnection'))[0]!;
    const [t1, t2] = conn.Properties.VpnTunnelOptionsSpecifications;
    assert.equal(t1.LogOptions.CloudwatchLogOptions.LogEnabled, true);
    assert.deepEqual(t2.LogOptions, { CloudwatchLogOptions: { LogEnabled: false } });
    // mtn's tunnels take the schema defaults: IKEv2 only
    assert.deepEqual(t1.IKEVersions, [{ Value: 'ikev2' }]);
  });

  it('GIVEN a TGW hub without attachment subnets WHEN built THEN it refuses', () => {
    assert.throws(() => new VpnHub(newStack(), 'Hub', { vpcId: 'vpc-1', kind: 'tgw' }), /attachmentSubnets/);
  });
});

describe('OperatorSecrets', () => {
  it('GIVEN a credential referenced as a whole secret WHEN built THEN the placeholder has no fields but its marker', () => {
    const stack = newStack();
    const mtn = loadAwsExample().operators.find((o) => o.id === 'mtn')!;
    new OperatorSecrets(stack, 'Secrets', { operator: mtn });
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'mno/mtn/api',
      GenerateSecretString: {
        SecretStringTemplate: '{}',
        GenerateStringKey: '_placeholder',
        ExcludePunctuation: true,
      },
    });
  });

  it('GIVEN secret references WHEN parsed THEN name and field are split, literals are not references', () => {
    assert.deepEqual(parseSecretRef('secret:mno/awcc/vpn#tunnel1'), {
      name: 'mno/awcc/vpn',
      field: 'tunnel1',
    });
    assert.deepEqual(parseSecretRef('secret:mno/mtn/api'), { name: 'mno/mtn/api', field: undefined });
    assert.equal(parseSecretRef('hunter2'), undefined);
  });
});

describe('cidrContains', () => {
  it('GIVEN a /28 WHEN asked about addresses THEN only those inside are contained', () => {
    assert.equal(cidrContains('10.40.20.0/28', '10.40.20.10'), true);
    assert.equal(cidrContains('10.40.20.0/28', '10.40.20.16'), false);
    assert.equal(cidrContains('10.40.10.128/25', '10.40.10.127'), false);
  });
});
