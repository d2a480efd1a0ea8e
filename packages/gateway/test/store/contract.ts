/**
 * The store contract: every backend runs these same tests (see store.test.ts). A test gets a fresh,
 * empty database from `makeStore()`; `makeStore({ sameDatabaseAs })` opens a second instance (its own
 * connection or pool) on the same database, as a second gateway replica would.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it, type TestContext } from 'node:test';
import { isMnogateError } from '@mnogate/core';
import { auditHash, canonicalJson, GENESIS_HASH } from '../../src/audit/chain.js';
import { verifyAuditChain } from '../../src/audit/verify.js';
import type {
  ApiKeyRecord,
  IdempotencyClaim,
  OperatorExchange,
  RechargeRecord,
  RechargeStatus,
  Store,
} from '../../src/store/index.js';

export type MakeStore = (options?: { readonly sameDatabaseAs?: Store }) => Promise<Store>;

const T0 = 1_700_000_000_000;

let counter = 0;
function uid(prefix: string): string {
  counter += 1;
  return `${prefix}_${counter.toString().padStart(6, '0')}_${randomUUID().slice(0, 8)}`;
}

export function recharge(overrides: Partial<RechargeRecord> = {}): RechargeRecord {
  const id = overrides.id ?? uid('rch');
  const createdAt = overrides.createdAt ?? T0;
  return {
    id,
    clientId: 'client-a',
    status: 'accepted',
    msisdn: '+233241234567',
    operatorId: 'mtn-gh',
    productId: 'airtime',
    amountMinor: 1_000,
    currency: 'GHS',
    clientReference: null,
    operatorReference: `MG${id}`,
    operatorTransactionId: null,
    endpoint: null,
    failure: null,
    reconcileAttempts: 0,
    nextAttemptAt: null,
    needsAdmin: false,
    leaseOwner: 'submitter-1',
    leaseExpiresAt: createdAt + 30_000,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

function claim(key: string, overrides: Partial<IdempotencyClaim> = {}): IdempotencyClaim {
  return { clientId: 'client-a', key, bodyHash: 'hash-1', expiresAt: T0 + 86_400_000, ...overrides };
}

/** Puts a recharge in `status` through the store's own API (accept, then transitions). */
async function seed(store: Store, status: RechargeStatus, overrides: Partial<RechargeRecord> = {}) {
  const r = recharge(overrides);
  const accepted = await store.acceptRecharge({ ...r, status: 'accepted' });
  assert.equal(accepted.kind, 'created');
  if (status === 'accepted') return r;
  const path: RechargeStatus[] =
    status === 'submitting'
      ? ['submitting']
      : status === 'unknown'
        ? ['submitting', 'unknown']
        : ['submitting', status];
  let from: RechargeStatus = 'accepted';
  let last: RechargeRecord | null = null;
  for (const to of path) {
    last = await store.transition({
      id: r.id,
      from,
      to,
      at: r.createdAt,
      cause: 'test',
      patch: {
        nextAttemptAt: r.nextAttemptAt,
        needsAdmin: r.needsAdmin,
        leaseOwner: r.leaseOwner,
        leaseExpiresAt: r.leaseExpiresAt,
      },
    });
    assert.ok(last, `seed transition ${from} -> ${to}`);
    from = to;
  }
  return last ?? r;
}

export function storeContract(name: string, makeStore: MakeStore, cleanup: () => Promise<void>): void {
  describe(name, () => {
    after(cleanup);

    /** A fresh store on an empty database, closed after the test. */
    async function open(t: TestContext): Promise<Store> {
      const store = await makeStore();
      t.after(() => store.close());
      return store;
    }

    async function replica(t: TestContext, store: Store): Promise<Store> {
      const other = await makeStore({ sameDatabaseAs: store });
      if (other !== store) {
        await other.migrate();
        t.after(() => other.close());
      }
      return other;
    }

    describe('lifecycle', () => {
      it('migrate is idempotent and ping answers', async (t) => {
        const store = await open(t);
        await store.migrate();
        await store.migrate();
        await store.ping();
        assert.ok(['sqlite', 'postgres'].includes(store.backend));
      });

      it('a second instance on the same database sees what the first wrote', async (t) => {
        const store = await open(t);
        const other = await replica(t, store);
        const r = recharge();
        await store.acceptRecharge(r);
        assert.deepEqual(await other.getRecharge(r.id), r);
      });
    });

    describe('acceptRecharge', () => {
      it('persists the record as given, with its first history row', async (t) => {
        const store = await open(t);
        const r = recharge({
          clientReference: 'order-77',
          amountMinor: 123_456_789_012,
          failure: null,
        });
        const result = await store.acceptRecharge(r);
        assert.deepEqual(result, { kind: 'created', recharge: r });
        assert.deepEqual(await store.getRecharge(r.id), r);
        assert.equal(await store.getRecharge('rch_missing'), null);
        const history = await store.getHistory(r.id);
        assert.deepEqual(history, [
          {
            rechargeId: r.id,
            seq: 1,
            from: null,
            to: 'accepted',
            at: r.createdAt,
            cause: 'api',
            detail: null,
          },
        ]);
        assert.deepEqual(await store.getHistory('rch_missing'), []);
      });

      it('claims an idempotency key; a second request with it gets the first one back, writing nothing', async (t) => {
        const store = await open(t);
        const first = recharge();
        const created = await store.acceptRecharge(first, claim('key-1'));
        assert.equal(created.kind, 'created');

        const second = recharge();
        const again = await store.acceptRecharge(second, claim('key-1', { bodyHash: 'hash-2' }));
        assert.deepEqual(again, {
          kind: 'existing',
          rechargeId: first.id,
          bodyHash: 'hash-1',
          response: null,
        });
        assert.equal(await store.getRecharge(second.id), null);

        await store.saveIdempotentResponse('client-a', 'key-1', { statusCode: 201, body: '{"id":"x"}' });
        const replay = await store.acceptRecharge(recharge(), claim('key-1'));
        assert.deepEqual(replay, {
          kind: 'existing',
          rechargeId: first.id,
          bodyHash: 'hash-1',
          response: { statusCode: 201, body: '{"id":"x"}' },
        });

        // Keys are per client.
        const other = await store.acceptRecharge(
          recharge({ clientId: 'client-b' }),
          claim('key-1', { clientId: 'client-b' }),
        );
        assert.equal(other.kind, 'created');
      });

      it('an expired key is free again, and purgeIdempotencyKeys deletes expired keys only', async (t) => {
        const store = await open(t);
        const first = recharge({ createdAt: T0 });
        await store.acceptRecharge(first, claim('key-exp', { expiresAt: T0 + 1_000 }));
        assert.equal(
          (await store.acceptRecharge(recharge({ createdAt: T0 + 999 }), claim('key-exp'))).kind,
          'existing',
        );

        const later = recharge({ createdAt: T0 + 1_000 });
        const reused = await store.acceptRecharge(
          later,
          claim('key-exp', { bodyHash: 'hash-new', expiresAt: T0 + 5_000 }),
        );
        assert.equal(reused.kind, 'created');
        const now = await store.acceptRecharge(recharge({ createdAt: T0 + 2_000 }), claim('key-exp'));
        assert.deepEqual(now, {
          kind: 'existing',
          rechargeId: later.id,
          bodyHash: 'hash-new',
          response: null,
        });

        await store.acceptRecharge(recharge(), claim('key-keep', { expiresAt: T0 + 10_000 }));
        await store.acceptRecharge(recharge(), claim('key-old', { expiresAt: T0 + 100 }));
        assert.equal(await store.purgeIdempotencyKeys(T0 + 5_000), 2); // key-exp and key-old
        assert.equal(await store.purgeIdempotencyKeys(T0 + 5_000), 0);
        const purged = await store.acceptRecharge(recharge({ createdAt: T0 }), claim('key-old'));
        assert.equal(purged.kind, 'created');
        assert.equal((await store.acceptRecharge(recharge(), claim('key-keep'))).kind, 'existing');
      });

      it('a duplicate recharge id is refused and leaves the idempotency key unclaimed', async (t) => {
        const store = await open(t);
        const r = recharge();
        await store.acceptRecharge(r);
        await assert.rejects(store.acceptRecharge({ ...r, operatorReference: 'other' }, claim('key-dup')));
        assert.equal((await store.acceptRecharge(recharge(), claim('key-dup'))).kind, 'created');
      });

      it('a refused write does not take concurrent writes down with it', async (t) => {
        const store = await open(t);
        const dup = recharge();
        await store.acceptRecharge(dup);
        const good = [recharge(), recharge()];
        const results = await Promise.allSettled([
          store.acceptRecharge(good[0]!, claim('key-g1')),
          store.acceptRecharge({ ...dup, operatorReference: 'other-ref' }, claim('key-dup2')),
          store.acceptRecharge(good[1]!, claim('key-g2')),
        ]);
        assert.deepEqual(
          results.map((r) => r.status),
          ['fulfilled', 'rejected', 'fulfilled'],
        );
        for (const r of good) assert.deepEqual(await store.getRecharge(r.id), r);
        assert.equal((await store.acceptRecharge(recharge(), claim('key-dup2'))).kind, 'created');
      });

      it('50 concurrent requests with one key across two instances: exactly one is created', async (t) => {
        const store = await open(t);
        const other = await replica(t, store);
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (i % 2 ? other : store).acceptRecharge(recharge(), claim('key-race')),
          ),
        );
        const created = results.filter((r) => r.kind === 'created');
        assert.equal(created.length, 1);
        const winner = created[0]!.kind === 'created' ? created[0]!.recharge.id : '';
        for (const r of results) if (r.kind === 'existing') assert.equal(r.rechargeId, winner);
        const page = await store.listRecharges({}, 100);
        assert.deepEqual(
          page.items.map((r) => r.id),
          [winner],
        );
      });
    });

    describe('transition', () => {
      it('is a compare-and-set with a history row per change', async (t) => {
        const store = await open(t);
        const r = recharge();
        await store.acceptRecharge(r);
        const submitting = await store.transition({
          id: r.id,
          from: 'accepted',
          to: 'submitting',
          at: T0 + 10,
          cause: 'submit',
          detail: { endpoint: 'https://op.example/1' },
          patch: { endpoint: 'https://op.example/1', leaseOwner: 'submitter-1', leaseExpiresAt: T0 + 60_000 },
        });
        assert.deepEqual(submitting, {
          ...r,
          status: 'submitting',
          endpoint: 'https://op.example/1',
          leaseExpiresAt: T0 + 60_000,
          updatedAt: T0 + 10,
        });
        assert.deepEqual(await store.getRecharge(r.id), submitting);

        // Stale `from`: nothing is written.
        const stale = await store.transition({
          id: r.id,
          from: 'accepted',
          to: 'failed',
          at: T0 + 20,
          cause: 'api',
        });
        assert.equal(stale, null);
        assert.deepEqual(await store.getRecharge(r.id), submitting);
        assert.equal(
          await store.transition({ id: 'rch_missing', from: 'accepted', to: 'failed', at: T0, cause: 'x' }),
          null,
        );

        const unknown = await store.transition({
          id: r.id,
          from: 'submitting',
          to: 'unknown',
          at: T0 + 30,
          cause: 'submit',
          patch: {
            nextAttemptAt: T0 + 5_000,
            operatorTransactionId: 'OP-9',
            leaseOwner: null,
            leaseExpiresAt: null,
          },
        });
        assert.equal(unknown?.status, 'unknown');
        assert.equal(unknown?.nextAttemptAt, T0 + 5_000);
        assert.equal(unknown?.operatorTransactionId, 'OP-9');
        assert.equal(unknown?.leaseOwner, null);
        assert.equal(unknown?.endpoint, 'https://op.example/1'); // untouched by a patch that omits it

        const history = await store.getHistory(r.id);
        assert.deepEqual(
          history.map((e) => [e.seq, e.from, e.to, e.at, e.cause, e.detail]),
          [
            [1, null, 'accepted', T0, 'api', null],
            [2, 'accepted', 'submitting', T0 + 10, 'submit', { endpoint: 'https://op.example/1' }],
            [3, 'submitting', 'unknown', T0 + 30, 'submit', null],
          ],
        );
      });

      it('a final state enqueues its webhook in the same write and clears live-only fields', async (t) => {
        const store = await open(t);
        const r = await seed(store, 'unknown', { nextAttemptAt: T0, needsAdmin: true, leaseOwner: 'rec-1' });
        assert.equal(await store.webhookBacklog(), 0);
        const failure = { code: 'MNOGATE_ERR_OPERATOR_REJECTED', message: 'refused', operatorCode: '17' };
        const done = await store.transition({
          id: r.id,
          from: 'unknown',
          to: 'failed',
          at: T0 + 100,
          cause: 'admin:alice',
          detail: { reason: 'operator confirmed by phone' },
          patch: { failure },
          webhook: {
            clientId: r.clientId,
            url: 'https://client.example/hook',
            eventType: 'recharge.failed',
            payload: '{"a":1}',
          },
        });
        assert.ok(done);
        assert.deepEqual(done.failure, failure);
        assert.equal(done.nextAttemptAt, null);
        assert.equal(done.needsAdmin, false);
        assert.equal(done.leaseOwner, null);
        assert.equal(done.leaseExpiresAt, null);
        assert.equal(await store.webhookBacklog(), 1);
        const [hook, ...rest] = await store.claimWebhooks('wh-1', T0 + 100, 10_000, 10);
        assert.equal(rest.length, 0);
        assert.ok(hook);
        assert.equal(hook.rechargeId, r.id);
        assert.equal(hook.clientId, r.clientId);
        assert.equal(hook.url, 'https://client.example/hook');
        assert.equal(hook.eventType, 'recharge.failed');
        assert.equal(hook.payload, '{"a":1}');
        assert.equal(hook.attempts, 0);
        assert.equal(hook.nextAttemptAt, T0 + 100);
        assert.equal(hook.createdAt, T0 + 100);
        assert.equal(hook.deliveredAt, null);

        // A stale final transition enqueues nothing.
        const again = await store.transition({
          id: r.id,
          from: 'unknown',
          to: 'succeeded',
          at: T0 + 200,
          cause: 'reconciler',
          webhook: {
            clientId: r.clientId,
            url: 'https://client.example/hook',
            eventType: 'recharge.succeeded',
            payload: '{}',
          },
        });
        assert.equal(again, null);
        assert.equal(await store.webhookBacklog(), 1);
      });
    });

    describe('updateRecharge', () => {
      it('changes bookkeeping only while the status holds, without a history row', async (t) => {
        const store = await open(t);
        const r = await seed(store, 'unknown', { nextAttemptAt: T0 });
        const historyBefore = await store.getHistory(r.id);
        assert.equal(
          await store.updateRecharge(
            r.id,
            'unknown',
            { reconcileAttempts: 3, nextAttemptAt: T0 + 9_000, needsAdmin: true },
            T0 + 50,
          ),
          true,
        );
        const after1 = await store.getRecharge(r.id);
        assert.equal(after1?.reconcileAttempts, 3);
        assert.equal(after1?.nextAttemptAt, T0 + 9_000);
        assert.equal(after1?.needsAdmin, true);
        assert.equal(after1?.updatedAt, T0 + 50);
        assert.equal(after1?.status, 'unknown');
        assert.equal(
          await store.updateRecharge(r.id, 'submitting', { reconcileAttempts: 9 }, T0 + 60),
          false,
        );
        assert.equal(
          await store.updateRecharge('rch_missing', 'unknown', { reconcileAttempts: 9 }, T0 + 60),
          false,
        );
        assert.deepEqual(await store.getRecharge(r.id), after1);
        assert.deepEqual(await store.getHistory(r.id), historyBefore);
        // Null clears, omitted keeps.
        await store.updateRecharge(r.id, 'unknown', { nextAttemptAt: null }, T0 + 70);
        const after2 = await store.getRecharge(r.id);
        assert.equal(after2?.nextAttemptAt, null);
        assert.equal(after2?.reconcileAttempts, 3);
      });
    });

    describe('operator exchanges', () => {
      const exchange = (
        operation: 'recharge' | 'status',
        startedAt: number,
        body: string,
      ): OperatorExchange => ({
        operation,
        startedAt,
        durationMs: 12,
        request: {
          method: 'POST',
          url: 'http://127.0.0.1:9/ers?user=[redacted]',
          headers: { 'content-type': 'text/xml' },
          body,
          truncated: false,
        },
        response: {
          statusCode: 200,
          headers: { 'content-type': 'text/xml' },
          body: '<ok/>',
          truncated: false,
        },
        sent: true,
        error: null,
      });

      it('keeps the exchanges of a transition with it, in order; a stale transition keeps none', async (t) => {
        const store = await open(t);
        const r = await seed(store, 'submitting');
        const other = await seed(store, 'submitting');
        const first = exchange('recharge', T0 + 1, '<first/>');
        const second = {
          ...exchange('recharge', T0 + 2, '<second/>'),
          response: null,
          sent: false,
          error: 'ECONNREFUSED',
        };
        // a unicode body and a quote survive the round trip
        const third = exchange('recharge', T0 + 3, '<n>Kābul "ok"</n>');
        const done = await store.transition({
          id: r.id,
          from: 'submitting',
          to: 'succeeded',
          at: T0 + 10,
          cause: 'submit',
          exchanges: [first, second, third],
        });
        assert.ok(done);
        assert.deepEqual(await store.getExchanges(r.id), [first, second, third]);
        assert.deepEqual(await store.getExchanges(other.id), []);
        // the compare-and-set fails: neither the state nor the exchanges are written
        const stale = await store.transition({
          id: r.id,
          from: 'submitting',
          to: 'failed',
          at: T0 + 11,
          cause: 'submit',
          exchanges: [exchange('recharge', T0 + 11, '<stale/>')],
        });
        assert.equal(stale, null);
        assert.equal((await store.getExchanges(r.id)).length, 3);
      });

      it('keeps the exchanges of an update only while the status holds', async (t) => {
        const store = await open(t);
        const r = await seed(store, 'unknown', { nextAttemptAt: T0 });
        const query = exchange('status', T0 + 5, '<status/>');
        assert.equal(
          await store.updateRecharge(r.id, 'unknown', { reconcileAttempts: 1 }, T0 + 6, [query]),
          true,
        );
        assert.equal(
          await store.updateRecharge(r.id, 'submitting', { reconcileAttempts: 2 }, T0 + 7, [
            exchange('status', T0 + 7, '<lost/>'),
          ]),
          false,
        );
        assert.deepEqual(await store.getExchanges(r.id), [query]);
        assert.equal((await store.getRecharge(r.id))?.reconcileAttempts, 1);
      });

      it('purgeExchanges deletes those started before the cutoff only', async (t) => {
        const store = await open(t);
        const r = await seed(store, 'submitting');
        const old = exchange('recharge', T0, '<old/>');
        const recent = exchange('status', T0 + 1_000, '<recent/>');
        await store.transition({
          id: r.id,
          from: 'submitting',
          to: 'unknown',
          at: T0 + 1,
          cause: 'submit',
          exchanges: [old],
        });
        await store.updateRecharge(r.id, 'unknown', { reconcileAttempts: 1 }, T0 + 1_001, [recent]);
        assert.equal(await store.purgeExchanges(T0 + 1_000), 1);
        assert.deepEqual(await store.getExchanges(r.id), [recent]);
        assert.equal(await store.purgeExchanges(T0 + 1_000), 0);
      });
    });

    describe('listRecharges', () => {
      async function fill(store: Store) {
        const all: RechargeRecord[] = [];
        for (let i = 0; i < 23; i++) {
          // Ties on createdAt (three per millisecond) make the id the tie-breaker.
          const r = recharge({
            createdAt: T0 + Math.floor(i / 3),
            clientId: i % 2 ? 'client-a' : 'client-b',
            operatorId: i % 3 ? 'mtn-gh' : 'vodafone-gh',
            msisdn: i % 5 ? '+233241234567' : '+233201112223',
            clientReference: `ref-${i}`,
          });
          await store.acceptRecharge(r);
          all.push(r);
        }
        await store.transition({ id: all[4]!.id, from: 'accepted', to: 'failed', at: T0 + 99, cause: 'api' });
        await store.updateRecharge(all[7]!.id, 'accepted', { needsAdmin: true }, T0 + 99);
        return all;
      }

      const newestFirst = (a: RechargeRecord, b: RechargeRecord) =>
        b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

      it('pages newest first by (createdAt, id), every item exactly once', async (t) => {
        const store = await open(t);
        const all = await fill(store);
        const expected = all.map((r) => r.id);
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: Awaited<ReturnType<Store['listRecharges']>> = await store.listRecharges({}, 4, cursor);
          assert.ok(page.items.length <= 4);
          seen.push(...page.items.map((r) => r.id));
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor !== null && pages < 20);
        assert.equal(pages, 6);
        assert.deepEqual(
          seen,
          [...all].sort(newestFirst).map((r) => r.id),
        );
        assert.equal(new Set(seen).size, expected.length);

        // An exact fit ends with a null cursor, not an empty page.
        const exact = await store.listRecharges({}, 23);
        assert.equal(exact.items.length, 23);
        assert.equal(exact.nextCursor, null);
      });

      it('filters by client, status, operator, msisdn, reference, time and needsAdmin', async (t) => {
        const store = await open(t);
        const all = await fill(store);
        const ids = async (filter: Parameters<Store['listRecharges']>[0]) => {
          const out: string[] = [];
          let cursor: string | null = null;
          do {
            const page: Awaited<ReturnType<Store['listRecharges']>> = await store.listRecharges(
              filter,
              5,
              cursor,
            );
            out.push(...page.items.map((r) => r.id));
            cursor = page.nextCursor;
          } while (cursor);
          return out.sort();
        };
        const expect = (pred: (r: RechargeRecord) => boolean) =>
          all
            .filter(pred)
            .map((r) => r.id)
            .sort();
        assert.deepEqual(
          await ids({ clientId: 'client-a' }),
          expect((r) => r.clientId === 'client-a'),
        );
        assert.deepEqual(await ids({ status: 'failed' }), [all[4]!.id]);
        assert.deepEqual(
          await ids({ operatorId: 'vodafone-gh' }),
          expect((r) => r.operatorId === 'vodafone-gh'),
        );
        assert.deepEqual(
          await ids({ msisdn: '+233201112223' }),
          expect((r) => r.msisdn === '+233201112223'),
        );
        assert.deepEqual(await ids({ clientReference: 'ref-9' }), [all[9]!.id]);
        assert.deepEqual(
          await ids({ createdFrom: T0 + 2, createdTo: T0 + 5 }),
          expect((r) => r.createdAt >= T0 + 2 && r.createdAt < T0 + 5),
        );
        assert.deepEqual(await ids({ needsAdmin: true }), [all[7]!.id]);
        assert.equal((await ids({ needsAdmin: false })).length, 22);
        assert.deepEqual(
          await ids({ clientId: 'client-a', operatorId: 'mtn-gh', status: 'accepted' }),
          expect((r) => r.clientId === 'client-a' && r.operatorId === 'mtn-gh' && r.id !== all[4]!.id),
        );
        assert.deepEqual(await ids({ clientId: 'nobody' }), []);
      });

      it('refuses a malformed cursor with MNOGATE_ERR_REQUEST_CURSOR', async (t) => {
        const store = await open(t);
        await fill(store);
        const bad = [
          'not a cursor!',
          'e30',
          Buffer.from('[1,2,3]').toString('base64url'),
          Buffer.from('["x","id"]').toString('base64url'),
          Buffer.from('[1.5,"id"]').toString('base64url'),
          Buffer.from('[1,""]').toString('base64url'),
          Buffer.from('{').toString('base64url'),
          '',
        ];
        for (const cursor of bad) {
          await assert.rejects(store.listRecharges({}, 5, cursor), (err) =>
            isMnogateError(err, 'MNOGATE_ERR_REQUEST_CURSOR'),
          );
        }
      });
    });

    describe('claimReconcileWork', () => {
      const NOW = T0 + 60_000;

      async function scene(store: Store) {
        return {
          unknownDue: await seed(store, 'unknown', {
            nextAttemptAt: NOW - 1,
            leaseOwner: null,
            leaseExpiresAt: null,
          }),
          unknownDueNow: await seed(store, 'unknown', {
            nextAttemptAt: NOW,
            leaseOwner: null,
            leaseExpiresAt: null,
          }),
          unknownNotDue: await seed(store, 'unknown', {
            nextAttemptAt: NOW + 1,
            leaseOwner: null,
            leaseExpiresAt: null,
          }),
          unknownAdmin: await seed(store, 'unknown', {
            nextAttemptAt: NOW - 1,
            needsAdmin: true,
            leaseOwner: null,
            leaseExpiresAt: null,
          }),
          unknownLeased: await seed(store, 'unknown', {
            nextAttemptAt: NOW - 1,
            leaseOwner: 'rec-x',
            leaseExpiresAt: NOW + 1,
          }),
          submittingLive: await seed(store, 'submitting', { leaseOwner: 'sub-1', leaseExpiresAt: NOW + 1 }),
          submittingExpired: await seed(store, 'submitting', {
            leaseOwner: 'sub-1',
            leaseExpiresAt: NOW - 1,
          }),
          acceptedLive: await seed(store, 'accepted', { leaseOwner: 'sub-1', leaseExpiresAt: NOW + 1 }),
          acceptedExpired: await seed(store, 'accepted', { leaseOwner: 'sub-1', leaseExpiresAt: NOW }),
          succeeded: await seed(store, 'succeeded', { leaseOwner: null, leaseExpiresAt: null }),
          failed: await seed(store, 'failed', { leaseOwner: null, leaseExpiresAt: null }),
        };
      }

      it('leases due unknowns and expired submitting/accepted; skips the rest', async (t) => {
        const store = await open(t);
        const s = await scene(store);
        const claimed = await store.claimReconcileWork('rec-1', NOW, 30_000, 100);
        assert.deepEqual(
          claimed.map((r) => r.id).sort(),
          [s.unknownDue.id, s.unknownDueNow.id, s.submittingExpired.id, s.acceptedExpired.id].sort(),
        );
        for (const r of claimed) {
          assert.equal(r.leaseOwner, 'rec-1');
          assert.equal(r.leaseExpiresAt, NOW + 30_000);
          assert.deepEqual(await store.getRecharge(r.id), r);
        }
        // While leased, nobody else gets them; leases that ran out meanwhile are free.
        const meanwhile = await store.claimReconcileWork('rec-2', NOW + 29_999, 30_000, 100);
        assert.deepEqual(
          meanwhile.map((r) => r.id).sort(),
          [s.unknownNotDue.id, s.unknownLeased.id, s.submittingLive.id, s.acceptedLive.id].sort(),
        );
        // Past expiry, they are free: a dead replica's work is picked up.
        const later = await store.claimReconcileWork('rec-4', NOW + 30_000, 30_000, 100);
        for (const c of claimed) assert.ok(later.some((r) => r.id === c.id && r.leaseOwner === 'rec-4'));
      });

      it("with operatorIds, leases only those operators' work (a gateway that fronts one operator)", async (t) => {
        const store = await open(t);
        const due = { nextAttemptAt: NOW - 1, leaseOwner: null, leaseExpiresAt: null };
        const mine = await seed(store, 'unknown', { ...due, operatorId: 'mtn-gh' });
        const theirs = await seed(store, 'unknown', { ...due, operatorId: 'vodafone-gh' });
        const third = await seed(store, 'unknown', { ...due, operatorId: 'airteltigo-gh' });
        assert.deepEqual(await store.claimReconcileWork('rec-1', NOW, 30_000, 100, []), []);
        const claimed = await store.claimReconcileWork('rec-1', NOW, 30_000, 100, ['mtn-gh']);
        assert.deepEqual(
          claimed.map((r) => r.id),
          [mine.id],
        );
        const two = await store.claimReconcileWork('rec-2', NOW, 30_000, 100, [
          'vodafone-gh',
          'airteltigo-gh',
        ]);
        assert.deepEqual(two.map((r) => r.id).sort(), [theirs.id, third.id].sort());
      });

      it('respects the limit and serves the most overdue first', async (t) => {
        const store = await open(t);
        const rs = [];
        for (let i = 0; i < 5; i++) {
          rs.push(
            await seed(store, 'unknown', {
              nextAttemptAt: NOW - 100 + i,
              leaseOwner: null,
              leaseExpiresAt: null,
            }),
          );
        }
        const first = await store.claimReconcileWork('rec-1', NOW, 10_000, 2);
        assert.deepEqual(first.map((r) => r.id).sort(), [rs[0]!.id, rs[1]!.id].sort());
        const second = await store.claimReconcileWork('rec-2', NOW, 10_000, 10);
        assert.deepEqual(
          second.map((r) => r.id).sort(),
          rs
            .slice(2)
            .map((r) => r.id)
            .sort(),
        );
        assert.deepEqual(await store.claimReconcileWork('rec-1', NOW, 10_000, 0), []);
      });

      it('releaseLeases frees every lease an owner holds', async (t) => {
        const store = await open(t);
        await scene(store);
        const claimed = await store.claimReconcileWork('rec-1', NOW, 30_000, 100);
        assert.equal(claimed.length, 4);
        assert.equal(await store.releaseLeases('rec-1'), 4);
        assert.equal(await store.releaseLeases('rec-1'), 0);
        for (const c of claimed) {
          const r = await store.getRecharge(c.id);
          assert.equal(r?.leaseOwner, null);
          assert.equal(r?.leaseExpiresAt, null);
        }
        const again = await store.claimReconcileWork('rec-2', NOW, 30_000, 100);
        assert.deepEqual(again.map((r) => r.id).sort(), claimed.map((r) => r.id).sort());
      });

      it('never gives one recharge to two owners under concurrent claims from two instances', async (t) => {
        const store = await open(t);
        const other = await replica(t, store);
        const ids = new Set<string>();
        for (let i = 0; i < 60; i++) {
          const r = await seed(store, 'unknown', {
            nextAttemptAt: NOW - i,
            leaseOwner: null,
            leaseExpiresAt: null,
          });
          ids.add(r.id);
        }
        const byOwner = new Map<string, string>();
        const worker = async (s: Store, owner: string) => {
          for (let round = 0; round < 20; round++) {
            const got = await s.claimReconcileWork(owner, NOW, 60_000, 3);
            for (const r of got) {
              assert.equal(byOwner.has(r.id), false, `${r.id} claimed twice`);
              byOwner.set(r.id, owner);
            }
          }
        };
        await Promise.all([
          worker(store, 'a1'),
          worker(other, 'b1'),
          worker(store, 'a2'),
          worker(other, 'b2'),
        ]);
        assert.deepEqual([...byOwner.keys()].sort(), [...ids].sort());
        for (const [id, owner] of byOwner) assert.equal((await store.getRecharge(id))?.leaseOwner, owner);
      });
    });

    describe('backlog', () => {
      it('counts unknown, needsAdmin and submitting, and the oldest unknown', async (t) => {
        const store = await open(t);
        assert.deepEqual(await store.backlog(), {
          unknown: 0,
          needsAdmin: 0,
          submitting: 0,
          oldestUnknownAt: null,
        });
        await seed(store, 'unknown', { createdAt: T0 + 5, nextAttemptAt: T0 });
        await seed(store, 'unknown', { createdAt: T0 + 2, nextAttemptAt: T0, needsAdmin: true });
        await seed(store, 'unknown', { createdAt: T0 + 9, nextAttemptAt: T0 });
        await seed(store, 'submitting', { createdAt: T0 + 1 });
        await seed(store, 'accepted', { createdAt: T0 });
        await seed(store, 'succeeded', { createdAt: T0 });
        assert.deepEqual(await store.backlog(), {
          unknown: 3,
          needsAdmin: 1,
          submitting: 1,
          oldestUnknownAt: T0 + 2,
        });
      });
    });

    describe('webhooks', () => {
      const hook = {
        clientId: 'client-a',
        url: 'https://client.example/hook',
        eventType: 'recharge.succeeded',
        payload: '{}',
      };

      it('claim, fail with retry, deliver, give up', async (t) => {
        const store = await open(t);
        const r = await seed(store, 'accepted');
        const a = await store.enqueueWebhook({ ...hook, rechargeId: r.id }, T0);
        const b = await store.enqueueWebhook({ ...hook, rechargeId: null }, T0 + 10);
        assert.notEqual(a, b);
        assert.equal(await store.webhookBacklog(), 2);

        assert.deepEqual(await store.claimWebhooks('w1', T0 - 1, 1_000, 10), []); // not due yet
        const first = await store.claimWebhooks('w1', T0 + 5, 1_000, 10);
        assert.deepEqual(
          first.map((w) => [w.id, w.rechargeId]),
          [[a, r.id]],
        );
        assert.deepEqual(
          await store.claimWebhooks('w2', T0 + 10, 1_000, 10).then((ws) => ws.map((w) => w.id)),
          [b],
        );
        assert.deepEqual(await store.claimWebhooks('w3', T0 + 500, 1_000, 10), []); // both leased

        await store.markWebhookFailed(a, 'HTTP 500', T0 + 2_000);
        const [failed] = await store
          .claimWebhooks('w3', T0 + 2_000, 1_000, 10)
          .then((ws) => ws.filter((w) => w.id === a));
        assert.ok(failed);
        assert.equal(failed.attempts, 1);
        assert.equal(failed.lastError, 'HTTP 500');
        assert.equal(failed.nextAttemptAt, T0 + 2_000);

        await store.markWebhookDelivered(a, T0 + 2_100);
        assert.equal(await store.webhookBacklog(), 1);
        await store.markWebhookFailed(b, 'HTTP 410', null); // give up
        assert.equal(await store.webhookBacklog(), 0);
        assert.deepEqual(await store.claimWebhooks('w4', T0 + 1_000_000, 1_000, 10), []);
        // A late failure report after delivery changes nothing.
        await store.markWebhookFailed(a, 'late', T0 + 3_000);
        assert.deepEqual(await store.claimWebhooks('w4', T0 + 1_000_000, 1_000, 10), []);
      });

      it('an expired webhook lease is claimable again; releaseLeases frees webhook leases', async (t) => {
        const store = await open(t);
        const id = await store.enqueueWebhook({ ...hook, rechargeId: null }, T0);
        assert.equal((await store.claimWebhooks('w1', T0, 1_000, 10)).length, 1);
        assert.equal((await store.claimWebhooks('w2', T0 + 999, 1_000, 10)).length, 0);
        assert.deepEqual(
          (await store.claimWebhooks('w2', T0 + 1_000, 1_000, 10)).map((w) => w.id),
          [id],
        );
        assert.equal(await store.releaseLeases('w2'), 1);
        assert.equal((await store.claimWebhooks('w3', T0 + 1_001, 1_000, 10)).length, 1);
      });

      it('each webhook goes to exactly one claimant under concurrency', async (t) => {
        const store = await open(t);
        const other = await replica(t, store);
        const ids = new Set<string>();
        for (let i = 0; i < 40; i++)
          ids.add(await store.enqueueWebhook({ ...hook, rechargeId: null }, T0 + i));
        const seen = new Map<string, string>();
        const worker = async (s: Store, owner: string) => {
          for (let round = 0; round < 15; round++) {
            for (const w of await s.claimWebhooks(owner, T0 + 1_000, 60_000, 2)) {
              assert.equal(seen.has(w.id), false, `${w.id} claimed twice`);
              seen.set(w.id, owner);
            }
          }
        };
        await Promise.all([
          worker(store, 'a1'),
          worker(other, 'b1'),
          worker(store, 'a2'),
          worker(other, 'b2'),
        ]);
        assert.deepEqual([...seen.keys()].sort(), [...ids].sort());
      });
    });

    describe('api keys', () => {
      it('create, find by hash, list, revoke', async (t) => {
        const store = await open(t);
        const key = (overrides: Partial<ApiKeyRecord>): ApiKeyRecord => ({
          id: uid('key'),
          clientId: 'client-a',
          name: 'primary',
          hash: uid('hash'),
          scopes: ['recharge:write', 'recharge:read'],
          webhookUrl: null,
          webhookSecret: null,
          createdAt: T0,
          revokedAt: null,
          ...overrides,
        });
        const k1 = key({ webhookUrl: 'https://client.example/hook', webhookSecret: 'whsec_1' });
        const k2 = key({ createdAt: T0 + 1, scopes: ['admin'] });
        const k3 = key({ clientId: 'client-b', createdAt: T0 + 2, scopes: [] });
        for (const k of [k1, k2, k3]) await store.createApiKey(k);
        await assert.rejects(store.createApiKey(key({ hash: k1.hash })));

        assert.deepEqual(await store.findApiKeyByHash(k1.hash), k1);
        assert.equal(await store.findApiKeyByHash('nope'), null);
        assert.deepEqual(await store.listApiKeys('client-a'), [k1, k2]);
        assert.deepEqual(await store.listApiKeys(), [k1, k2, k3]);
        assert.deepEqual(await store.listApiKeys('nobody'), []);

        assert.equal(await store.revokeApiKey(k2.id, T0 + 50), true);
        assert.equal(await store.revokeApiKey(k2.id, T0 + 60), false);
        assert.equal(await store.revokeApiKey('missing', T0 + 60), false);
        assert.deepEqual(await store.findApiKeyByHash(k2.hash), { ...k2, revokedAt: T0 + 50 });
      });
    });

    describe('audit trail', () => {
      it('appends hash-chained entries: seq 1, 2, 3 and each links to the one before', async (t) => {
        const store = await open(t);
        assert.equal(await store.auditHead(), null);
        assert.deepEqual(await store.auditEntries(0, 10), []);
        const a = await store.appendAudit(
          { actor: 'admin:ops', action: 'config.reload', subject: 'config', detail: { b: 1, a: 'x' } },
          T0,
        );
        const b = await store.appendAudit({ actor: 'system', action: 'test', subject: 's' }, T0 + 1);
        assert.equal(a.seq, 1);
        assert.equal(a.prevHash, GENESIS_HASH);
        assert.equal(a.hash, auditHash({ ...a, detail: canonicalJson(a.detail), prevHash: GENESIS_HASH }));
        assert.deepEqual(a.detail, { a: 'x', b: 1 });
        assert.equal(b.seq, 2);
        assert.equal(b.prevHash, a.hash);
        assert.equal(b.detail, null);
        assert.deepEqual(await store.auditEntries(0, 10), [a, b]);
        assert.deepEqual(await store.auditEntries(1, 10), [b]);
        assert.deepEqual(await store.auditHead(), { seq: 2, hash: b.hash });
        assert.deepEqual(await verifyAuditChain(store), {
          ok: true,
          checked: 2,
          head: { seq: 2, hash: b.hash },
        });
      });

      it('every recharge state change writes its entry in the same transaction; a stale one writes none', async (t) => {
        const store = await open(t);
        const r = recharge({ clientReference: 'order-1' });
        await store.acceptRecharge(r, claim('k-audit'));
        await store.acceptRecharge(recharge(), claim('k-audit')); // existing: no entry
        await store.transition({ id: r.id, from: 'accepted', to: 'submitting', at: T0 + 1, cause: 'submit' });
        assert.equal(
          await store.transition({ id: r.id, from: 'accepted', to: 'failed', at: T0 + 2, cause: 'submit' }),
          null,
        );
        await store.transition({
          id: r.id,
          from: 'submitting',
          to: 'unknown',
          at: T0 + 3,
          cause: 'submit',
          detail: { reason: 'timeout' },
        });
        await store.transition({
          id: r.id,
          from: 'unknown',
          to: 'failed',
          at: T0 + 4,
          cause: 'admin:alice',
          detail: { reason: 'operator says no' },
          patch: { failure: { code: 'MNOGATE_ERR_RECHARGE_RESOLVED_BY_ADMIN', message: 'no' } },
        });
        const entries = await store.auditEntries(0, 100);
        assert.deepEqual(
          entries.map((e) => [e.seq, e.at, e.actor, e.action, e.subject]),
          [
            [1, T0, 'client:client-a', 'recharge.accept', r.id],
            [2, T0 + 1, 'submit', 'recharge.transition', r.id],
            [3, T0 + 3, 'submit', 'recharge.transition', r.id],
            [4, T0 + 4, 'admin:alice', 'recharge.resolve', r.id],
          ],
        );
        assert.deepEqual(entries[0]!.detail, {
          to: 'accepted',
          operatorId: r.operatorId,
          productId: r.productId,
          amountMinor: r.amountMinor,
          currency: r.currency,
          clientReference: 'order-1',
        });
        assert.deepEqual(entries[2]!.detail, {
          from: 'submitting',
          to: 'unknown',
          detail: { reason: 'timeout' },
        });
        assert.deepEqual(entries[3]!.detail, {
          from: 'unknown',
          to: 'failed',
          detail: { reason: 'operator says no' },
          failureCode: 'MNOGATE_ERR_RECHARGE_RESOLVED_BY_ADMIN',
        });
        assert.ok(!JSON.stringify(entries).includes(r.msisdn), 'no MSISDN in the trail');
        assert.equal((await verifyAuditChain(store)).ok, true);
      });

      it('a refused write leaves no entry and no gap', async (t) => {
        const store = await open(t);
        const r = recharge();
        await store.acceptRecharge(r);
        await assert.rejects(store.acceptRecharge({ ...r, operatorReference: 'other' })); // duplicate id
        await store.appendAudit({ actor: 'system', action: 'test', subject: 'x' }, T0 + 1);
        assert.deepEqual(
          (await store.auditEntries(0, 10)).map((e) => e.seq),
          [1, 2],
        );
        assert.equal((await verifyAuditChain(store)).ok, true);
      });

      it('key creation and revocation are audited with their actor, without the hash or the webhook secret', async (t) => {
        const store = await open(t);
        const key: ApiKeyRecord = {
          id: uid('key'),
          clientId: 'client-a',
          name: 'primary',
          hash: `hash-${uid('h')}`,
          scopes: ['recharge:write'],
          webhookUrl: 'https://client.example/hook',
          webhookSecret: 'whsec_do_not_log',
          createdAt: T0,
          revokedAt: null,
        };
        await store.createApiKey(key, 'cli:keys');
        await store.revokeApiKey(key.id, T0 + 5, 'admin:ops');
        await store.revokeApiKey(key.id, T0 + 6, 'admin:ops'); // already revoked: no entry
        await store.revokeApiKey('missing', T0 + 6); // no such key: no entry
        const entries = await store.auditEntries(0, 10);
        assert.deepEqual(
          entries.map((e) => [e.actor, e.action, e.subject, e.at]),
          [
            ['cli:keys', 'apikey.create', key.id, T0],
            ['admin:ops', 'apikey.revoke', key.id, T0 + 5],
          ],
        );
        assert.deepEqual(entries[0]!.detail, {
          clientId: 'client-a',
          name: 'primary',
          scopes: ['recharge:write'],
          webhookUrl: 'https://client.example/hook',
        });
        const text = JSON.stringify(entries);
        assert.ok(!text.includes(key.hash) && !text.includes('whsec_do_not_log'));
      });

      it('lists newest first with filters on actor, action, subject and time, in cursor pages', async (t) => {
        const store = await open(t);
        for (let i = 0; i < 12; i++) {
          await store.appendAudit(
            { actor: i % 2 ? 'admin:a' : 'system', action: i % 3 ? 'x.one' : 'x.two', subject: `s${i % 4}` },
            T0 + i * 1000,
          );
        }
        const seqs = async (filter: Parameters<Store['listAudit']>[0]) => {
          const out: number[] = [];
          let cursor: string | null = null;
          do {
            const page = await store.listAudit(filter, 5, cursor);
            assert.ok(page.items.length <= 5);
            out.push(...page.items.map((e) => e.seq));
            cursor = page.nextCursor;
          } while (cursor);
          return out;
        };
        assert.deepEqual(await seqs({}), [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
        assert.deepEqual(await seqs({ actor: 'admin:a' }), [12, 10, 8, 6, 4, 2]);
        assert.deepEqual(await seqs({ action: 'x.two' }), [10, 7, 4, 1]);
        assert.deepEqual(await seqs({ subject: 's1' }), [10, 6, 2]);
        assert.deepEqual(await seqs({ from: T0 + 3000, to: T0 + 6000 }), [6, 5, 4]);
        assert.deepEqual(await seqs({ actor: 'system', action: 'x.two', from: T0 + 1 }), [7]);
        assert.deepEqual(await seqs({ actor: 'nobody' }), []);
        await assert.rejects(store.listAudit({}, 5, 'bogus!'), (err) =>
          isMnogateError(err, 'MNOGATE_ERR_REQUEST_CURSOR'),
        );
      });

      it('the chain stays linear under concurrent appends from two instances', async (t) => {
        const store = await open(t);
        const other = await replica(t, store);
        const rs = Array.from({ length: 20 }, () => recharge());
        await Promise.all(rs.map((r, i) => (i % 2 ? store : other).acceptRecharge(r)));
        await Promise.all([
          ...rs.map((r, i) =>
            (i % 2 ? other : store).transition({
              id: r.id,
              from: 'accepted',
              to: 'submitting',
              at: T0 + 1,
              cause: 'submit',
            }),
          ),
          ...Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? store : other).appendAudit(
              { actor: 'system', action: 'test', subject: `c${i}` },
              T0 + 2,
            ),
          ),
        ]);
        const entries = await store.auditEntries(0, 1000);
        assert.deepEqual(
          entries.map((e) => e.seq),
          Array.from({ length: 60 }, (_, i) => i + 1),
        );
        const result = await verifyAuditChain(other, { pageSize: 7 });
        assert.equal(result.ok, true, JSON.stringify(result.firstBad));
        assert.equal(result.checked, 60);
      });
    });
  });
}
