import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderCliDocs } from '../src/cli-docs.js';
import { COMMANDS } from '../src/main.js';

describe('docs/cli.md', () => {
  it('is what the commands say about themselves (run `npm run docs:cli` when this fails)', async () => {
    const committed = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');
    assert.equal(committed, await renderCliDocs());
  });

  it('documents every command', async () => {
    const text = await renderCliDocs();
    for (const name of COMMANDS) assert.match(text, new RegExp(`^## ${name}$`, 'm'), name);
  });
});
