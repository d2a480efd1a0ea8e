/** The running configuration, and its reload: validated first; a bad one is refused and the running one stays. */
import type { FastifyInstance } from 'fastify';
import { requireKey } from '../auth.js';
import { problemRef } from '../schemas.js';

export interface ConfigReloadResult {
  readonly applied: boolean;
  readonly changes: readonly { path: string; kind: string }[];
  /** Settings that changed but only take effect after a restart (listen address, store). */
  readonly restartRequired: readonly string[];
}

export interface AdminConfigOptions {
  /** The running configuration's YAML text. */
  readonly currentYaml: () => string;
  /** Validates and applies `yaml` (or the config file when absent); throws a MnogateError with `issues` when refused. */
  readonly reload: (yaml: string | undefined, actor: string) => Promise<ConfigReloadResult>;
}

export function adminConfigRoutes(options: AdminConfigOptions) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/v1/admin/config',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['admin'],
          summary: 'The running configuration (YAML; secrets appear only as references)',
          response: { 200: { type: 'object', properties: { yaml: { type: 'string' } } }, '4xx': problemRef },
        },
      },
      async () => ({ yaml: options.currentYaml() }),
    );

    app.post<{ Body: { yaml?: string } | undefined }>(
      '/v1/admin/config/reload',
      {
        config: { scope: 'admin' },
        bodyLimit: 1_048_576,
        schema: {
          tags: ['admin'],
          summary:
            'Reload the configuration: from the given YAML (which is then saved to the config file) or from the file',
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { yaml: { type: 'string', minLength: 1, maxLength: 1_000_000 } },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                applied: { type: 'boolean' },
                changes: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { path: { type: 'string' }, kind: { type: 'string' } },
                  },
                },
                restartRequired: { type: 'array', items: { type: 'string' } },
              },
            },
            '4xx': problemRef,
          },
        },
      },
      async (request) => {
        const key = requireKey(request);
        return options.reload(request.body?.yaml, `admin:${key.name}`);
      },
    );
  };
}
