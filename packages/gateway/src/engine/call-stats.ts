/** A sliding window of an operator's call outcomes and latencies, for p50/p95 and success rate. */
export interface CallStatsSummary {
  readonly calls: number;
  /** Share of calls with a definitive answer (succeeded or refused by the operator); null with no calls. */
  readonly successRate: number | null;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
}

export interface CallStats {
  record(ok: boolean, latencyMs: number): void;
  summary(): CallStatsSummary;
}

export function createCallStats(
  options: { windowMs?: number; maxSamples?: number; now?: () => number } = {},
): CallStats {
  const windowMs = options.windowMs ?? 300_000;
  const maxSamples = options.maxSamples ?? 10_000;
  const now = options.now ?? Date.now;
  const samples: { at: number; ok: boolean; ms: number }[] = [];
  const prune = () => {
    const cutoff = now() - windowMs;
    let drop = 0;
    while (drop < samples.length && samples[drop]!.at < cutoff) drop++;
    if (samples.length - drop > maxSamples) drop = samples.length - maxSamples;
    if (drop > 0) samples.splice(0, drop);
  };
  const percentile = (sorted: number[], p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return {
    record(ok, latencyMs) {
      samples.push({ at: now(), ok, ms: latencyMs });
      if (samples.length > maxSamples * 1.5) prune();
    },
    summary() {
      prune();
      if (samples.length === 0) return { calls: 0, successRate: null, p50Ms: null, p95Ms: null };
      const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
      return {
        calls: samples.length,
        successRate: samples.filter((s) => s.ok).length / samples.length,
        p50Ms: Math.round(percentile(sorted, 0.5) * 10) / 10,
        p95Ms: Math.round(percentile(sorted, 0.95) * 10) / 10,
      };
    },
  };
}
