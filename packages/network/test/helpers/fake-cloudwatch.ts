/**
 * A stand-in for the CloudWatch API, which cannot run here: it records each command it is sent and
 * answers from a script. Only for the AWS side; everything else in these tests is real.
 */
import {
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  ListMetricsCommand,
  type ListMetricsCommandInput,
  type ListMetricsCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import type { CloudWatchClientLike } from '../../src/probes/cloudwatch-probe.js';

export type RecordedCall =
  | {
      readonly kind: 'GetMetricData';
      readonly input: GetMetricDataCommandInput;
      readonly signal?: AbortSignal;
    }
  | { readonly kind: 'ListMetrics'; readonly input: ListMetricsCommandInput; readonly signal?: AbortSignal };

export interface FakeCloudWatchScript {
  getMetricData?(input: GetMetricDataCommandInput): Partial<GetMetricDataCommandOutput> | Promise<never>;
  listMetrics?(input: ListMetricsCommandInput): Partial<ListMetricsCommandOutput> | Promise<never>;
}

export interface FakeCloudWatch {
  readonly client: CloudWatchClientLike;
  readonly calls: RecordedCall[];
  /** Replaces the answers from now on (the next round). */
  script: FakeCloudWatchScript;
}

export function fakeCloudWatch(script: FakeCloudWatchScript): FakeCloudWatch {
  const fake: FakeCloudWatch = {
    calls: [],
    script,
    client: {
      async send(command, options) {
        const signal = options?.abortSignal;
        if (command instanceof GetMetricDataCommand) {
          fake.calls.push({ kind: 'GetMetricData', input: command.input, ...(signal ? { signal } : {}) });
          if (!fake.script.getMetricData) throw new Error('unexpected GetMetricData');
          return fake.script.getMetricData(command.input);
        }
        if (command instanceof ListMetricsCommand) {
          fake.calls.push({ kind: 'ListMetrics', input: command.input, ...(signal ? { signal } : {}) });
          if (!fake.script.listMetrics) throw new Error('unexpected ListMetrics');
          return fake.script.listMetrics(command.input);
        }
        throw new Error('unexpected command');
      },
    },
  };
  return fake;
}

/** An error shaped like the SDK's service exceptions (name = the AWS error code). */
export function awsError(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

/** The TunnelIpAddress of a GetMetricData query. */
export function tunnelIpOf(q: NonNullable<GetMetricDataCommandInput['MetricDataQueries']>[number]): string {
  return q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'TunnelIpAddress')?.Value ?? '';
}

/** Answers each query from a table of outside IP -> datapoints (newest last here; the probe must not care). */
export function answerByIp(
  series: Readonly<Record<string, readonly (readonly [number, number])[]>>,
): (input: GetMetricDataCommandInput) => Partial<GetMetricDataCommandOutput> {
  return (input) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
      const points = series[tunnelIpOf(q)] ?? [];
      return {
        Id: q.Id,
        Label: 'TunnelState',
        StatusCode: 'Complete' as const,
        Timestamps: points.map(([at]) => new Date(at)),
        Values: points.map(([, v]) => v),
      };
    }),
  });
}
