import { randomBytes } from 'node:crypto';

/**
 * A time-ordered random id with a type prefix, e.g. `wh_0m3x9k2a1b7f9c0d4e5f6a7b`. The store makes
 * ids only for rows it creates itself (webhook outbox rows); recharge and key ids come from the engine.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  return `${prefix}_${now.toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}
