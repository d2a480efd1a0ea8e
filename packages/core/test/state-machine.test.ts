import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertTransition,
  canTransition,
  isFinalState,
  isMnogateError,
  RECHARGE_STATES,
  type RechargeState,
} from '@mnogate/core';

/** The legal transitions, written out independently of the table under test. */
const LEGAL = new Set([
  'accepted>submitting',
  'accepted>failed',
  'submitting>succeeded',
  'submitting>failed',
  'submitting>unknown',
  'unknown>succeeded',
  'unknown>failed',
]);

describe('recharge state machine', () => {
  for (const from of RECHARGE_STATES) {
    for (const to of RECHARGE_STATES) {
      const legal = LEGAL.has(`${from}>${to}`);
      it(`${legal ? 'allows' : 'refuses'} ${from} -> ${to}`, () => {
        assert.equal(canTransition(from, to), legal);
        if (legal) assert.doesNotThrow(() => assertTransition(from, to));
        else
          assert.throws(
            () => assertTransition(from, to),
            (err) => isMnogateError(err, 'MNOGATE_ERR_STATE_TRANSITION'),
          );
      });
    }
  }

  it('has exactly succeeded and failed as final states', () => {
    const finals = RECHARGE_STATES.filter((s: RechargeState) => isFinalState(s));
    assert.deepEqual(finals, ['succeeded', 'failed']);
  });
});
