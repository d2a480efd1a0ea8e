/** The public representation of a recharge: what the API answers and what webhooks carry. */
import { formatAmount } from '@mnogate/core';
import type { RechargeRecord } from '../store/store.js';

export type PublicStatus = 'succeeded' | 'failed' | 'pending' | 'unknown';

export interface RechargeView {
  readonly id: string;
  readonly status: PublicStatus;
  readonly msisdn: string;
  readonly operatorId: string;
  readonly amount: string;
  readonly currency: string;
  readonly productId: string;
  readonly reference: string | null;
  readonly operatorReference: string;
  readonly operatorTransactionId: string | null;
  readonly failure: { code: string; message: string; operatorCode: string | null } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** accepted and submitting are `pending` to a client: it is on its way. */
export function publicStatus(status: RechargeRecord['status']): PublicStatus {
  return status === 'accepted' || status === 'submitting' ? 'pending' : status;
}

export function rechargeView(r: RechargeRecord): RechargeView {
  return {
    id: r.id,
    status: publicStatus(r.status),
    msisdn: r.msisdn,
    operatorId: r.operatorId,
    amount: formatAmount(r.amountMinor, r.currency),
    currency: r.currency,
    productId: r.productId,
    reference: r.clientReference,
    operatorReference: r.operatorReference,
    operatorTransactionId: r.operatorTransactionId,
    failure: r.failure
      ? { code: r.failure.code, message: r.failure.message, operatorCode: r.failure.operatorCode ?? null }
      : null,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}
