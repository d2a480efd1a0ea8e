import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnVPNConnection } from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface TunnelAlarmsProps {
  readonly operatorId: string;
  readonly connection: CfnVPNConnection;
  /**
   * Where the alarms notify.
   * @default - no action (visible on the dashboard and in the console)
   */
  readonly alarmAction?: IAlarmAction;
  /**
   * The period of the TunnelState statistic.
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
  /**
   * Consecutive breaching periods before an alarm fires.
   * @default 3
   */
  readonly evaluationPeriods?: number;
}

/** The AWS/VPN TunnelState metric of a connection (1 up, 0 down; across both tunnels). */
export function tunnelStateMetric(vpnId: string, statistic: 'Maximum' | 'Minimum', period: Duration): Metric {
  return new Metric({
    namespace: 'AWS/VPN',
    metricName: 'TunnelState',
    dimensionsMap: { VpnId: vpnId },
    statistic,
    period,
  });
}

/**
 * Two alarms per VPN connection on AWS/VPN TunnelState: Maximum <= 0 means both tunnels are down
 * (the operator is unreachable); Minimum <= 0.5 means one is down (no redundancy left). Missing
 * data counts as down: a connection that reports nothing is not known to be up.
 */
export class TunnelAlarms extends Construct {
  readonly bothDown: Alarm;
  readonly oneDown: Alarm;

  constructor(scope: Construct, id: string, props: TunnelAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(1);
    const evaluationPeriods = props.evaluationPeriods ?? 3;
    const vpnId = props.connection.ref;
    this.bothDown = new Alarm(this, 'BothTunnelsDown', {
      alarmDescription: `mnogate ${props.operatorId}: both VPN tunnels are down`,
      metric: tunnelStateMetric(vpnId, 'Maximum', period),
      threshold: 0,
      comparisonOperator: ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods,
      treatMissingData: TreatMissingData.BREACHING,
    });
    this.oneDown = new Alarm(this, 'OneTunnelDown', {
      alarmDescription: `mnogate ${props.operatorId}: one VPN tunnel is down`,
      metric: tunnelStateMetric(vpnId, 'Minimum', period),
      threshold: 0.5,
      comparisonOperator: ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods,
      treatMissingData: TreatMissingData.BREACHING,
    });
    if (props.alarmAction) {
      this.bothDown.addAlarmAction(props.alarmAction);
      this.oneDown.addAlarmAction(props.alarmAction);
    }
  }
}
