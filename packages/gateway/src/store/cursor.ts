import { MnogateError } from '@mnogate/core';

/** Where a page of recharges stopped: the last item's sort key (newest first by createdAt, then id). */
export interface CursorPosition {
  readonly createdAt: number;
  readonly id: string;
}

/** Opaque to clients: base64url of a small JSON array, so it survives query strings untouched. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString('base64url');
}

/** Throws MNOGATE_ERR_REQUEST_CURSOR for anything that `encodeCursor` did not produce. */
export function decodeCursor(cursor: string): CursorPosition {
  const invalid = () => new MnogateError('MNOGATE_ERR_REQUEST_CURSOR', undefined, { cursor });
  if (cursor.length === 0 || cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalid();
  const [createdAt, id] = value as [unknown, unknown];
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || createdAt < 0) throw invalid();
  if (typeof id !== 'string' || id.length === 0) throw invalid();
  return { createdAt, id };
}

/** Page sizes are clamped here so neither backend can be asked for an unbounded read. */
export const MAX_PAGE_SIZE = 1000;

export function clampLimit(limit: number): number {
  if (!Number.isFinite(limit)) return MAX_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit)));
}

/** An audit page's position: the last entry's seq (pages go newest first). */
export function encodeSeqCursor(seq: number): string {
  return Buffer.from(JSON.stringify(['seq', seq]), 'utf8').toString('base64url');
}

/** Throws MNOGATE_ERR_REQUEST_CURSOR for anything that `encodeSeqCursor` did not produce. */
export function decodeSeqCursor(cursor: string): number {
  const invalid = () => new MnogateError('MNOGATE_ERR_REQUEST_CURSOR', undefined, { cursor });
  if (cursor.length === 0 || cursor.length > 256 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== 2 || value[0] !== 'seq') throw invalid();
  const seq = value[1];
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw invalid();
  return seq;
}
