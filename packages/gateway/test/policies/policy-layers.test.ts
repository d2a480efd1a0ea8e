import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMnogateError } from '@mnogate/core';
import { createBulkhead } from '../../src/engine/policies/bulkhead.js';
import { type CircuitState, createCircuitBreaker } from '../../src/engine/policies/circuit-breaker.js';
import { composePolicies } from '../../src/engine/policies/policy-layer.js';
import { createLocalRateLimitBackend, createRateLimit } from '../../src/engine/policies/rate-limit.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

async function refusedWith(fn: () => unknown, code: string): Promise<void> {
  await assert.rejects(
    async () => fn(),
    (err) => isMnogateError(err) && err.code === code,
  );
}

describe('circuit breaker', () => {
  it('opens after consecutive failures, refuses, lets one probe through after the cooldown, and closes on success', async () => {
    const c = clock();
    const states: CircuitState[] = [];
    const cb = createCircuitBreaker({
      operatorId: 'op',
      failureThreshold: 3,
      cooldownMs: 1_000,
      now: c.now,
      onStateChange: (s) => states.push(s),
    });
    for (let i = 0; i < 2; i++) (await cb.admit())('failure');
    assert.equal(cb.state(), 'closed');
    (await cb.admit())('success'); // a success resets the count
    for (let i = 0; i < 3; i++) (await cb.admit())('failure');
    assert.equal(cb.state(), 'open');
    await refusedWith(() => cb.admit(), 'MNOGATE_ERR_POLICY_CIRCUIT_OPEN');
    c.advance(1_000);
    assert.equal(cb.state(), 'half-open');
    const probe = await cb.admit();
    await refusedWith(() => cb.admit(), 'MNOGATE_ERR_POLICY_CIRCUIT_OPEN'); // one probe at a time
    probe('success');
    assert.equal(cb.state(), 'closed');
    assert.deepEqual(states, ['open', 'half-open', 'closed']);
  });

  it('a failed probe opens it again; unreachable counts as failure; a later refusal does not', async () => {
    const c = clock();
    const cb = createCircuitBreaker({ operatorId: 'op', failureThreshold: 2, cooldownMs: 500, now: c.now });
    (await cb.admit())('refused');
    (await cb.admit())('refused');
    assert.equal(cb.state(), 'closed');
    (await cb.admit())('not-sent');
    (await cb.admit())('not-sent');
    assert.equal(cb.state(), 'open');
    c.advance(500);
    (await cb.admit())('failure');
    assert.equal(cb.state(), 'open');
  });

  it('checks its options when built', () => {
    assert.throws(
      () => createCircuitBreaker({ operatorId: 'op', failureThreshold: 0, cooldownMs: 1 }),
      RangeError,
    );
    assert.throws(
      () => createCircuitBreaker({ operatorId: 'op', failureThreshold: 1, cooldownMs: 0 }),
      RangeError,
    );
  });
});

describe('bulkhead', () => {
  it('refuses beyond its limit and frees a place on release, once', async () => {
    const b = createBulkhead({ operatorId: 'op', maxConcurrent: 2 });
    const r1 = b.admit();
    b.admit();
    await refusedWith(() => b.admit(), 'MNOGATE_ERR_POLICY_BULKHEAD_FULL');
    r1('success');
    r1('success');
    assert.equal(b.inFlight(), 1);
    b.admit();
    assert.equal(b.inFlight(), 2);
    assert.throws(() => createBulkhead({ operatorId: 'op', maxConcurrent: 0 }), RangeError);
  });
});

describe('composed policies', () => {
  it('a refusal by a later layer releases the earlier ones without spending anything', async () => {
    const c = clock();
    const bulkhead = createBulkhead({ operatorId: 'op', maxConcurrent: 10 });
    const breaker = createCircuitBreaker({
      operatorId: 'op',
      failureThreshold: 1,
      cooldownMs: 1_000,
      now: c.now,
    });
    const rate = createRateLimit({
      operatorId: 'op',
      ratePerSecond: 1,
      burst: 1,
      backend: createLocalRateLimitBackend(),
      now: c.now,
    });
    const policy = composePolicies([breaker, bulkhead, rate]);
    const first = await policy.admit();
    await refusedWith(() => policy.admit(), 'MNOGATE_ERR_POLICY_RATE_LIMITED');
    assert.equal(bulkhead.inFlight(), 1, 'the refused call gave its bulkhead place back');
    assert.equal(breaker.state(), 'closed', 'a rate-limit refusal does not trip the circuit');
    first.release('success');
    assert.equal(bulkhead.inFlight(), 0);
  });
});
