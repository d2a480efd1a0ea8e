/** One contract over every rate-limit backend: the local one and the PostgreSQL one shared by replicas. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isMnogateError } from '@mnogate/core';
import { createPostgresRateLimitBackend } from '../../src/engine/policies/postgres-rate-limit.js';
import {
  createLocalRateLimitBackend,
  createRateLimit,
  type RateLimitBackend,
} from '../../src/engine/policies/rate-limit.js';
import {
  dropSchema,
  IN_CI,
  POSTGRES_SKIP_MESSAGE,
  POSTGRES_URL,
  postgresUnavailable,
  testSchema,
} from '../postgres.js';

const PG_URL = POSTGRES_URL;
const schema = testSchema('rl_test');

const BACKENDS: { name: string; make: () => RateLimitBackend; shared: boolean }[] = [
  { name: 'local', make: createLocalRateLimitBackend, shared: false },
  {
    name: 'postgres',
    make: () => createPostgresRateLimitBackend({ connectionString: PG_URL, schema }),
    shared: true,
  },
];

for (const backend of BACKENDS) {
  describe(`rate-limit backend: ${backend.name}`, () => {
    let available = true;
    const opened: RateLimitBackend[] = [];
    const open = () => {
      const b = backend.make();
      opened.push(b);
      return b;
    };
    before(async () => {
      if (backend.name === 'postgres') {
        available = (await postgresUnavailable()) === null;
        if (!available && IN_CI) throw new Error(`PostgreSQL is required in CI (${PG_URL})`);
      }
    });
    after(async () => {
      await Promise.all(opened.map((b) => b.close()));
      if (backend.name === 'postgres' && available) await dropSchema(schema);
    });

    it('grants the burst, then refuses with a retry hint, then refills with time', async (t) => {
      if (!available) return t.skip(POSTGRES_SKIP_MESSAGE);
      const b = open();
      const spec = { key: `burst-${Math.random()}`, ratePerSecond: 10, burst: 3 };
      const t0 = 1_000_000;
      const granted = [];
      for (let i = 0; i < 4; i++) granted.push((await b.take(spec, t0)).granted);
      assert.deepEqual(granted, [true, true, true, false]);
      const refused = await b.take(spec, t0);
      assert.equal(refused.granted, false);
      assert.ok(
        refused.retryAfterMs > 0 && refused.retryAfterMs <= 100,
        `retry after ${refused.retryAfterMs}`,
      );
      assert.equal((await b.take(spec, t0 + 100)).granted, true, 'one token after 100 ms at 10/s');
      assert.equal((await b.take(spec, t0 + 100)).granted, false);
      for (let i = 0; i < 3; i++)
        assert.equal((await b.take(spec, t0 + 10_000)).granted, true, 'refilled up to burst');
      assert.equal((await b.take(spec, t0 + 10_000)).granted, false, 'never beyond burst');
    });

    it(
      backend.shared ? 'two replicas draw from one bucket' : 'each process has its own buckets',
      async (t) => {
        if (!available) return t.skip(POSTGRES_SKIP_MESSAGE);
        const a = open();
        const b = open();
        const spec = { key: `shared-${Math.random()}`, ratePerSecond: 1, burst: 10 };
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).take(spec, 5_000_000)),
        );
        const grantedCount = results.filter((r) => r.granted).length;
        assert.equal(grantedCount, backend.shared ? 10 : 20);
      },
    );
  });
}

describe('the PostgreSQL rate limit, replicas starting together and the database gone', () => {
  it("several replicas' first calls at once on a fresh schema all succeed (no catalog race)", async (t) => {
    if ((await postgresUnavailable()) !== null) {
      if (IN_CI) throw new Error(`PostgreSQL is required in CI (${PG_URL})`);
      return t.skip(POSTGRES_SKIP_MESSAGE);
    }
    for (let round = 0; round < 3; round++) {
      const fresh = testSchema(`rl_race${round}`);
      const replicas = Array.from({ length: 3 }, () =>
        createPostgresRateLimitBackend({ connectionString: PG_URL, schema: fresh }),
      );
      try {
        const spec = { key: 'first-calls', ratePerSecond: 1_000, burst: 1_000 };
        const results = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) => replicas[i % 3]!.take(spec, Date.now())),
        );
        const failed = results.filter((r) => r.status === 'rejected');
        assert.deepEqual(
          failed.map((r) => String((r as PromiseRejectedResult).reason)),
          [],
          `round ${round}: every first call answered`,
        );
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
        await dropSchema(fresh);
      }
    }
  });

  it('a limiter that cannot reach its database refuses with its own code, sending nothing', async () => {
    // port 1 on loopback: nothing listens, the connection is refused
    const backend = createPostgresRateLimitBackend({ connectionString: 'postgres://postgres@127.0.0.1:1/x' });
    try {
      const layer = createRateLimit({ operatorId: 'mtn', ratePerSecond: 10, backend });
      await assert.rejects(
        async () => layer.admit(),
        (err) => {
          assert.ok(isMnogateError(err, 'MNOGATE_ERR_POLICY_RATE_LIMIT_UNAVAILABLE'), String(err));
          assert.match(err.message, /postgres rate limit failed/);
          return true;
        },
      );
    } finally {
      await backend.close();
    }
  });
});
