import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  ResourceNotFoundException,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import { MnogateError } from '@mnogate/core';
import type { SecretsProvider } from './provider.js';

export interface AwsSecretsProviderOptions {
  /** @default the SDK's (AWS_REGION, the profile, the instance metadata) */
  readonly region?: string | undefined;
  /** Another Secrets Manager endpoint: a VPC endpoint's DNS name, LocalStack, a test server. */
  readonly endpoint?: string | undefined;
  /** How long a fetched value is used before it is fetched again (rotation without a restart). */
  readonly refreshMs: number;
  /** @default the SDK's default chain (env, profile, container or instance role) */
  readonly credentials?: SecretsManagerClientConfig['credentials'];
  /** Injected clock. @default Date.now */
  readonly now?: () => number;
}

export interface AwsSecretsProvider extends SecretsProvider {
  /** Closes the SDK client's connections. */
  close(): void;
}

interface Cached {
  readonly value: string;
  readonly fetchedAt: number;
}

/**
 * Reads secrets from AWS Secrets Manager (GetSecretValue, the secret's name or ARN), cached for
 * `refreshMs`. A value past its refresh time is fetched again on the next get; if that fetch fails
 * the last good value is kept (the secret did not go away because the API blinked), but a secret
 * that was never fetched is an error.
 */
export function createAwsSecretsProvider(options: AwsSecretsProviderOptions): AwsSecretsProvider {
  const now = options.now ?? Date.now;
  const client = new SecretsManagerClient({
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    maxAttempts: 3,
  });
  const cache = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<string>>();

  async function fetchValue(name: string): Promise<string> {
    let out: GetSecretValueCommandOutput;
    try {
      out = await client.send(new GetSecretValueCommand({ SecretId: name }));
    } catch (err) {
      const stale = cache.get(name);
      if (stale && !(err instanceof ResourceNotFoundException)) return stale.value;
      const why = err instanceof ResourceNotFoundException ? 'not found' : (err as Error).name || 'error';
      throw new MnogateError(
        'MNOGATE_ERR_SECRET_MISSING',
        `secret '${name}' cannot be read from AWS Secrets Manager (${why})`,
        { secret: name, provider: 'aws' },
      );
    }
    const value =
      out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
    if (value === undefined || value === '') {
      throw new MnogateError(
        'MNOGATE_ERR_SECRET_MISSING',
        `secret '${name}' has no value in AWS Secrets Manager`,
        {
          secret: name,
          provider: 'aws',
        },
      );
    }
    cache.set(name, { value, fetchedAt: now() });
    return value;
  }

  return {
    async get(name) {
      const hit = cache.get(name);
      if (hit && now() - hit.fetchedAt < options.refreshMs) return hit.value;
      // concurrent gets of one secret share one request
      let pending = inFlight.get(name);
      if (!pending) {
        pending = fetchValue(name).finally(() => inFlight.delete(name));
        inFlight.set(name, pending);
      }
      return pending;
    },
    close() {
      client.destroy();
    },
  };
}
