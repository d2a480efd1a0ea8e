import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_TABLE, MnogateError } from '@mnogate/core';

describe('error table', () => {
  it('names every code MNOGATE_ERR_<AREA>_<WHAT> with an HTTP error status', () => {
    for (const [code, entry] of Object.entries(ERROR_TABLE)) {
      assert.match(code, /^MNOGATE_ERR_[A-Z]+_[A-Z_]+$/);
      assert.ok(entry.status >= 400 && entry.status <= 599, code);
      assert.ok(entry.message.length > 0, code);
    }
  });

  it('carries code, status and details on MnogateError', () => {
    const err = new MnogateError('MNOGATE_ERR_ROUTE_AMBIGUOUS', undefined, { candidates: ['a', 'b'] });
    assert.equal(err.status, 422);
    assert.equal(err.message, ERROR_TABLE.MNOGATE_ERR_ROUTE_AMBIGUOUS.message);
    assert.deepEqual(err.details, { candidates: ['a', 'b'] });
  });
});
