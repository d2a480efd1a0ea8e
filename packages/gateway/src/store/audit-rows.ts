/**
 * The audit trail's rows and queries, shared by both backends: what each store change writes to the
 * trail, the row mapping, and the keyset query behind listAudit.
 */
import { canonicalJson } from '../audit/chain.js';
import { clampLimit, decodeSeqCursor, encodeSeqCursor } from './cursor.js';
import type { Row } from './rows.js';
import type {
  ApiKeyRecord,
  AuditEntry,
  AuditFilter,
  AuditInput,
  Page,
  RechargeRecord,
  TransitionInput,
} from './store.js';

/** Who makes store changes that name no actor (the CLI, tests, scripts with direct store access). */
export const DEFAULT_AUDIT_ACTOR = 'system';

/** An audit input with its detail already in the canonical text that is stored and hashed. */
export interface EncodedAudit {
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly detail: string;
}

export function encodeAudit(input: AuditInput): EncodedAudit {
  return {
    actor: input.actor,
    action: input.action,
    subject: input.subject,
    detail: canonicalJson(input.detail ?? null),
  };
}

/** The entry written with a new recharge: what was asked, never the MSISDN (the recharge has it). */
export function acceptAudit(r: RechargeRecord): EncodedAudit {
  return encodeAudit({
    actor: `client:${r.clientId}`,
    action: 'recharge.accept',
    subject: r.id,
    detail: {
      to: r.status,
      operatorId: r.operatorId,
      productId: r.productId,
      amountMinor: r.amountMinor,
      currency: r.currency,
      clientReference: r.clientReference,
    },
  });
}

/** The entry written with a transition: an admin's decision is `recharge.resolve` by `admin:<name>`. */
export function transitionAudit(input: TransitionInput): EncodedAudit {
  const admin = input.cause.startsWith('admin:');
  const patch = input.patch ?? {};
  return encodeAudit({
    actor: input.cause,
    action: admin ? 'recharge.resolve' : 'recharge.transition',
    subject: input.id,
    detail: {
      from: input.from,
      to: input.to,
      ...(input.detail !== undefined ? { detail: input.detail } : {}),
      ...(patch.failure ? { failureCode: patch.failure.code } : {}),
      ...(patch.operatorTransactionId ? { operatorTransactionId: patch.operatorTransactionId } : {}),
    },
  });
}

/** Never the key's hash nor its webhook secret. */
export function apiKeyCreateAudit(key: ApiKeyRecord, actor: string | undefined): EncodedAudit {
  return encodeAudit({
    actor: actor ?? DEFAULT_AUDIT_ACTOR,
    action: 'apikey.create',
    subject: key.id,
    detail: { clientId: key.clientId, name: key.name, scopes: [...key.scopes], webhookUrl: key.webhookUrl },
  });
}

export function apiKeyRevokeAudit(id: string, actor: string | undefined): EncodedAudit {
  return encodeAudit({
    actor: actor ?? DEFAULT_AUDIT_ACTOR,
    action: 'apikey.revoke',
    subject: id,
    detail: null,
  });
}

function parseDetail(text: unknown): Record<string, unknown> | null {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(String(text)) as Record<string, unknown> | null;
  } catch {
    // tampered with: keep the text so that verification reports the entry as edited
    return { $unparseable: String(text) };
  }
}

export function toAuditEntry(row: Row): AuditEntry {
  return {
    seq: Number(row.seq),
    at: Number(row.at),
    actor: row.actor as string,
    action: row.action as string,
    subject: row.subject as string,
    detail: parseDetail(row.detail),
    prevHash: row.prev_hash as string,
    hash: row.hash as string,
  };
}

/** The keyset query behind listAudit, newest first, in either dialect (see buildListQuery). */
export function buildAuditListQuery(
  filter: AuditFilter,
  limit: number,
  cursor: string | null | undefined,
  placeholder: (n: number) => string,
): { sql: string; params: unknown[]; pageSize: number } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(placeholder(params.length)));
  };
  if (filter.actor !== undefined) add((p) => `actor = ${p}`, filter.actor);
  if (filter.action !== undefined) add((p) => `action = ${p}`, filter.action);
  if (filter.subject !== undefined) add((p) => `subject = ${p}`, filter.subject);
  if (filter.from !== undefined) add((p) => `at >= ${p}`, filter.from);
  if (filter.to !== undefined) add((p) => `at < ${p}`, filter.to);
  if (cursor !== undefined && cursor !== null) add((p) => `seq < ${p}`, decodeSeqCursor(cursor));
  const pageSize = clampLimit(limit);
  params.push(pageSize + 1);
  const sql =
    'SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log' +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY seq DESC LIMIT ${placeholder(params.length)}`;
  return { sql, params, pageSize };
}

export function auditPage(rows: readonly AuditEntry[], pageSize: number): Page<AuditEntry> {
  const items = rows.slice(0, pageSize);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > pageSize && last ? encodeSeqCursor(last.seq) : null };
}
