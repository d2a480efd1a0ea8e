import { z } from 'zod';
import { configSchema } from './schema.js';

/** The JSON Schema of mnogate.yaml for editors, generated from the zod schema (input shape: defaults are optional). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: 'https://mnogate.dev/schema/mnogate.schema.json',
    title: 'mnogate.yaml',
    description:
      'The mnogate operator configuration. Generated from packages/core/src/config/schema.ts: do not edit.',
  };
}
