import type { Stack } from 'aws-cdk-lib';
import { CfnNetworkAcl, CfnNetworkAclEntry } from 'aws-cdk-lib/aws-ec2';
import { TaskDefinition } from 'aws-cdk-lib/aws-ecs';
import { Policy, Role } from 'aws-cdk-lib/aws-iam';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** One cdk-nag finding we accept, where it applies, and why. */
export interface NagAcknowledgement {
  readonly rule: string;
  /** For IAM5: the exact wildcard acknowledged. */
  readonly appliesTo?: readonly string[];
  readonly where: string;
  readonly reason: string;
}

/** Every acknowledgement the stack makes: docs/infra.md lists the same. */
export const NAG_ACKNOWLEDGEMENTS = {
  accessLogBucket: {
    rule: 'AwsSolutions-S1',
    where: 'the load balancer access-log bucket',
    reason:
      'This bucket is itself the destination of access logs (the ALB writes to it); logging its own access to a second bucket would only move the finding there.',
  },
  taskEnvironment: {
    rule: 'AwsSolutions-ECS2',
    where: 'the gateway task definitions',
    reason:
      'The only environment variables are MNOGATE_OPERATOR_ID, MNOGATE_SUBNET_PARAMETER and MNOGATE_CLOUDWATCH_NAMESPACE, non-secret identifiers; credentials are read from Secrets Manager at run time by the task role.',
  },
  apiSecretRotation: {
    rule: 'AwsSolutions-SMG4',
    where: 'operator API credential secrets',
    reason:
      'The operator issues these credentials and changes them on its own schedule through its own portal; there is no API a rotation Lambda could call, so rotation is a manual put-secret-value when the operator reissues them.',
  },
  preSharedKeyRotation: {
    rule: 'AwsSolutions-SMG4',
    where: 'tunnel pre-shared key secrets and their generated seeds',
    reason:
      "A tunnel's pre-shared key must change on both ends at once (AWS and the operator's VPN device, owned by another company): rotation is a coordinated change window, not an unattended Lambda, which would drop the tunnel.",
  },
  roleWildcard: {
    rule: 'AwsSolutions-IAM5',
    appliesTo: ['Resource::*'],
    where: 'operator roles and task execution roles',
    reason:
      "The only Resource '*' statements are ecr:GetAuthorizationToken, cloudwatch:PutMetricData and, with the CloudWatch tunnel monitor, the read-only cloudwatch:GetMetricData and cloudwatch:ListMetrics, which support no resource-level permissions; PutMetricData is limited by a cloudwatch:namespace condition to the gateway's namespace. Secrets, parameters, log groups and the image repository are granted by exact ARN.",
  },
  networkAcl: {
    rule: 'AwsSolutions-VPC3',
    where: "operator subnets' network ACLs (a warning)",
    reason:
      "The ACL is deliberate defence in depth: an operator's subnet may exchange traffic only with that operator's remote CIDRs, the load balancer and the VPC endpoints, whatever security group a future resource in it carries.",
  },
  lookupLambdaRuntime: {
    rule: 'AwsSolutions-L1',
    where: 'the transit-gateway attachment lookup (AwsCustomResource), only with a TGW and static routing',
    reason:
      'The function and its runtime are generated and versioned by aws-cdk-lib (custom-resources); it is upgraded with aws-cdk-lib, not pinned here.',
  },
  lookupLambdaManagedPolicy: {
    rule: 'AwsSolutions-IAM4',
    appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    where: 'the transit-gateway attachment lookup',
    reason:
      'AWSLambdaBasicExecutionRole only lets the lookup function write its own CloudWatch logs; the policy is attached by aws-cdk-lib custom-resources.',
  },
  lookupDescribe: {
    rule: 'AwsSolutions-IAM5',
    appliesTo: ['Resource::*'],
    where: 'the transit-gateway attachment lookup',
    reason:
      'ec2:DescribeTransitGatewayAttachments supports no resource-level permissions; the function only reads the attachment of the VPN connection it is given.',
  },
} as const satisfies Record<string, NagAcknowledgement>;

function suppress(construct: IConstruct, ack: NagAcknowledgement, applyToChildren = false): void {
  NagSuppressions.addResourceSuppressions(
    construct,
    [{ id: ack.rule, reason: ack.reason, ...(ack.appliesTo ? { appliesTo: [...ack.appliesTo] } : {}) }],
    applyToChildren,
  );
}

/** Records, on the stack's resources, each cdk-nag finding we accept, with the reason we accept it. */
export function acknowledgeNagFindings(stack: Stack): void {
  const A = NAG_ACKNOWLEDGEMENTS;
  for (const c of stack.node.findAll()) {
    const path = c.node.path;
    if (c instanceof Bucket && path.endsWith('/AccessLogs')) suppress(c, A.accessLogBucket);
    else if (c instanceof TaskDefinition) suppress(c, A.taskEnvironment);
    else if (c instanceof Secret)
      suppress(c, /\/Psk/.test(path) ? A.preSharedKeyRotation : A.apiSecretRotation);
    else if (c instanceof Role && (/\/Access\/Role$/.test(path) || /ExecutionRole$/.test(path))) {
      suppress(c, A.roleWildcard, true);
    } else if (c instanceof CfnNetworkAcl || c instanceof CfnNetworkAclEntry) suppress(c, A.networkAcl);
  }
  // The AwsCustomResource singleton lives at the stack root, created on demand.
  for (const c of stack.node.children) {
    if (!c.node.id.startsWith('AWS679f53fac002430cb0da5b7982bd2287')) continue;
    for (const child of c.node.findAll()) {
      if (child instanceof CfnFunction) suppress(child, A.lookupLambdaRuntime);
      if (child instanceof Role) suppress(child, A.lookupLambdaManagedPolicy, true);
    }
  }
  for (const c of stack.node.findAll()) {
    if (c instanceof Policy && /TgwAttachmentLookup/.test(c.node.path)) suppress(c, A.lookupDescribe);
  }
}
