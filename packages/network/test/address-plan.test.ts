import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contains, isMnogateError, type MnogateConfig, overlaps, parseCidr, parseIpv4 } from '@mnogate/core';
import { type AddressPlan, planAddresses } from '../src/address-plan.js';
import { clone, loadExample } from './helpers/config.js';

function allBlocks(plan: AddressPlan): string[] {
  return [
    ...plan.public.map((s) => s.cidr),
    ...plan.private.map((s) => s.cidr),
    ...plan.operators.flatMap((o) => o.azSubnets.map((s) => s.cidr)),
  ];
}

function assertNoOverlaps(plan: AddressPlan): void {
  const blocks = allBlocks(plan);
  const vpc = parseCidr(plan.vpcCidr);
  for (const [i, a] of blocks.entries()) {
    assert.ok(contains(vpc, parseCidr(a)), `${a} inside ${plan.vpcCidr}`);
    for (const b of blocks.slice(i + 1)) assert.ok(!overlaps(parseCidr(a), parseCidr(b)), `${a} vs ${b}`);
  }
}

describe('planAddresses', () => {
  const aws = loadExample('aws');

  it('GIVEN the aws example WHEN planned THEN public and private /24s take the lowest free space', () => {
    const plan = planAddresses(aws);
    assert.equal(plan.vpcCidr, '10.40.0.0/16');
    assert.equal(plan.azCount, 2);
    assert.deepEqual(plan.public, [
      { az: 0, cidr: '10.40.0.0/24' },
      { az: 1, cidr: '10.40.1.0/24' },
    ]);
    assert.deepEqual(plan.private, [
      { az: 0, cidr: '10.40.2.0/24' },
      { az: 1, cidr: '10.40.3.0/24' },
    ]);
    assertNoOverlaps(plan);
  });

  it('is deterministic: the same config gives the same plan', () => {
    assert.deepEqual(planAddresses(aws), planAddresses(clone(aws)));
    assert.equal(JSON.stringify(planAddresses(aws)), JSON.stringify(planAddresses(loadExample('aws'))));
  });

  it('splits a CIDR-mode operator subnet into one half per AZ: a container service', () => {
    const awcc = planAddresses(aws).operators.find((o) => o.operatorId === 'awcc');
    assert.deepEqual(awcc, {
      operatorId: 'awcc',
      subnet: '10.40.10.0/24',
      azSubnets: [
        { az: 0, cidr: '10.40.10.0/25' },
        { az: 1, cidr: '10.40.10.128/25' },
      ],
      egressMode: 'cidr',
      sourceIp: null,
      remoteCidrs: ['10.201.0.0/23'],
      apiPorts: [8443],
      pattern: 'container-service',
      ssmParameterName: '/mno/subnets/AWCC_SUBNET_ID',
    });
  });

  it('puts a static-IP operator in one subnet in AZ 0 that holds its source: an instance with an EIP', () => {
    const roshan = planAddresses(aws).operators.find((o) => o.operatorId === 'roshan');
    assert.ok(roshan);
    assert.equal(roshan.egressMode, 'static-ip');
    assert.equal(roshan.pattern, 'instance-eip');
    assert.deepEqual(roshan.azSubnets, [{ az: 0, cidr: '10.40.20.0/28' }]);
    assert.equal(roshan.sourceIp, '10.40.20.10');
    assert.ok(contains(parseCidr(roshan.azSubnets[0]?.cidr ?? ''), parseIpv4(roshan.sourceIp ?? '')));
    assert.equal(roshan.ssmParameterName, '/mno/subnets/ROSHAN_SUBNET_ID');
  });

  it('keeps operators in config order', () => {
    assert.deepEqual(
      planAddresses(aws).operators.map((o) => o.operatorId),
      aws.operators.map((o) => o.id),
    );
  });

  it('allocates around operator subnets that sit at the bottom of the VPC', () => {
    const config = clone(aws);
    const [first] = config.operators;
    assert.ok(first);
    first.egress = { mode: 'cidr', subnet: '10.40.0.0/23' };
    const plan = planAddresses(config);
    assert.deepEqual(
      plan.public.map((s) => s.cidr),
      ['10.40.2.0/24', '10.40.3.0/24'],
    );
    assertNoOverlaps(plan);
  });

  it('honours three availability zones', () => {
    const config = clone(aws);
    config.network.availabilityZones = 3;
    const plan = planAddresses(config);
    assert.equal(plan.public.length, 3);
    assert.equal(plan.private.length, 3);
    assert.deepEqual(
      plan.private.map((s) => s.az),
      [0, 1, 2],
    );
    assertNoOverlaps(plan);
  });

  it('shrinks public and private subnets in a small VPC (the demo loopback /24)', () => {
    const plan = planAddresses(loadExample('demo'));
    assertNoOverlaps(plan);
    for (const s of [...plan.public, ...plan.private]) {
      assert.ok(parseCidr(s.cidr).prefix > 24 && parseCidr(s.cidr).prefix <= 28, s.cidr);
    }
  });

  it('throws SUBNET_OUTSIDE_VPC when the VPC is too small for the shared subnets', () => {
    const config: MnogateConfig = clone(aws);
    config.network.vpcCidr = '10.40.0.0/27'; // two /28s: four are needed
    config.operators = [];
    assert.throws(
      () => planAddresses(config),
      (err) => isMnogateError(err, 'MNOGATE_ERR_CONFIG_SUBNET_OUTSIDE_VPC'),
    );
    config.network.vpcCidr = '10.40.0.0/26'; // four /28s fit
    assert.deepEqual(
      planAddresses(config).private.map((s) => s.cidr),
      ['10.40.0.32/28', '10.40.0.48/28'],
    );
  });

  it('throws SUBNET_OUTSIDE_VPC for an operator subnet outside the VPC', () => {
    const config = clone(aws);
    const [first] = config.operators;
    assert.ok(first);
    first.egress = { mode: 'cidr', subnet: '10.41.10.0/24' };
    assert.throws(
      () => planAddresses(config),
      (err) => isMnogateError(err, 'MNOGATE_ERR_CONFIG_SUBNET_OUTSIDE_VPC'),
    );
  });

  it('throws SUBNET_OVERLAP when two operator subnets overlap', () => {
    const config = clone(aws);
    const [first] = config.operators;
    assert.ok(first);
    first.egress = { mode: 'cidr', subnet: '10.40.20.0/24' }; // holds roshan's 10.40.20.0/28
    assert.throws(
      () => planAddresses(config),
      (err) => isMnogateError(err, 'MNOGATE_ERR_CONFIG_SUBNET_OVERLAP'),
    );
  });

  it('throws EGRESS_OUTSIDE_SUBNET when a static source lies outside its subnet', () => {
    const config = clone(aws);
    const roshan = config.operators.find((o) => o.id === 'roshan');
    assert.ok(roshan);
    roshan.egress = { mode: 'static-ip', sourceIp: '10.40.21.10', subnet: '10.40.20.0/28' };
    assert.throws(
      () => planAddresses(config),
      (err) => isMnogateError(err, 'MNOGATE_ERR_CONFIG_EGRESS_OUTSIDE_SUBNET'),
    );
  });
});
