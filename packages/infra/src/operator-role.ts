import { Effect, type IPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

export interface OperatorRoleProps {
  readonly operatorId: string;
  /** Who runs as the role: `ecs-tasks.amazonaws.com` for a task, `ec2.amazonaws.com` for an instance. */
  readonly assumedBy: IPrincipal;
  /** The operator's own API credential secrets: the only secrets the role can read. */
  readonly secrets: readonly ISecret[];
  /** The operator's own subnet parameter: the only parameter the role can read. */
  readonly parameter: IStringParameter;
  /**
   * The CloudWatch namespace the gateway publishes its metrics to; `PutMetricData` is limited to it.
   * @default - no permission to publish metrics
   */
  readonly metricsNamespace?: string;
  /**
   * Let the gateway read its VPN tunnels' state from CloudWatch (AWS/VPN TunnelState):
   * `cloudwatch:GetMetricData`, and with `discover` also `cloudwatch:ListMetrics` (to find tunnel
   * outside IPs the config does not pin). Both are read-only and allow no resource but `*`.
   * @default - no permission to read metrics
   */
  readonly tunnelStateRead?: { readonly discover: boolean };
}

/**
 * The least-privilege identity of one operator's gateway: it reads its own secrets and subnet
 * parameter and nothing of any other operator.
 */
export class OperatorRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: OperatorRoleProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: props.assumedBy,
      description: `mnogate ${props.operatorId}: reads only this operator's secrets and parameter`,
    });
    for (const secret of props.secrets) secret.grantRead(this.role);
    props.parameter.grantRead(this.role);
    if (props.metricsNamespace) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': props.metricsNamespace } },
        }),
      );
    }
    if (props.tunnelStateRead) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [
            'cloudwatch:GetMetricData',
            ...(props.tunnelStateRead.discover ? ['cloudwatch:ListMetrics'] : []),
          ],
          resources: ['*'],
        }),
      );
    }
  }
}
