/**
 * The audit chain: each entry holds the hash of the one before it, so editing, deleting or
 * reordering an entry breaks the chain at that entry. The hash is sha256 over a canonical,
 * length-prefixed encoding of (seq, at, actor, action, subject, detail, prevHash); PostgreSQL computes
 * the same encoding in SQL (see store/postgres/audit-sql.ts), so both sides must change together.
 */
import { createHash } from 'node:crypto';

/** The prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: one text per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** `<utf-8 byte length>:<text>`: unambiguous concatenation without escaping. */
function field(text: string): string {
  return `${Buffer.byteLength(text, 'utf8')}:${text}`;
}

/** What is hashed; `detail` is the canonical JSON text as stored ('null' when there is none). */
export interface AuditHashInput {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly detail: string;
  readonly prevHash: string;
}

export function auditEncoding(e: AuditHashInput): string {
  return [String(e.seq), String(e.at), e.actor, e.action, e.subject, e.detail, e.prevHash]
    .map(field)
    .join('');
}

export function auditHash(e: AuditHashInput): string {
  return createHash('sha256').update(auditEncoding(e), 'utf8').digest('hex');
}
