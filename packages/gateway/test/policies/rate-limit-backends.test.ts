/** One contract over every rate-limit backend: the local one and the PostgreSQL one shared by replicas. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPostgresRateLimitBackend } from '../../src/engine/policies/postgres-rate-limit.js';
import { createLocalRateLimitBackend, type RateLimitBackend } from '../../src/engine/policies/rate-limit.js';
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
