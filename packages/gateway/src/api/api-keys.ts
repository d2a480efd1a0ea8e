/** API keys: `mng_` + 40 random base62 characters, shown once; the store keeps only a sha256. */
import { createHash, randomBytes } from 'node:crypto';
import { newIdBody } from '../engine/ids.js';
import type { ApiKeyRecord, ApiScope } from '../store/store.js';

export const API_SCOPES: readonly ApiScope[] = ['recharge:write', 'recharge:read', 'admin', 'metrics'];
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface NewApiKey {
  /** The key itself: give it to the client once; it is not stored. */
  readonly key: string;
  readonly record: ApiKeyRecord;
}

export function generateApiKey(input: {
  clientId: string;
  name: string;
  scopes: readonly ApiScope[];
  webhookUrl?: string | null;
  now?: number;
}): NewApiKey {
  const bytes = randomBytes(40);
  let body = '';
  for (const b of bytes) body += BASE62[b % 62];
  const key = `mng_${body}`;
  const createdAt = input.now ?? Date.now();
  return {
    key,
    record: {
      id: `key_${newIdBody(createdAt)}`,
      clientId: input.clientId,
      name: input.name,
      hash: hashApiKey(key),
      scopes: [...input.scopes],
      webhookUrl: input.webhookUrl ?? null,
      webhookSecret: input.webhookUrl ? `whsec_${randomBytes(24).toString('base64url')}` : null,
      createdAt,
      revokedAt: null,
    },
  };
}

/** Parses `recharge:write,recharge:read`; throws on an unknown scope. */
export function parseScopes(text: string): ApiScope[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of scopes) {
    if (!(API_SCOPES as readonly string[]).includes(s)) {
      throw new Error(`unknown scope '${s}' (known: ${API_SCOPES.join(', ')})`);
    }
  }
  if (scopes.length === 0) throw new Error('at least one scope is required');
  return scopes as ApiScope[];
}
