import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  ERS_RESULT_CODES,
  HUAWEI_CBS_RESULT_CODES,
  PRETUPS_TXN_STATUS,
  REST_JSON_STATUSES,
} from '../../src/connectors/index.js';
import type { CodeTable } from '../../src/connectors/outcomes.js';

const doc = readFileSync(new URL('../../../../docs/dialects.md', import.meta.url), 'utf8');

describe('docs/dialects.md shows every classification table as the code has it', () => {
  const tables: [string, CodeTable][] = [
    ['ers', ERS_RESULT_CODES],
    ['pretups', PRETUPS_TXN_STATUS],
    ['huawei-cbs', HUAWEI_CBS_RESULT_CODES],
    ['rest-json', REST_JSON_STATUSES],
  ];
  for (const [dialect, table] of tables) {
    it(dialect, () => {
      for (const [code, entry] of Object.entries(table)) {
        const status = entry.authFailure ? `${entry.status} (auth)` : entry.status;
        const row = `| ${code} | ${entry.name} | ${entry.recharge} | ${status} | ${entry.meaning} |`;
        assert.ok(doc.includes(row), `missing or stale row: ${row}`);
      }
    });
  }
});
