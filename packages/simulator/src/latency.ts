/** How long a successful answer takes: drawn per request. */
export interface LatencyDistribution {
  /** `fixed` is always minMs; `exponential` has its mean a quarter of the way from minMs to maxMs. */
  readonly distribution?: 'fixed' | 'uniform' | 'exponential';
  readonly minMs: number;
  readonly maxMs: number;
}

export const NO_LATENCY: LatencyDistribution = { distribution: 'fixed', minMs: 0, maxMs: 0 };

export function drawLatencyMs(d: LatencyDistribution, random: () => number): number {
  const min = Math.max(0, d.minMs);
  const max = Math.max(min, d.maxMs);
  switch (d.distribution ?? 'uniform') {
    case 'fixed':
      return min;
    case 'exponential': {
      const mean = (max - min) / 4;
      return Math.min(max, Math.round(min - mean * Math.log(1 - random())));
    }
    default:
      return Math.round(min + random() * (max - min));
  }
}

export function isLatencyDistribution(v: unknown): v is LatencyDistribution {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.minMs === 'number' &&
    typeof o.maxMs === 'number' &&
    o.minMs >= 0 &&
    o.maxMs >= o.minMs &&
    (o.distribution === undefined || ['fixed', 'uniform', 'exponential'].includes(o.distribution as string))
  );
}
