import { MnogateError } from '@mnogate/core';
import type { SecretsProvider } from './provider.js';

export interface EnvSecretsProviderOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Prepended to the upper-cased name; default `MNOGATE_SECRET_`. */
  readonly prefix?: string;
}

export const DEFAULT_ENV_SECRET_PREFIX = 'MNOGATE_SECRET_';

/** The env var that holds a secret: `mno/awcc-api` -> `MNOGATE_SECRET_MNO_AWCC_API`. */
export function envVarName(name: string, prefix: string = DEFAULT_ENV_SECRET_PREFIX): string {
  return prefix + name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Reads secrets from environment variables (the CLI passes process.env; tests pass a plain object). */
export function createEnvSecretsProvider(options: EnvSecretsProviderOptions): SecretsProvider {
  const prefix = options.prefix ?? DEFAULT_ENV_SECRET_PREFIX;
  return {
    async get(name) {
      const variable = envVarName(name, prefix);
      const value = options.env[variable];
      if (value === undefined || value === '') {
        throw new MnogateError(
          'MNOGATE_ERR_SECRET_MISSING',
          `secret '${name}' is not set (env ${variable})`,
          {
            secret: name,
            variable,
          },
        );
      }
      return value;
    },
  };
}
