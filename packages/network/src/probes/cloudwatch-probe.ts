/**
 * Tunnel state on AWS Site-to-Site VPN, where there is no charon of ours to ask: the `TunnelState`
 * metric in namespace `AWS/VPN` (1 up, 0 down), one series per tunnel with the dimensions `VpnId`
 * and `TunnelIpAddress` (AWS's outside IP of the tunnel).
 *
 * Which series is which tunnel: the outside IPs are AWS's, assigned when the connection is created,
 * so the config may pin them (`tunnelOutsideIps`, in the order of `vpn.tunnels`); otherwise they are
 * discovered with `ListMetrics` (dimension `VpnId`, recently active) and taken in ascending numeric
 * order: tunnel 1 is the lower address. That order need not be the config's tunnel order.
 *
 * One round is one `GetMetricData` call for every operator (up to 500 queries a call, more calls
 * beyond), over the last `windowMs` at `periodSeconds`, statistic Maximum; the newest datapoint of
 * each series decides: 1 up, 0 down, none unknown (never up). A failed call gives the tunnels it
 * covered an error and an unknown state; nothing is thrown, and the next round asks again.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  ListMetricsCommand,
  type ListMetricsCommandOutput,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { MnogateConfig } from '@mnogate/core';
import type {
  MonitoredTunnelPair,
  TunnelPairReading,
  TunnelStateSource,
  TunnelView,
} from './tunnel-monitor.js';

export const TUNNEL_STATE_METRIC = { namespace: 'AWS/VPN', metricName: 'TunnelState' } as const;
/** GetMetricData takes at most this many queries per call. */
export const GET_METRIC_DATA_MAX_QUERIES = 500;

/** The part of the SDK's CloudWatchClient the probe uses: injectable, so tests run without AWS. */
export interface CloudWatchClientLike {
  send(
    command: GetMetricDataCommand | ListMetricsCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown>;
  destroy?(): void;
}

export interface VpnConnectionTarget {
  readonly operatorId: string;
  /** The Site-to-Site VPN connection id, `vpn-...`. */
  readonly vpnId: string;
  /** AWS's outside IPs of tunnel 1 and tunnel 2; when absent, discovered with ListMetrics. */
  readonly tunnelOutsideIps?: readonly [string, string];
}

export type CloudWatchTunnelStatus = 'up' | 'down' | 'unknown';

export interface CloudWatchTunnelState {
  /** The TunnelIpAddress dimension, or null when it is not known (yet). */
  readonly outsideIp: string | null;
  readonly status: CloudWatchTunnelStatus;
  /** The newest datapoint's value, or null without one. */
  readonly value: number | null;
  /** The newest datapoint's timestamp (ms since epoch), or null without one. */
  readonly observedAt: number | null;
  readonly error?: string;
}

export interface VpnTunnelReading {
  readonly operatorId: string;
  readonly vpnId: string;
  readonly tunnels: readonly [CloudWatchTunnelState, CloudWatchTunnelState];
  /** The first error of this connection's tunnels, if any. */
  readonly error?: string;
}

export interface CloudWatchTunnelProbeOptions {
  readonly client: CloudWatchClientLike;
  /** How far back datapoints count. Default 300 000 (5 minutes). */
  readonly windowMs?: number;
  /** The statistic's period. Default 60 (AWS/VPN publishes TunnelState every minute). */
  readonly periodSeconds?: number;
  /** How long discovered outside IPs are kept before ListMetrics is asked again. Default 3 600 000. */
  readonly discoveryTtlMs?: number;
  /** Per AWS call. Default 10 000. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export interface CloudWatchTunnelProbe {
  /** Both tunnels of every target. Never throws: failures are per-tunnel errors. */
  read(targets: readonly VpnConnectionTarget[]): Promise<VpnTunnelReading[]>;
}

/** 1 (or more) up, 0 (or less) down, no datapoint unknown. */
export function tunnelStatusOf(value: number | null | undefined): CloudWatchTunnelStatus {
  if (value === null || value === undefined || Number.isNaN(value)) return 'unknown';
  return value >= 1 ? 'up' : 'down';
}

/** "ThrottlingException: Rate exceeded": the SDK's error name says what happened. */
function describe(err: unknown): string {
  if (err instanceof Error) {
    return err.name && err.name !== 'Error' && !err.message.startsWith(err.name)
      ? `${err.name}: ${err.message}`
      : err.message;
  }
  return String(err);
}

function ipv4Key(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return Number.NaN;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

/** Ascending numeric IPv4 order; anything else after, in string order. */
export function sortOutsideIps(ips: Iterable<string>): string[] {
  return [...new Set(ips)].sort((a, b) => {
    const ka = ipv4Key(a);
    const kb = ipv4Key(b);
    if (Number.isNaN(ka) || Number.isNaN(kb)) {
      if (Number.isNaN(ka) !== Number.isNaN(kb)) return Number.isNaN(ka) ? 1 : -1;
      return a < b ? -1 : a > b ? 1 : 0;
    }
    return ka - kb;
  });
}

/** ListMetrics calls at once (its quota is 25 a second per account and region). */
const DISCOVERY_CONCURRENCY = 4;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function createCloudWatchTunnelProbe(options: CloudWatchTunnelProbeOptions): CloudWatchTunnelProbe {
  const windowMs = options.windowMs ?? 300_000;
  const periodSeconds = options.periodSeconds ?? 60;
  const discoveryTtlMs = options.discoveryTtlMs ?? 3_600_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(periodSeconds) || periodSeconds < 1 || (periodSeconds > 60 && periodSeconds % 60)) {
    throw new RangeError(`periodSeconds ${periodSeconds}: 1 to 60, or a multiple of 60`);
  }
  if (windowMs < periodSeconds * 1_000) {
    throw new RangeError(`windowMs ${windowMs} is shorter than one period (${periodSeconds} s)`);
  }
  const discovered = new Map<string, { ips: string[]; at: number }>();

  /** The SDK call with a deadline: aborted (the real client cancels the request) and raced. */
  async function send<T>(command: GetMetricDataCommand | ListMetricsCommand): Promise<T> {
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`CloudWatch did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      return (await Promise.race([
        options.client.send(command, { abortSignal: abort.signal }),
        deadline,
      ])) as T;
    } finally {
      clearTimeout(timer);
    }
  }

  async function discover(vpnId: string): Promise<string[]> {
    const cached = discovered.get(vpnId);
    if (cached && cached.ips.length >= 2 && now() - cached.at < discoveryTtlMs) return cached.ips;
    const ips: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await send<ListMetricsCommandOutput>(
        new ListMetricsCommand({
          Namespace: TUNNEL_STATE_METRIC.namespace,
          MetricName: TUNNEL_STATE_METRIC.metricName,
          Dimensions: [{ Name: 'VpnId', Value: vpnId }],
          // a tunnel replaced long ago still has a series for two weeks; three hours is "now"
          RecentlyActive: 'PT3H',
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      for (const metric of page.Metrics ?? []) {
        const ip = metric.Dimensions?.find((d) => d.Name === 'TunnelIpAddress')?.Value;
        if (ip) ips.push(ip); // the VpnId-only series is the connection's aggregate: not a tunnel
      }
      nextToken = page.NextToken;
    } while (nextToken);
    const sorted = sortOutsideIps(ips);
    discovered.set(vpnId, { ips: sorted, at: now() });
    return sorted;
  }

  async function read(targets: readonly VpnConnectionTarget[]): Promise<VpnTunnelReading[]> {
    const end = now();
    const tunnels: { ip: string | null; error?: string; result?: MetricDataResult }[][] = [];
    const queries: { id: string; target: number; tunnel: 0 | 1; ip: string }[] = [];
    const found = await mapLimit(targets, DISCOVERY_CONCURRENCY, async (target) => {
      if (target.tunnelOutsideIps) return { ips: target.tunnelOutsideIps };
      try {
        return { ips: await discover(target.vpnId) };
      } catch (err) {
        return { ips: [], error: `ListMetrics ${target.vpnId}: ${describe(err)}` };
      }
    });
    for (const [t, target] of targets.entries()) {
      const { ips, error } = found[t] as { ips: readonly string[]; error?: string };
      tunnels[t] = ([0, 1] as const).map((i) => {
        const ip = ips[i];
        if (ip) {
          queries.push({ id: `q${queries.length}`, target: t, tunnel: i, ip });
          return { ip };
        }
        return {
          ip: null,
          error:
            error ??
            `CloudWatch lists no TunnelState series for tunnel ${i + 1} of ${target.vpnId} in the last 3 hours`,
        };
      });
    }
    // one call per 500 queries; a failed call marks only the tunnels it asked for
    for (let from = 0; from < queries.length; from += GET_METRIC_DATA_MAX_QUERIES) {
      const batch = queries.slice(from, from + GET_METRIC_DATA_MAX_QUERIES);
      const byId = new Map(batch.map((q) => [q.id, q]));
      const input = {
        MetricDataQueries: batch.map(
          (q): MetricDataQuery => ({
            Id: q.id,
            MetricStat: {
              Metric: {
                Namespace: TUNNEL_STATE_METRIC.namespace,
                MetricName: TUNNEL_STATE_METRIC.metricName,
                Dimensions: [
                  { Name: 'VpnId', Value: (targets[q.target] as VpnConnectionTarget).vpnId },
                  { Name: 'TunnelIpAddress', Value: q.ip },
                ],
              },
              Period: periodSeconds,
              Stat: 'Maximum',
            },
            ReturnData: true,
          }),
        ),
        StartTime: new Date(end - windowMs),
        EndTime: new Date(end),
        ScanBy: 'TimestampDescending' as const,
      };
      try {
        const merged = new Map<string, MetricDataResult>();
        let nextToken: string | undefined;
        do {
          const page = await send<GetMetricDataCommandOutput>(
            new GetMetricDataCommand({ ...input, ...(nextToken ? { NextToken: nextToken } : {}) }),
          );
          for (const r of page.MetricDataResults ?? []) {
            if (!r.Id || !byId.has(r.Id)) continue;
            const prev = merged.get(r.Id);
            merged.set(
              r.Id,
              prev
                ? {
                    ...r,
                    Timestamps: [...(prev.Timestamps ?? []), ...(r.Timestamps ?? [])],
                    Values: [...(prev.Values ?? []), ...(r.Values ?? [])],
                    Messages: [...(prev.Messages ?? []), ...(r.Messages ?? [])],
                  }
                : r,
            );
          }
          nextToken = page.NextToken;
        } while (nextToken);
        for (const q of batch) {
          const slot = tunnels[q.target]?.[q.tunnel];
          if (slot) slot.result = merged.get(q.id) ?? { Id: q.id, Timestamps: [], Values: [] };
        }
      } catch (err) {
        const error = `GetMetricData: ${describe(err)}`;
        for (const q of batch) {
          const slot = tunnels[q.target]?.[q.tunnel];
          if (slot) slot.error = error;
        }
      }
    }
    return targets.map((target, t) => {
      const states = (tunnels[t] ?? []).map((slot) => stateOf(slot.ip, slot.result, slot.error)) as [
        CloudWatchTunnelState,
        CloudWatchTunnelState,
      ];
      const error = states.find((s) => s.error)?.error;
      return {
        operatorId: target.operatorId,
        vpnId: target.vpnId,
        tunnels: states,
        ...(error ? { error } : {}),
      };
    });
  }

  return { read };
}

/** The newest datapoint of a series decides; a series AWS could not answer is unknown with why. */
function stateOf(
  ip: string | null,
  result: MetricDataResult | undefined,
  error?: string,
): CloudWatchTunnelState {
  if (error || !result) {
    return { outsideIp: ip, status: 'unknown', value: null, observedAt: null, error: error ?? 'not read' };
  }
  let newest: { at: number; value: number } | undefined;
  const stamps = result.Timestamps ?? [];
  const values = result.Values ?? [];
  for (let i = 0; i < Math.min(stamps.length, values.length); i++) {
    const at = new Date(stamps[i] as Date).getTime();
    const value = values[i] as number;
    if (!Number.isNaN(at) && (!newest || at > newest.at)) newest = { at, value };
  }
  const failed = result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError';
  if (!newest) {
    const why = failed
      ? `CloudWatch answered ${result.StatusCode}${result.Messages?.length ? `: ${result.Messages.map((m) => m.Value).join('; ')}` : ''}`
      : undefined;
    return {
      outsideIp: ip,
      status: 'unknown',
      value: null,
      observedAt: null,
      ...(why ? { error: why } : {}),
    };
  }
  return { outsideIp: ip, status: tunnelStatusOf(newest.value), value: newest.value, observedAt: newest.at };
}

export interface CloudWatchTunnelSourceOptions extends Omit<CloudWatchTunnelProbeOptions, 'client'> {
  /** Each monitored operator's VPN connection; a pair without one reads as unknown. */
  readonly connections: readonly VpnConnectionTarget[];
  /** The region of the VPN connections (for the client made here). */
  readonly region?: string;
  /** An injected client (tests); by default an SDK CloudWatchClient in `region`, made on first use. */
  readonly client?: CloudWatchClientLike;
}

const STATUS_STATE = { up: 'UP', down: 'DOWN', unknown: 'UNKNOWN' } as const;

/** The tunnel monitor's source on AWS: TunnelState from CloudWatch. Cannot fail over (AWS runs the tunnels). */
export function createCloudWatchTunnelSource(options: CloudWatchTunnelSourceOptions): TunnelStateSource {
  const { connections, region, client: injected, ...probeOptions } = options;
  let owned: CloudWatchClient | undefined;
  const client: CloudWatchClientLike = injected ?? {
    send(command, sendOptions) {
      owned ??= new CloudWatchClient(region ? { region } : {});
      return command instanceof GetMetricDataCommand
        ? owned.send(command, sendOptions)
        : owned.send(command, sendOptions);
    },
  };
  const probe = createCloudWatchTunnelProbe({ ...probeOptions, client });
  const byOperator = new Map(connections.map((c) => [c.operatorId, c]));
  const view = (name: string, s: CloudWatchTunnelState): TunnelView => ({
    name,
    state: STATUS_STATE[s.status],
    child: 'n/a',
    up: s.status === 'up',
    bytesIn: 0,
    bytesOut: 0,
    ...(s.outsideIp ? { outsideIp: s.outsideIp } : {}),
    ...(s.observedAt !== null ? { observedAt: s.observedAt } : {}),
    ...(s.error ? { error: s.error } : {}),
  });
  return {
    kind: 'cloudwatch',
    async read(pairs: readonly MonitoredTunnelPair[]) {
      const targets = pairs.flatMap((p) => byOperator.get(p.operatorId) ?? []);
      const readings = new Map((await probe.read(targets)).map((r) => [r.operatorId, r]));
      const out = new Map<string, TunnelPairReading>();
      for (const pair of pairs) {
        const r = readings.get(pair.operatorId);
        const names = [pair.tunnels[0].ike, pair.tunnels[1].ike] as const;
        if (!r) {
          const error = `no VPN connection configured for ${pair.operatorId}`;
          out.set(pair.operatorId, {
            tunnels: [
              view(names[0], { outsideIp: null, status: 'unknown', value: null, observedAt: null, error }),
              view(names[1], { outsideIp: null, status: 'unknown', value: null, observedAt: null, error }),
            ],
            error,
          });
          continue;
        }
        out.set(pair.operatorId, {
          tunnels: [view(names[0], r.tunnels[0]), view(names[1], r.tunnels[1])],
          ...(r.error ? { error: r.error } : {}),
        });
      }
      return out;
    },
    async close() {
      owned?.destroy();
      owned = undefined;
    },
  };
}

/**
 * The CloudWatch source that `gateway.tunnelMonitor.cloudwatch` describes, for the operators it
 * names (all of them, or `operatorIds`): what the gateway's tunnel monitor and `mnogate doctor` read.
 * Undefined when the configuration reads its tunnels another way (VICI) or not at all.
 */
export function cloudWatchTunnelSourceFor(
  config: MnogateConfig,
  options: {
    readonly operatorIds?: readonly string[];
    readonly client?: CloudWatchClientLike;
    readonly now?: () => number;
  } = {},
): TunnelStateSource | undefined {
  const cloudwatch = config.gateway.tunnelMonitor?.cloudwatch;
  if (!cloudwatch) return undefined;
  const connections = config.operators
    .filter((op) => op.vpn && (!options.operatorIds || options.operatorIds.includes(op.id)))
    .flatMap((op) => {
      const vpnId = cloudwatch.vpnConnections[op.id];
      if (vpnId === undefined) return [];
      const ips = cloudwatch.tunnelOutsideIps[op.id];
      return [{ operatorId: op.id, vpnId, ...(ips ? { tunnelOutsideIps: ips } : {}) }];
    });
  return createCloudWatchTunnelSource({
    region: cloudwatch.region ?? config.network.region,
    connections,
    ...(options.client ? { client: options.client } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
