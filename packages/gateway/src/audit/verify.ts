/**
 * Walks the audit chain from seq 1 and reports the first entry that was edited, deleted or
 * reordered. Reads in pages, so memory stays flat however long the trail is.
 *
 * What it proves: the stored entries are the ones appended, in order, with none missing up to the
 * head. What it cannot: someone with write access who rewrites every hash from an entry onwards and
 * the head. Anchor the head hash outside the database (`mnogate audit verify --json` prints it) and
 * compare it later to close that gap.
 */
import type { AuditEntry, Store } from '../store/store.js';
import { auditHash, canonicalJson, GENESIS_HASH } from './chain.js';

export type AuditProblem = 'edited' | 'deleted' | 'reordered';

export interface AuditVerification {
  readonly ok: boolean;
  /** Entries checked (up to the first problem). */
  readonly checked: number;
  /** The head as stored: the last entry's seq and hash. */
  readonly head: { readonly seq: number; readonly hash: string } | null;
  /** The first broken entry, when not ok. */
  readonly firstBad?: {
    readonly seq: number;
    readonly problem: AuditProblem;
    readonly message: string;
  };
}

type AuditSource = Pick<Store, 'auditEntries' | 'auditHead'>;

export interface VerifyOptions {
  /** Entries read per page. @default 1_000 */
  readonly pageSize?: number;
}

function recompute(entry: AuditEntry, seq = entry.seq, prevHash = entry.prevHash): string {
  return auditHash({
    seq,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject,
    detail: canonicalJson(entry.detail),
    prevHash,
  });
}

export async function verifyAuditChain(
  store: AuditSource,
  options: VerifyOptions = {},
): Promise<AuditVerification> {
  const pageSize = Math.max(2, options.pageSize ?? 1_000);
  const head = await store.auditHead();
  let checked = 0;
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let after = 0;

  const bad = (seq: number, problem: AuditProblem, message: string): AuditVerification => ({
    ok: false,
    checked,
    head,
    firstBad: { seq, problem, message },
  });

  /** A hash mismatch at `entry`: reordered if the entry it links to, or its own hash, shows up later. */
  async function classify(entry: AuditEntry, rest: readonly AuditEntry[]): Promise<AuditProblem> {
    const ahead = [...rest, ...(await store.auditEntries(rest.at(-1)?.seq ?? entry.seq, pageSize))];
    for (const later of ahead) {
      if (later.hash === entry.prevHash) return 'reordered'; // its predecessor sits after it
      if (recompute(entry, later.seq) === entry.hash) return 'reordered'; // it was appended as that seq
    }
    return 'edited';
  }

  for (;;) {
    const page = await store.auditEntries(after, pageSize);
    for (let i = 0; i < page.length; i++) {
      const entry = page[i]!;
      if (entry.seq > expected) {
        return bad(expected, 'deleted', `entry ${expected} is missing (the next one is ${entry.seq})`);
      }
      if (entry.seq < expected) {
        return bad(entry.seq, 'reordered', `entry ${entry.seq} appears after entry ${expected - 1}`);
      }
      const selfOk = recompute(entry) === entry.hash;
      if (!selfOk) {
        const problem = await classify(entry, page.slice(i + 1));
        return bad(
          entry.seq,
          problem,
          problem === 'reordered'
            ? `entry ${entry.seq} is out of its place in the chain`
            : `entry ${entry.seq} does not match its hash`,
        );
      }
      if (entry.prevHash !== prevHash) {
        // its own hash holds, so what changed is before it: its predecessor was rewritten
        return bad(
          entry.seq - 1,
          'edited',
          `entry ${entry.seq} does not link to entry ${entry.seq - 1}: that entry was rewritten`,
        );
      }
      checked += 1;
      prevHash = entry.hash;
      expected += 1;
    }
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.seq;
  }

  const last = expected - 1;
  if (head && head.seq > last) {
    return bad(last + 1, 'deleted', `the chain ends at ${last} but its head is ${head.seq}`);
  }
  if (head && head.seq === last && head.hash !== prevHash) {
    return bad(last, 'edited', `entry ${last} does not match the chain head`);
  }
  if (head && head.seq < last) {
    return bad(
      head.seq + 1,
      'edited',
      `entries after the chain head (${head.seq}) were added outside the store`,
    );
  }
  if (!head && last > 0) {
    return bad(last, 'edited', 'the chain head is missing');
  }
  return { ok: true, checked, head };
}
