import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, Metric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnVPNConnection } from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { tunnelStateMetric } from './tunnel-alarms.js';

/** Where the gateway publishes its metrics, and their names (dimension `OperatorId`). */
export const GATEWAY_METRICS = {
  namespace: 'Mnogate',
  dimension: 'OperatorId',
  succeeded: 'RechargesSucceeded',
  failed: 'RechargesFailed',
  unknown: 'RechargesUnknown',
  latencyMs: 'OperatorLatencyMs',
} as const;

export interface OpsDashboardProps {
  /** Every operator, with its VPN connection when it has one. */
  readonly operators: readonly { readonly operatorId: string; readonly connection?: CfnVPNConnection }[];
  /**
   * The dashboard's name.
   * @default 'mnogate-operations'
   */
  readonly dashboardName?: string;
  /**
   * The gateway's metrics namespace.
   * @default GATEWAY_METRICS.namespace
   */
  readonly metricsNamespace?: string;
  /**
   * The period of every graph.
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
}

/**
 * One CloudWatch dashboard for operations: per VPN connection its tunnel state and data in and
 * out; per operator its recharge outcomes and latency from the gateway's own metrics.
 */
export class OpsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(1);
    const namespace = props.metricsNamespace ?? GATEWAY_METRICS.namespace;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? 'mnogate-operations',
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# mnogate\nTunnel state (1 up, 0 down), tunnel traffic, and recharge outcomes per operator.',
        width: 24,
        height: 2,
      }),
    );
    const vpnMetric = (vpnId: string, metricName: string, label: string) =>
      new Metric({
        namespace: 'AWS/VPN',
        metricName,
        dimensionsMap: { VpnId: vpnId },
        statistic: 'Sum',
        period,
        label,
      });
    const gatewayMetric = (operatorId: string, metricName: string, statistic: string, label: string) =>
      new Metric({
        namespace,
        metricName,
        dimensionsMap: { [GATEWAY_METRICS.dimension]: operatorId },
        statistic,
        period,
        label,
      });

    for (const op of props.operators) {
      const row = [];
      if (op.connection) {
        const vpnId = op.connection.ref;
        row.push(
          new GraphWidget({
            title: `${op.operatorId}: tunnel state`,
            left: [
              tunnelStateMetric(vpnId, 'Maximum', period).with({ label: 'any tunnel up' }),
              tunnelStateMetric(vpnId, 'Minimum', period).with({ label: 'both tunnels up' }),
            ],
            leftYAxis: { min: 0, max: 1 },
            width: 6,
          }),
          new GraphWidget({
            title: `${op.operatorId}: tunnel data (bytes)`,
            left: [vpnMetric(vpnId, 'TunnelDataIn', 'in'), vpnMetric(vpnId, 'TunnelDataOut', 'out')],
            width: 6,
          }),
        );
      }
      row.push(
        new GraphWidget({
          title: `${op.operatorId}: recharges`,
          left: [
            gatewayMetric(op.operatorId, GATEWAY_METRICS.succeeded, 'Sum', 'succeeded'),
            gatewayMetric(op.operatorId, GATEWAY_METRICS.failed, 'Sum', 'failed'),
            gatewayMetric(op.operatorId, GATEWAY_METRICS.unknown, 'Sum', 'unknown'),
          ],
          width: 6,
        }),
        new GraphWidget({
          title: `${op.operatorId}: operator latency (ms)`,
          left: [
            gatewayMetric(op.operatorId, GATEWAY_METRICS.latencyMs, 'p50', 'p50'),
            gatewayMetric(op.operatorId, GATEWAY_METRICS.latencyMs, 'p99', 'p99'),
          ],
          width: 6,
        }),
      );
      this.dashboard.addWidgets(...row);
    }
  }
}
