/**
 * The audit append as SQL, to be chained into a store statement's CTEs: it moves the one-row chain
 * head and inserts the entry, computing the entry's hash in SQL with the same length-prefixed encoding
 * as audit/chain.ts `auditEncoding` (keep them in step; the contract suite checks it by verifying).
 *
 * `UPDATE audit_head` takes the head's row lock and holds it to COMMIT: appends from every replica
 * queue on it, and under READ COMMITTED a waiter re-reads the head its predecessor committed, so the
 * chain stays linear. The statement's other writes (the recharge, its history row) commit with it.
 */

/** `<utf-8 byte length>:<text>` of a text expression, in SQL. */
function field(expr: string): string {
  return `octet_length(convert_to(${expr}, 'UTF8'))::text || ':' || ${expr}`;
}

export interface AuditParams {
  /** Placeholders (e.g. `$4`) of the entry's time (bigint) and its text fields. */
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly detail: string;
}

/**
 * Two CTEs, `audit_h` and `audit_a`, that append one entry for each row of the CTE `source` (which
 * yields one row when the change happened and none when it did not). Starts with a comma.
 */
export function auditCtes(source: string, p: AuditParams): string {
  const seq = '(audit_head.seq + 1)::text';
  const encoding = [
    seq,
    `${p.at}::bigint::text`,
    `${p.actor}::text`,
    `${p.action}::text`,
    `${p.subject}::text`,
    `${p.detail}::text`,
    'audit_head.hash',
  ]
    .map(field)
    .join(' || ');
  return `, audit_h AS (
      UPDATE audit_head SET seq = audit_head.seq + 1, prev_hash = audit_head.hash,
        hash = encode(sha256(convert_to(${encoding}, 'UTF8')), 'hex')
      FROM (SELECT 1 FROM ${source} LIMIT 1) AS audit_src
      WHERE audit_head.id = 1
      RETURNING audit_head.seq, audit_head.prev_hash, audit_head.hash
    ), audit_a AS (
      INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
      SELECT seq, ${p.at}::bigint, ${p.actor}::text, ${p.action}::text, ${p.subject}::text, ${p.detail}::text,
        prev_hash, hash
      FROM audit_h
    )`;
}
