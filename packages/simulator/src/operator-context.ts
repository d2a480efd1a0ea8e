/** One operator's business logic shared by every dialect: credentials, faults, and the ledger. */
import type { OperatorConfig } from '@mnogate/core';
import { bump, type OperatorCounters } from './counters.js';
import type { DialectContext, StatusDecision, TopupDecision, TopupRequest, Transport } from './dialect.js';
import { faultForMsisdn, type OperatorFaults, type TopupFault } from './faults.js';
import { drawLatencyMs, type LatencyDistribution } from './latency.js';
import { type Ledger, type TransactionOutcome, transactionState } from './ledger.js';
import { normalizeMsisdn } from './msisdn.js';

export interface OperatorContextOptions {
  readonly operator: OperatorConfig;
  readonly credentials: Readonly<Record<string, string>>;
  readonly ledger: Ledger;
  readonly counters: () => OperatorCounters;
  readonly faults: () => OperatorFaults;
  readonly random: () => number;
  readonly now: () => number;
  readonly latency: LatencyDistribution;
  readonly slowMs: number;
  readonly slowStatusMs: number;
  readonly pendingMs: number;
}

/** What a fault does: log (with or without credit) or drop, and how the answer travels. */
const FAULT_EFFECTS: Readonly<
  Record<TopupFault, { readonly log: TransactionOutcome | 'busy' | 'drop'; readonly transport: Transport }>
> = {
  none: { log: 'succeeded', transport: 'answer' },
  reject: { log: 'rejected', transport: 'answer' },
  'reject-subscriber': { log: 'rejected-subscriber', transport: 'answer' },
  'reject-credit': { log: 'rejected-credit', transport: 'answer' },
  'credit-no-answer': { log: 'succeeded', transport: 'hang' },
  'credit-reset': { log: 'succeeded', transport: 'reset' },
  'no-credit-no-answer': { log: 'drop', transport: 'hang' },
  'no-credit-reset': { log: 'drop', transport: 'reset' },
  busy: { log: 'busy', transport: 'answer' },
  'http-500-credit': { log: 'succeeded', transport: 'http-500' },
  'http-500-no-credit': { log: 'drop', transport: 'http-500' },
  pending: { log: 'pending', transport: 'answer' },
  ambiguous: { log: 'ambiguous', transport: 'answer' },
  'slow-status': { log: 'succeeded', transport: 'answer' },
  slow: { log: 'succeeded', transport: 'answer' },
};

const CREDITED: ReadonlySet<TransactionOutcome> = new Set(['succeeded', 'pending', 'ambiguous']);

export function createOperatorContext(o: OperatorContextOptions): DialectContext {
  const id = o.operator.id;
  const latencyMs = () => drawLatencyMs(o.faults().latency ?? o.latency, o.random);
  const normalize = (raw: string) => normalizeMsisdn(raw, o.operator.prefixes);

  return {
    operator: o.operator,
    credentials: o.credentials,
    random: o.random,
    now: o.now,
    normalizeMsisdn: normalize,
    checkCredentials(presented) {
      for (const [key, value] of Object.entries(presented)) {
        const expected = o.credentials[key];
        if (expected !== undefined && expected !== value) {
          o.counters().authFailures += 1;
          return false;
        }
      }
      return true;
    },
    authFailure() {
      o.counters().authFailures += 1;
    },
    badRequest() {
      o.counters().badRequests += 1;
    },
    topup(req: TopupRequest): TopupDecision {
      const counters = o.counters();
      counters.topups += 1;
      const msisdn = normalize(req.msisdn);
      const digest = JSON.stringify([
        msisdn ?? req.msisdn,
        req.amountMinor,
        req.currency ?? '',
        req.productId ?? '',
      ]);
      const original = o.ledger.find(id, req.reference);
      if (original) {
        counters.duplicates += 1;
        bump(counters.outcomes, 'duplicate');
        return {
          kind: 'duplicate',
          original,
          sameRequest: original.digest === digest,
          transport: 'answer',
          delayMs: latencyMs(),
        };
      }
      const fault: TopupFault = (msisdn && faultForMsisdn(msisdn)) || o.faults().topup;
      let outcome: TransactionOutcome | 'busy' | 'drop';
      let transport: Transport = 'answer';
      const amountOk =
        req.amountMinor !== undefined &&
        req.amountMinor > 0 &&
        (req.currency === undefined || req.currency.toUpperCase() === o.operator.currency);
      if (!msisdn) outcome = 'invalid-msisdn';
      else if (!amountOk) outcome = 'invalid-amount';
      else {
        bump(counters.faults, fault);
        ({ log: outcome, transport } = FAULT_EFFECTS[fault]);
        if (CREDITED.has(outcome as TransactionOutcome) && o.ledger.floatMinor(id) < (req.amountMinor ?? 0)) {
          outcome = 'rejected-credit';
          transport = 'answer';
        }
      }
      bump(counters.outcomes, outcome);
      const delayMs = fault === 'slow' ? o.slowMs : latencyMs();
      if (outcome === 'busy') return { kind: 'busy', transport, delayMs };
      if (outcome === 'drop') return { kind: 'dropped', transport, delayMs };
      const credited = CREDITED.has(outcome);
      if (credited) counters.credited += 1;
      const txn = o.ledger.record({
        operatorId: id,
        reference: req.reference,
        msisdn: msisdn ?? req.msisdn,
        amountMinor: req.amountMinor ?? 0,
        currency: req.currency?.toUpperCase() ?? o.operator.currency,
        productId: req.productId,
        outcome,
        credited,
        fault,
        pendingUntil: outcome === 'pending' ? o.now() + o.pendingMs : undefined,
        slowStatus: fault === 'slow-status',
        digest,
      });
      return { kind: 'logged', txn, transport, delayMs };
    },
    statusQuery(about): StatusDecision {
      o.counters().statusQueries += 1;
      const f = o.faults();
      const slow = about.some((t) => t.slowStatus) ? o.slowStatusMs : 0;
      const transport: Transport =
        f.status === 'http-500' ? 'http-500' : f.status === 'no-answer' ? 'hang' : 'answer';
      return { busy: f.status === 'busy', transport, delayMs: f.statusDelayMs + slow };
    },
    find: (reference) => o.ledger.find(id, reference),
    findByOperatorReference: (ref) => o.ledger.findByOperatorReference(id, ref),
    transactions: () => o.ledger.transactions(id),
    state: (t) => transactionState(t, o.now()),
  };
}
