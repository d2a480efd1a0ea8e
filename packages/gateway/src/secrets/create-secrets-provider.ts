import { resolve } from 'node:path';
import type { SecretsConfig } from '@mnogate/core';
import { type AwsSecretsProviderOptions, createAwsSecretsProvider } from './aws-provider.js';
import { createEnvSecretsProvider } from './env-provider.js';
import { createFileSecretsProvider } from './file-provider.js';
import type { SecretsProvider } from './provider.js';

export interface CreateSecretsProviderOptions {
  /** The configuration file's directory: a relative `file` dir resolves against it. */
  readonly baseDir: string;
  /** The environment for the `env` provider (the CLI passes process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Credentials for the `aws` provider. @default the AWS SDK's default chain */
  readonly awsCredentials?: AwsSecretsProviderOptions['credentials'];
}

/** Builds the provider that `gateway.secrets` names. */
export function createSecretsProvider(
  config: SecretsConfig,
  options: CreateSecretsProviderOptions,
): SecretsProvider {
  switch (config.provider) {
    case 'env':
      return createEnvSecretsProvider({ env: options.env, prefix: config.prefix });
    case 'file':
      return createFileSecretsProvider({ dir: resolve(options.baseDir, config.dir) });
    case 'aws':
      return createAwsSecretsProvider({
        region: config.region,
        endpoint: config.endpoint,
        refreshMs: config.refreshMs,
        ...(options.awsCredentials !== undefined ? { credentials: options.awsCredentials } : {}),
      });
  }
}
