/** Recharge ids and the operator-facing references derived from them. */
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

/**
 * A time-ordered id body: 10 characters of milliseconds and 10 of randomness (50 bits), Crockford
 * base32, so ids sort by creation and fit the shortest operator reference fields.
 */
export function newIdBody(now: number): string {
  const random = BigInt(`0x${randomBytes(7).toString('hex')}`) & ((1n << 50n) - 1n);
  return base32(BigInt(now), 10) + base32(random, 10);
}

export function newRechargeId(now: number): string {
  return `rch_${newIdBody(now)}`;
}

/**
 * The reference the operator sees (ERS clientReference, PreTUPS EXTREFNUM, CBS RechargeSerialNo,
 * rest-json externalId): `MG` + the id body, 22 alphanumeric characters, unique because the id is.
 */
export function operatorReferenceFor(rechargeId: string): string {
  return `MG${rechargeId.slice('rch_'.length)}`;
}
