// Writes docs/cli.md from the commands' usage texts. `npm run docs:cli`.
import { writeFileSync } from 'node:fs';
import { renderCliDocs } from '../packages/cli/src/cli-docs.js';

const target = new URL('../docs/cli.md', import.meta.url);
writeFileSync(target, await renderCliDocs());
process.stdout.write(`wrote ${target.pathname}\n`);
