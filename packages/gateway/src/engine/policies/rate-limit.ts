/**
 * A token-bucket rate limit per operator. The bucket lives in a backend: in this process (one
 * replica, SQLite), or in PostgreSQL so that every replica draws from one bucket (an operator's
 * limit is for the whole platform, not per replica). PostgreSQL, not Redis: it is already the one
 * shared dependency of a scaled-out deployment, and an atomic UPDATE ... RETURNING on one row costs
 * one round trip per admitted call. See docs/resilience.md.
 */
import { MnogateError } from '@mnogate/core';
import type { PolicyLayer } from './policy-layer.js';

export interface TokenBucketSpec {
  readonly key: string;
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface TakeResult {
  readonly granted: boolean;
  /** When not granted: how long until one token is there. */
  readonly retryAfterMs: number;
}

/** Where buckets live. One contract suite (test/policies/rate-limit-backends.test.ts) covers every backend. */
export interface RateLimitBackend {
  readonly name: string;
  take(bucket: TokenBucketSpec, now: number): Promise<TakeResult>;
  close(): Promise<void>;
}

/** The refill arithmetic both backends share: tokens after refill, capped at burst. */
export function refill(tokens: number, lastMs: number, now: number, spec: TokenBucketSpec): number {
  return Math.min(spec.burst, tokens + (Math.max(0, now - lastMs) * spec.ratePerSecond) / 1000);
}

export function createLocalRateLimitBackend(): RateLimitBackend {
  const buckets = new Map<string, { tokens: number; lastMs: number }>();
  return {
    name: 'local',
    async take(spec, now) {
      const b = buckets.get(spec.key) ?? { tokens: spec.burst, lastMs: now };
      const tokens = refill(b.tokens, b.lastMs, now, spec);
      if (tokens >= 1) {
        buckets.set(spec.key, { tokens: tokens - 1, lastMs: now });
        return { granted: true, retryAfterMs: 0 };
      }
      buckets.set(spec.key, { tokens, lastMs: now });
      return { granted: false, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / spec.ratePerSecond) };
    },
    async close() {},
  };
}

export interface RateLimitOptions {
  readonly operatorId: string;
  readonly ratePerSecond: number;
  /** @default ceil(ratePerSecond) */
  readonly burst?: number | undefined;
  readonly backend: RateLimitBackend;
  readonly now?: () => number;
}

export function createRateLimit(options: RateLimitOptions): PolicyLayer {
  if (!(options.ratePerSecond > 0))
    throw new RangeError(`ratePerSecond must be positive, got ${options.ratePerSecond}`);
  const spec: TokenBucketSpec = {
    key: `operator:${options.operatorId}`,
    ratePerSecond: options.ratePerSecond,
    burst: options.burst ?? Math.max(1, Math.ceil(options.ratePerSecond)),
  };
  const now = options.now ?? Date.now;
  return {
    name: 'rate-limit',
    async admit() {
      let result: TakeResult;
      try {
        result = await options.backend.take(spec, now());
      } catch (err) {
        // the shared bucket (PostgreSQL) did not answer: refuse without sending, with a code that says why
        throw new MnogateError(
          'MNOGATE_ERR_POLICY_RATE_LIMIT_UNAVAILABLE',
          `operator ${options.operatorId}: the ${options.backend.name} rate limit failed: ${(err as Error).message}`,
          { operatorId: options.operatorId, backend: options.backend.name },
          { cause: err },
        );
      }
      if (!result.granted) {
        throw new MnogateError(
          'MNOGATE_ERR_POLICY_RATE_LIMITED',
          `operator ${options.operatorId} allows ${options.ratePerSecond} calls per second`,
          { operatorId: options.operatorId, retryAfterMs: result.retryAfterMs },
        );
      }
      return () => {};
    },
  };
}
