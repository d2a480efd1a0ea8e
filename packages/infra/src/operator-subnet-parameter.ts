import { ssmSubnetParameterName } from '@mnogate/core';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { OperatorSubnets } from './mno-vpc.js';

export interface OperatorSubnetParameterProps {
  readonly subnets: OperatorSubnets;
}

/**
 * The SSM parameter `/mno/subnets/{OPERATOR}_SUBNET_ID` (named by core's `ssmSubnetParameterName`,
 * which the gateway calls too), holding the operator's subnet ids, comma-separated in zone order.
 */
export class OperatorSubnetParameter extends Construct {
  readonly parameter: StringParameter;

  constructor(scope: Construct, id: string, props: OperatorSubnetParameterProps) {
    super(scope, id);
    const { plan, subnets } = props.subnets;
    const name = ssmSubnetParameterName(plan.operatorId);
    if (plan.ssmParameterName !== name) {
      throw new Error(`address plan names ${plan.ssmParameterName}, core names ${name}`);
    }
    this.parameter = new StringParameter(this, 'Parameter', {
      parameterName: name,
      description: `mnogate: subnet ids of operator ${plan.operatorId}`,
      stringValue: subnets.map((s) => s.subnetId).join(','),
    });
  }
}
