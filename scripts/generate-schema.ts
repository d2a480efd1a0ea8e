// Writes packages/core/schema/mnogate.schema.json from the zod schema. `npm run schema`.
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '@mnogate/core';

const target = new URL('../packages/core/schema/mnogate.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);
