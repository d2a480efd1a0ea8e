import { Stack } from 'aws-cdk-lib';
import type { ISubnet } from 'aws-cdk-lib/aws-ec2';
import { CfnResourceShare } from 'aws-cdk-lib/aws-ram';
import { Construct } from 'constructs';

export interface NonprodShareProps {
  /** The operator subnets to share (so non-production accounts reach the real tunnels). */
  readonly subnets: readonly ISubnet[];
  /** The non-production AWS account ids (the config's `network.shareWithAccounts`). */
  readonly accountIds: readonly string[];
  /**
   * Whether accounts outside the organization may accept the share.
   * @default false
   */
  readonly allowExternalPrincipals?: boolean;
  /**
   * @default 'mnogate-operator-subnets'
   */
  readonly shareName?: string;
}

/** A RAM resource share of the operator subnets with the non-production accounts. */
export class NonprodShare extends Construct {
  readonly share: CfnResourceShare;

  constructor(scope: Construct, id: string, props: NonprodShareProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.share = new CfnResourceShare(this, 'Share', {
      name: props.shareName ?? 'mnogate-operator-subnets',
      allowExternalPrincipals: props.allowExternalPrincipals ?? false,
      principals: [...props.accountIds],
      resourceArns: props.subnets.map((s) =>
        stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: s.subnetId }),
      ),
    });
  }
}
