import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configJsonSchema } from '@mnogate/core';

describe('JSON Schema', () => {
  it('the committed schema matches the zod schema (run `npm run schema` when this fails)', () => {
    const committed = readFileSync(new URL('../schema/mnogate.schema.json', import.meta.url), 'utf8');
    assert.equal(committed, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  });

  it('describes the operator fields editors need', () => {
    const schema = configJsonSchema() as { properties: Record<string, { items?: { properties?: object } }> };
    const operator = schema.properties.operators?.items?.properties ?? {};
    for (const key of ['id', 'prefixes', 'products', 'api', 'egress', 'vpn', 'limits']) {
      assert.ok(key in operator, `operators[].${key}`);
    }
  });
});
