import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { MnogateError } from '@mnogate/core';
import type { SecretsProvider } from './provider.js';

export interface FileSecretsProviderOptions {
  /** The directory holding one file per secret, named as the secret (sub-directories allowed). */
  readonly dir: string;
}

/** Reads the secret `<name>` from the file `<dir>/<name>`; one trailing newline is dropped. */
export function createFileSecretsProvider(options: FileSecretsProviderOptions): SecretsProvider {
  const root = resolve(options.dir);
  return {
    async get(name) {
      const segments = name.split('/');
      if (name === '' || isAbsolute(name) || segments.some((s) => s === '' || s === '.' || s === '..')) {
        throw new MnogateError(
          'MNOGATE_ERR_SECRET_REFERENCE',
          `secret name '${name}' must be a relative path inside the secrets directory`,
          { secret: name },
        );
      }
      const file = resolve(root, ...segments);
      if (!file.startsWith(root + sep)) {
        throw new MnogateError(
          'MNOGATE_ERR_SECRET_REFERENCE',
          `secret name '${name}' leaves the secrets directory`,
          {
            secret: name,
          },
        );
      }
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        throw new MnogateError('MNOGATE_ERR_SECRET_MISSING', `secret '${name}' cannot be read (${code})`, {
          secret: name,
          file,
        });
      }
      return text.replace(/\r?\n$/, '');
    },
  };
}
