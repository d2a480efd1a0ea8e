/**
 * API key authentication and scopes. Each route declares the scope it needs in its config
 * (`config: { scope: 'recharge:write' }`); a route without one is public (health, docs, console).
 * `admin` implies every other scope.
 */
import { MnogateError } from '@mnogate/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyRecord, ApiScope, Store } from '../store/store.js';
import { hashApiKey } from './api-keys.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route requires; absent means public. An array means any of them. */
    scope?: ApiScope | readonly ApiScope[];
  }
  interface FastifyRequest {
    apiKey: ApiKeyRecord | null;
  }
}

export interface AuthOptions {
  readonly store: Store;
  /**
   * How long a looked-up key is cached. A revocation through this process's store takes effect at
   * once; one made elsewhere (the CLI, another replica) within this. @default 5_000
   */
  readonly cacheMs?: number;
  /** Requests per API key: a token bucket per key id in this process; false turns it off. @default DEFAULT_KEY_RATE_LIMIT */
  readonly rateLimit?: KeyRateLimit | false;
  readonly now?: () => number;
}

export interface KeyRateLimit {
  /** Sustained requests per second. */
  readonly ratePerSecond: number;
  /** Requests a key may make at once after being idle. */
  readonly burst: number;
}

/** 100 requests per second per key, bursts of 200: well above a fintech's normal rate, a brake on a runaway client. */
export const DEFAULT_KEY_RATE_LIMIT: KeyRateLimit = { ratePerSecond: 100, burst: 200 };

/** Token buckets per key id; idle full buckets are forgotten so the map stays small. */
function createKeyLimiter(limit: KeyRateLimit, now: () => number) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  let lastSweep = now();
  return {
    /** 0 when admitted, else the seconds until a token is there. */
    take(keyId: string): number {
      const t = now();
      if (t - lastSweep > 60_000) {
        lastSweep = t;
        const fullAfterMs = (limit.burst / limit.ratePerSecond) * 1000;
        for (const [id, b] of buckets) if (t - b.at > fullAfterMs) buckets.delete(id);
      }
      const b = buckets.get(keyId) ?? { tokens: limit.burst, at: t };
      b.tokens = Math.min(limit.burst, b.tokens + ((t - b.at) / 1000) * limit.ratePerSecond);
      b.at = t;
      buckets.set(keyId, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / limit.ratePerSecond));
    },
  };
}

export function hasScope(key: ApiKeyRecord, needed: ApiScope | readonly ApiScope[]): boolean {
  if (key.scopes.includes('admin')) return true;
  const list: readonly ApiScope[] = typeof needed === 'string' ? [needed] : needed;
  return list.some((s) => key.scopes.includes(s));
}

export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const cacheMs = options.cacheMs ?? 5_000;
  const cache = new Map<string, { key: ApiKeyRecord | null; until: number }>();
  const now = options.now ?? Date.now;
  const limit = options.rateLimit === undefined ? DEFAULT_KEY_RATE_LIMIT : options.rateLimit;
  const limiter = limit ? createKeyLimiter(limit, now) : undefined;
  // a key revoked through this store stops working here at once, not after the cache time
  const unsubscribe = options.store.onApiKeyRevoked?.((id) => {
    for (const [hash, entry] of cache) if (entry.key?.id === id) cache.delete(hash);
  });
  if (unsubscribe) app.addHook('onClose', async () => unsubscribe());

  async function lookup(hash: string): Promise<ApiKeyRecord | null> {
    const hit = cache.get(hash);
    const t = Date.now();
    if (hit && hit.until > t) return hit.key;
    const key = await options.store.findApiKeyByHash(hash);
    if (cache.size > 10_000) cache.clear();
    cache.set(hash, { key, until: t + cacheMs });
    return key;
  }

  app.decorateRequest('apiKey', null);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const needed = request.routeOptions.config?.scope;
    if (!needed) return;
    const header = request.headers.authorization;
    if (!header) throw new MnogateError('MNOGATE_ERR_AUTH_MISSING', 'send Authorization: Bearer <api key>');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match)
      throw new MnogateError('MNOGATE_ERR_AUTH_INVALID', 'the Authorization header must be Bearer <api key>');
    const key = await lookup(hashApiKey(match[1]!));
    if (!key || key.revokedAt !== null) throw new MnogateError('MNOGATE_ERR_AUTH_INVALID');
    if (!hasScope(key, needed)) {
      throw new MnogateError(
        'MNOGATE_ERR_AUTH_SCOPE',
        `this needs the scope ${[needed].flat().join(' or ')}`,
      );
    }
    const retryAfterSeconds = limiter?.take(key.id) ?? 0;
    if (retryAfterSeconds > 0) {
      reply.header('retry-after', String(retryAfterSeconds));
      throw new MnogateError('MNOGATE_ERR_AUTH_RATE_LIMITED', undefined, { retryAfterSeconds });
    }
    request.apiKey = key;
  });
}

/** The authenticated key of a route that declared a scope. */
export function requireKey(request: FastifyRequest): ApiKeyRecord {
  if (!request.apiKey) throw new MnogateError('MNOGATE_ERR_AUTH_MISSING');
  return request.apiKey;
}
