/**
 * CloudWatch metrics without an API call: every interval, one line per operator in CloudWatch's
 * embedded metric format (EMF) on stdout. On AWS the task's log driver (awslogs) ships the line to
 * CloudWatch Logs, which extracts the metrics: the dashboard's RechargesSucceeded, RechargesFailed,
 * RechargesUnknown (counts) and OperatorLatencyMs (one sample per operator call, for p50 and p99),
 * dimension OperatorId, in the configured namespace. No credentials, no network, no SDK.
 *
 * The names are the CDK dashboard's (`GATEWAY_METRICS` in packages/infra/src/ops-dashboard.ts);
 * a test holds the two together.
 */
import type { EngineEvents } from '../engine/engine-events.js';

export const EMF_METRICS = {
  dimension: 'OperatorId',
  succeeded: 'RechargesSucceeded',
  failed: 'RechargesFailed',
  unknown: 'RechargesUnknown',
  latencyMs: 'OperatorLatencyMs',
} as const;

/** EMF takes at most 100 values per metric per line; more samples go on further lines. */
export const EMF_MAX_VALUES = 100;

export interface EmfPublisherOptions {
  /** The CloudWatch namespace (the CDK dashboard reads `Mnogate`). */
  readonly namespace: string;
  /** How often the lines are written. @default 60_000 */
  readonly intervalMs?: number;
  /**
   * Latency samples kept per operator per interval: beyond it, a uniform random sample (reservoir)
   * of the calls, so the percentiles stay fair and the log stays small. @default 1_000 (10 lines)
   */
  readonly maxSamples?: number;
  /** Where a line goes. @default process.stdout (synchronous on Linux for files and pipes) */
  readonly write?: (line: string) => void;
  readonly now?: () => number;
}

export interface EmfPublisher {
  /** Feed these to the engine (combineEvents). */
  readonly events: EngineEvents;
  /** Writes what was counted since the last flush, one line per operator (more for many samples). */
  flush(): void;
  start(): void;
  /** Stops the timer and flushes the rest. */
  stop(): void;
}

interface Tally {
  succeeded: number;
  failed: number;
  unknown: number;
  /** Calls seen this interval (the reservoir holds at most maxSamples of them). */
  calls: number;
  latencies: number[];
}

export function createEmfPublisher(options: EmfPublisherOptions): EmfPublisher {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 60_000;
  const maxSamples = options.maxSamples ?? 1_000;
  let tallies = new Map<string, Tally>();
  let timer: NodeJS.Timeout | undefined;

  const tally = (operatorId: string): Tally => {
    let t = tallies.get(operatorId);
    if (!t) {
      t = { succeeded: 0, failed: 0, unknown: 0, calls: 0, latencies: [] };
      tallies.set(operatorId, t);
    }
    return t;
  };

  const line = (operatorId: string, fields: Record<string, number | number[]>): string => {
    const metrics = Object.keys(fields).map((name) => ({
      Name: name,
      Unit: name === EMF_METRICS.latencyMs ? 'Milliseconds' : 'Count',
    }));
    const doc = {
      _aws: {
        Timestamp: now(),
        CloudWatchMetrics: [
          { Namespace: options.namespace, Dimensions: [[EMF_METRICS.dimension]], Metrics: metrics },
        ],
      },
      [EMF_METRICS.dimension]: operatorId,
      ...fields,
    };
    return `${JSON.stringify(doc)}\n`;
  };

  function flush(): void {
    const done = tallies;
    tallies = new Map();
    for (const [operatorId, t] of done) {
      const samples = t.latencies.map((ms) => Math.round(ms * 10) / 10);
      const first = samples.slice(0, EMF_MAX_VALUES);
      write(
        line(operatorId, {
          [EMF_METRICS.succeeded]: t.succeeded,
          [EMF_METRICS.failed]: t.failed,
          [EMF_METRICS.unknown]: t.unknown,
          ...(first.length > 0 ? { [EMF_METRICS.latencyMs]: first } : {}),
        }),
      );
      for (let i = EMF_MAX_VALUES; i < samples.length; i += EMF_MAX_VALUES) {
        write(line(operatorId, { [EMF_METRICS.latencyMs]: samples.slice(i, i + EMF_MAX_VALUES) }));
      }
    }
  }

  return {
    events: {
      transition(e) {
        if (e.to === 'succeeded') tally(e.operatorId).succeeded += 1;
        else if (e.to === 'failed') tally(e.operatorId).failed += 1;
        else if (e.to === 'unknown' && e.from !== 'unknown') tally(e.operatorId).unknown += 1;
      },
      operatorCall(e) {
        if (e.outcome === 'not-sent') return; // no operator latency to speak of
        const t = tally(e.operatorId);
        t.calls += 1;
        if (t.latencies.length < maxSamples) t.latencies.push(e.durationMs);
        else {
          const slot = Math.floor(Math.random() * t.calls);
          if (slot < maxSamples) t.latencies[slot] = e.durationMs;
        }
      },
    },
    flush,
    start() {
      if (timer) return;
      timer = setInterval(flush, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      flush();
    },
  };
}
