/**
 * The operators' books: subscriber balances, each operator's reseller float (debited by every credited
 * top-up), and the transaction log keyed by the client's reference. It is the truth that reliability
 * tests check the gateway against, so every credit goes through `record` and nothing else.
 */
import type { TopupFault } from './faults.js';

/** Why a transaction ended as it did, in dialect-neutral words; each dialect maps it to its codes. */
export type TransactionOutcome =
  | 'succeeded'
  | 'pending'
  | 'ambiguous'
  | 'rejected'
  | 'rejected-subscriber'
  | 'rejected-credit'
  | 'invalid-msisdn'
  | 'invalid-amount';

export interface Transaction {
  readonly operatorId: string;
  /** The client's reference (ERS clientReference, PreTUPS EXTREFNUM, CBS RechargeSerialNo, externalId). */
  readonly reference: string;
  /** The operator's own transaction id. */
  readonly operatorReference: string;
  /** E.164, or the raw text when it was not a valid number. */
  readonly msisdn: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly productId?: string | undefined;
  readonly outcome: TransactionOutcome;
  readonly credited: boolean;
  readonly fault: TopupFault;
  readonly createdAt: number;
  /** A pending transaction reads as pending until then, as succeeded after. */
  readonly pendingUntil?: number | undefined;
  /** Status queries about it are answered slowly. */
  readonly slowStatus: boolean;
  readonly balanceBeforeMinor?: number | undefined;
  readonly balanceAfterMinor?: number | undefined;
  /** What identifies the request's content: a reuse with another digest is "a different body". */
  readonly digest: string;
}

export type TransactionState = 'succeeded' | 'failed' | 'pending';

/** What a status query sees now. */
export function transactionState(t: Transaction, now: number): TransactionState {
  if (!t.credited) return 'failed';
  if (t.pendingUntil !== undefined && now < t.pendingUntil) return 'pending';
  return 'succeeded';
}

export interface NewTransaction
  extends Omit<Transaction, 'operatorReference' | 'balanceBeforeMinor' | 'balanceAfterMinor' | 'createdAt'> {}

export interface OperatorLedgerSnapshot {
  readonly floatMinor: number;
  readonly subscribers: Readonly<Record<string, number>>;
  readonly transactions: readonly Transaction[];
}

export interface Ledger {
  floatMinor(operatorId: string): number;
  setFloatMinor(operatorId: string, minor: number): void;
  /** A subscriber's balance; undefined until its first credit. */
  balanceMinor(operatorId: string, msisdn: string): number | undefined;
  find(operatorId: string, reference: string): Transaction | undefined;
  findByOperatorReference(operatorId: string, operatorReference: string): Transaction | undefined;
  transactions(operatorId: string): readonly Transaction[];
  /**
   * Logs a transaction under its reference and, when `credited`, debits the float and credits the
   * subscriber (auto-created at 0). Throws if the reference is already logged: callers check first.
   */
  record(t: NewTransaction): Transaction;
  snapshot(operatorId: string): OperatorLedgerSnapshot;
  reset(operatorId?: string): void;
}

export interface LedgerOptions {
  readonly operatorIds: readonly string[];
  readonly initialFloatMinor: number;
  readonly now: () => number;
  /** Prefix of operator references, per operator (e.g. ERS `ERS`, PreTUPS `R`). */
  readonly referencePrefix?: (operatorId: string) => string;
}

interface Book {
  floatMinor: number;
  subscribers: Map<string, number>;
  byReference: Map<string, Transaction>;
  byOperatorReference: Map<string, Transaction>;
  sequence: number;
}

export function createLedger(options: LedgerOptions): Ledger {
  const books = new Map<string, Book>();
  const fresh = (): Book => ({
    floatMinor: options.initialFloatMinor,
    subscribers: new Map(),
    byReference: new Map(),
    byOperatorReference: new Map(),
    sequence: 0,
  });
  for (const id of options.operatorIds) books.set(id, fresh());
  const book = (id: string): Book => {
    const b = books.get(id);
    if (!b) throw new Error(`no operator '${id}' in the simulator`);
    return b;
  };

  return {
    floatMinor: (id) => book(id).floatMinor,
    setFloatMinor(id, minor) {
      book(id).floatMinor = minor;
    },
    balanceMinor: (id, msisdn) => book(id).subscribers.get(msisdn),
    find: (id, reference) => book(id).byReference.get(reference),
    findByOperatorReference: (id, ref) => book(id).byOperatorReference.get(ref),
    transactions: (id) => [...book(id).byReference.values()],
    record(t) {
      const b = book(t.operatorId);
      if (b.byReference.has(t.reference)) throw new Error(`reference ${t.reference} is already logged`);
      b.sequence += 1;
      const createdAt = options.now();
      const operatorReference = `${options.referencePrefix?.(t.operatorId) ?? ''}${createdAt}${String(b.sequence).padStart(6, '0')}`;
      let balanceBeforeMinor: number | undefined;
      let balanceAfterMinor: number | undefined;
      if (t.credited) {
        balanceBeforeMinor = b.subscribers.get(t.msisdn) ?? 0;
        balanceAfterMinor = balanceBeforeMinor + t.amountMinor;
        b.subscribers.set(t.msisdn, balanceAfterMinor);
        b.floatMinor -= t.amountMinor;
      }
      const logged: Transaction = Object.freeze({
        ...t,
        operatorReference,
        createdAt,
        balanceBeforeMinor,
        balanceAfterMinor,
      });
      b.byReference.set(t.reference, logged);
      b.byOperatorReference.set(operatorReference, logged);
      return logged;
    },
    snapshot(id) {
      const b = book(id);
      return {
        floatMinor: b.floatMinor,
        subscribers: Object.fromEntries(b.subscribers),
        transactions: [...b.byReference.values()],
      };
    },
    reset(id) {
      for (const key of id === undefined ? [...books.keys()] : [id]) {
        book(key);
        books.set(key, fresh());
      }
    },
  };
}
